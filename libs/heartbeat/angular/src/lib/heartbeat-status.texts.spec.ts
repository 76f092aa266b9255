import { LOCALE_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import {
  HEARTBEAT_STATUS_TEXTS,
  HEARTBEAT_STATUS_TEXTS_EN,
  HEARTBEAT_STATUS_TEXTS_ZH_CN,
  mergeStatusTexts,
  statusTextsForLocale,
} from './heartbeat-status.texts.js';

describe('HeartbeatStatusTexts', () => {
  describe('#statusTextsForLocale', () => {
    it.each(['zh', 'zh-CN', 'zh-Hans', 'zh-Hant-TW', 'zh_CN', 'ZH-cn'])('gives Simplified Chinese for %s', (locale) => {
      expect(statusTextsForLocale(locale)).toBe(HEARTBEAT_STATUS_TEXTS_ZH_CN);
    });

    it.each(['en-US', 'en', 'de-DE', 'fr', 'zu'])('gives English for %s', (locale) => {
      expect(statusTextsForLocale(locale)).toBe(HEARTBEAT_STATUS_TEXTS_EN);
    });
  });

  describe('#HEARTBEAT_STATUS_TEXTS_ZH_CN', () => {
    it("uses the four documented Chinese status labels", () => {
      expect(HEARTBEAT_STATUS_TEXTS_ZH_CN.statuses).toEqual({
        connected: '已连接',
        connecting: '连接中',
        error: '连接错误',
        disconnected: '已断开',
      });
    });

    it('translates every text the English set has', () => {
      expect(Object.keys(HEARTBEAT_STATUS_TEXTS_ZH_CN).sort()).toEqual(Object.keys(HEARTBEAT_STATUS_TEXTS_EN).sort());
      expect(Object.keys(HEARTBEAT_STATUS_TEXTS_ZH_CN.phases).sort()).toEqual(Object.keys(HEARTBEAT_STATUS_TEXTS_EN.phases).sort());
    });
  });

  describe('#duration', () => {
    it.each([
      [0, '0 s', '0 秒'],
      [59_999, '59 s', '59 秒'],
      [61_000, '1 min 1 s', '1 分 1 秒'],
      [3 * 3_600_000 + 5 * 60_000 + 7_000, '3 h 5 min', '3 小时 5 分'],
      [-5_000, '0 s', '0 秒'],
    ])('formats %i ms as "%s" / "%s"', (ms, en, zh) => {
      expect(HEARTBEAT_STATUS_TEXTS_EN.duration(ms)).toBe(en);
      expect(HEARTBEAT_STATUS_TEXTS_ZH_CN.duration(ms)).toBe(zh);
    });
  });

  describe('#milliseconds', () => {
    it('shows the sign of a clock offset', () => {
      expect(HEARTBEAT_STATUS_TEXTS_EN.milliseconds(12.4)).toBe('+12 ms');
      expect(HEARTBEAT_STATUS_TEXTS_EN.milliseconds(-3)).toBe('-3 ms');
      expect(HEARTBEAT_STATUS_TEXTS_EN.milliseconds(0)).toBe('0 ms');
    });
  });

  describe('#mergeStatusTexts', () => {
    it('replaces single labels without dropping the others', () => {
      const merged = mergeStatusTexts(HEARTBEAT_STATUS_TEXTS_EN, { statuses: { connected: 'Online' }, reset: 'Start over' });

      expect(merged.statuses).toEqual({ ...HEARTBEAT_STATUS_TEXTS_EN.statuses, connected: 'Online' });
      expect(merged.phases).toEqual(HEARTBEAT_STATUS_TEXTS_EN.phases);
      expect(merged.reset).toBe('Start over');
      expect(merged.reconnect).toBe('Reconnect');
    });
  });

  describe('#HEARTBEAT_STATUS_TEXTS', () => {
    it('is English whatever the LOCALE_ID: the Chinese texts come only with withStatusTexts()', () => {
      TestBed.configureTestingModule({ providers: [{ provide: LOCALE_ID, useValue: 'zh-CN' }] });

      expect(TestBed.inject(HEARTBEAT_STATUS_TEXTS)).toBe(HEARTBEAT_STATUS_TEXTS_EN);
    });
  });
});

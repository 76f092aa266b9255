import { describe, expect, it } from '@jest/globals';
import { CliOptionsError } from '../lib/cli-options.js';
import { hiddenTabSettings, offsetsInside } from './hidden-tab-options.js';

describe('hiddenTabSettings', () => {
  it('measures 10 minutes with an event every 10 s, into the docs, by default', () => {
    expect(hiddenTabSettings([])).toEqual({ help: false, windowMs: 600_000, eventIntervalMs: 10_000, writeDocs: true });
  });

  it('keeps windows shorter than 10 minutes out of the docs', () => {
    expect(hiddenTabSettings(['--minutes=0.5'])).toMatchObject({ windowMs: 30_000, writeDocs: false });
  });

  it('takes the event interval and --no-docs', () => {
    expect(hiddenTabSettings(['--minutes=12', '--event-interval=2.5', '--no-docs'])).toMatchObject({ windowMs: 720_000, eventIntervalMs: 2_500, writeDocs: false });
  });

  it('refuses a window shorter than 6 s', () => {
    expect(() => hiddenTabSettings(['--minutes=0.05'])).toThrow(CliOptionsError);
  });
});

describe('offsetsInside', () => {
  it('lists every interval strictly inside the window', () => {
    expect(offsetsInside(180_000, 60_000)).toEqual([60_000, 120_000]);
  });

  it('lists one in a window that does not end on an interval', () => {
    expect(offsetsInside(90_000, 60_000)).toEqual([60_000]);
  });

  it('lists none in a window no longer than the interval', () => {
    expect(offsetsInside(30_000, 60_000)).toEqual([]);
  });
});

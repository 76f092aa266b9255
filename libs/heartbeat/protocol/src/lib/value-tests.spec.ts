import { isCounter, isEpochMs, isText } from './value-tests.js';

describe('value-tests', () => {
  describe('#isCounter', () => {
    it('accepts safe integers from 0 up and nothing else', () => {
      expect([0, 7, Number.MAX_SAFE_INTEGER].map(isCounter)).toEqual([true, true, true]);
      expect([-1, 1.5, Number.MAX_SAFE_INTEGER + 1, '3', null].map(isCounter)).toEqual([false, false, false, false, false]);
    });
  });

  describe('#isEpochMs', () => {
    it('accepts finite numbers and nothing else', () => {
      expect([0, -5, 1_700_000_000_000.5].map(isEpochMs)).toEqual([true, true, true]);
      expect([Number.NaN, Number.POSITIVE_INFINITY, '1', undefined].map(isEpochMs)).toEqual([false, false, false, false]);
    });
  });

  describe('#isText', () => {
    it('accepts strings within the lengths, both ends included', () => {
      expect(['a', 'abc'].map((value) => isText(value, 1, 3))).toEqual([true, true]);
      expect(['', 'abcd', 3].map((value) => isText(value, 1, 3))).toEqual([false, false, false]);
    });
  });
});

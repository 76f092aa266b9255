import { describe, expect, it } from '@jest/globals';
import { callgrindArgs, dumpTotal } from './callgrind.js';

describe('callgrind', () => {
  describe('#dumpTotal', () => {
    it('reads the summary line of a dump', () => {
      expect(dumpTotal('version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 188803450\n\nfn=(1) main\n')).toBe(188_803_450);
    });

    it('reads the totals line where a dump has one instead', () => {
      expect(dumpTotal('events: Ir\nfn=(1) main\n0 5\ntotals: 42\n')).toBe(42);
    });

    it('says so when the dump is not complete', () => {
      expect(() => dumpTotal('events: Ir\nfn=(1) main\n')).toThrow('no summary or totals line');
    });
  });

  describe('#callgrindArgs', () => {
    it('starts with counting off and names each dump after the process', () => {
      expect(callgrindArgs('/tmp/out', 'monitor')).toEqual(['--tool=callgrind', '--instr-atstart=no', '--callgrind-out-file=/tmp/out/monitor.%p', '-q']);
    });
  });
});

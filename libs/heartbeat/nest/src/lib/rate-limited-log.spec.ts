import { RateLimitedLog } from './rate-limited-log.js';

describe('RateLimitedLog', () => {
  function setUp(intervalMs = 10_000) {
    const lines: string[] = [];
    let now = 1_000_000;
    const log = new RateLimitedLog({ warn: (message: string) => lines.push(message) }, intervalMs, () => now);
    return { log, lines, advance: (ms: number) => (now += ms) };
  }

  const line = (cause: string) => (suppressed: number) => `${cause} (${suppressed} not logged)`;

  describe('#warn', () => {
    it('writes the first line of a cause at once', () => {
      const { log, lines } = setUp();

      expect(log.warn('origin', line('origin'))).toBe(true);
      expect(lines).toEqual(['origin (0 not logged)']);
    });

    it('only counts the lines of a cause within the interval, and the next line says how many it left out', () => {
      const { log, lines, advance } = setUp();
      log.warn('origin', line('origin'));
      advance(1);
      expect(log.warn('origin', line('origin'))).toBe(false);
      advance(9_998);
      expect(log.warn('origin', line('origin'))).toBe(false);
      expect(lines).toHaveLength(1);

      advance(1);
      expect(log.warn('origin', line('origin'))).toBe(true);
      expect(lines).toEqual(['origin (0 not logged)', 'origin (2 not logged)']);
    });

    it('starts the count over after each line written', () => {
      const { log, lines, advance } = setUp(100);
      log.warn('path', line('path'));
      log.warn('path', line('path'));
      advance(100);
      log.warn('path', line('path'));
      advance(100);
      log.warn('path', line('path'));

      expect(lines).toEqual(['path (0 not logged)', 'path (1 not logged)', 'path (0 not logged)']);
    });

    it('limits each cause on its own', () => {
      const { log, lines } = setUp();
      log.warn('origin', line('origin'));
      log.warn('path', line('path'));
      log.warn('origin', line('origin'));

      expect(lines).toEqual(['origin (0 not logged)', 'path (0 not logged)']);
    });
  });
});

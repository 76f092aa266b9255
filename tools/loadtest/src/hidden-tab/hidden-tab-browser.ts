/**
 * Debian's Chromium with hidden tabs: one tab in front (about:blank) and the measured ones opened
 * behind it in the same window, so that Chromium treats them as a user's background tabs (visibility
 * `hidden`, timers throttled to one wake-up a second and, after 5 minutes, to one a minute).
 *
 * Playwright's own launch cannot give that: it passes --disable-background-timer-throttling and
 * --disable-renderer-backgrounding, and turns on focus emulation in every page it attaches to, which
 * keeps a page visible. So the browser is started here and Playwright attaches to its default context
 * over CDP with `noDefaults` (no focus emulation there).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertChromiumInstalled, CHROMIUM_ARGS, chromiumPath } from '@heartbeat/testing/chromium';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';

const DEVTOOLS_LISTENING = /DevTools listening on (ws:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;
/** Three timeouts of 10 ms in a row take about 30 ms in a visible tab and seconds in a throttled one. */
const THROTTLE_CHECK_TIMEOUTS = 3;
export const THROTTLED_MIN_MS = 900;

export interface HiddenCheck {
  visibilityState: string;
  /** How long THROTTLE_CHECK_TIMEOUTS chained setTimeout(10 ms) took in the page. */
  chainedTimeoutsMs: number;
}

export class HiddenTabBrowser {
  private constructor(
    private readonly process: ChildProcess,
    private readonly profileDir: string,
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    private readonly browserSession: CDPSession,
  ) {}

  static async launch(): Promise<HiddenTabBrowser> {
    assertChromiumInstalled();
    const profileDir = mkdtempSync(join(tmpdir(), 'heartbeat-hidden-tab-'));
    const child = spawn(chromiumPath(), [...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${profileDir}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      // A process group of its own: stopping it stops Chromium's helper processes too, which would
      // otherwise go on writing into the profile while it is being removed.
      detached: true,
    });
    try {
      const endpoint = await devtoolsEndpoint(child);
      const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, isLocal: true });
      const context = browser.contexts()[0];
      if (!context) throw new Error('Chromium started without a default browser context: check that CHROMIUM_PATH is a Chromium.');
      return new HiddenTabBrowser(child, profileDir, browser, context, await browser.newBrowserCDPSession());
    } catch (error) {
      await stopChromium(child, profileDir);
      throw error;
    }
  }

  /** Opens `url` in a new tab behind the one in front. */
  async openHidden(url: string): Promise<Page> {
    const opened = this.context.waitForEvent('page');
    await this.browserSession.send('Target.createTarget', { url, background: true });
    const page = await opened;
    await page.waitForLoadState('load');
    return page;
  }

  /** Renderer processes of the browser: tabs of different sites each get their own. */
  async rendererCount(): Promise<number> {
    const { processInfo } = (await this.browserSession.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string }[] };
    return processInfo.filter((info) => info.type === 'renderer').length;
  }

  /** `Chromium 156.0.…` as the browser reports it. */
  get version(): string {
    return `Chromium ${this.browser.version()}`;
  }

  newSession(page: Page): Promise<CDPSession> {
    return this.context.newCDPSession(page);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await stopChromium(this.process, this.profileDir);
  }

  /** Kills the browser without waiting (an interrupted run). */
  kill(): void {
    killGroup(this.process);
  }
}

/** The page's visibility and whether its timers are throttled, measured inside it. */
export function checkHidden(page: Page): Promise<HiddenCheck> {
  return page.evaluate(async (timeouts) => {
    const startedAt = performance.now();
    for (let i = 0; i < timeouts; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return { visibilityState: document.visibilityState, chainedTimeoutsMs: performance.now() - startedAt };
  }, THROTTLE_CHECK_TIMEOUTS);
}

/** Kills Chromium's process group: the browser and its helpers (renderers, GPU, crash handler). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

/**
 * Kills Chromium and removes its profile. Helpers killed with the browser may take a moment to
 * exit, so the removal retries for up to a second while they let go of their files.
 */
async function stopChromium(child: ChildProcess, profileDir: string): Promise<void> {
  const exited = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined;
  killGroup(child);
  await exited;
  rmSync(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

/** The browser's DevTools URL from its first lines on stderr; what it writes later is read and dropped. */
function devtoolsEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    let endpoint: string | undefined;
    const timer = setTimeout(() => fail(`Chromium did not open its DevTools endpoint within ${START_TIMEOUT_MS / 1000} s.`), START_TIMEOUT_MS);
    const fail = (message: string) => {
      clearTimeout(timer);
      if (endpoint === undefined) reject(new Error(`${message} Its output:\n${output.trim()}`));
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      if (endpoint !== undefined) return;
      output += chunk.toString();
      endpoint = DEVTOOLS_LISTENING.exec(output)?.[1];
      if (endpoint !== undefined) {
        clearTimeout(timer);
        resolve(endpoint);
      }
    });
    child.once('exit', (code, signal) => fail(`Chromium exited (${signal ?? `code ${code}`}) before it opened its DevTools endpoint.`));
    child.once('error', (error) => fail(`Chromium could not be started (${error.message}).`));
  });
}

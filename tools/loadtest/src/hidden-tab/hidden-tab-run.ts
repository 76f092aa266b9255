/**
 * One run of the hidden-tab measurement: the two servers, the page server and Chromium with the three
 * hidden tabs; metrics read at the start of the window, every minute and at its end; the publishes.
 */
import { freePort, sleep } from '@heartbeat/testing';
import type { CDPSession, Page } from 'playwright-core';
import { BENCH_CLIENT_TOKEN, BENCH_TOPIC, BenchServer } from '../bench/bench-server.js';
import type { ProgressLine } from '../lib/progress.js';
import { checkHidden, type HiddenCheck, HiddenTabBrowser, THROTTLED_MIN_MS } from './hidden-tab-browser.js';
import { type HiddenTabSettings, offsetsInside, SAMPLE_EVERY_MS } from './hidden-tab-options.js';
import { type MetricSample, pickMetrics, TAB_KINDS, TAB_LABELS, type TabKind, type TabRun } from './hidden-tab-report.js';
import { bundlePage, PageServer } from './page-server.js';
import type { PageStats } from './page/page-stats.js';

const CONNECT_TIMEOUT_MS = 60_000;
/** The same small event on both servers; each adds its own sequence number. */
const EVENT_PAYLOAD = { kind: 'tick', note: 'hidden-tab measurement' };

export interface HiddenTabResult {
  runs: Record<TabKind, TabRun>;
  published: number;
  /** Each tab before the window and its visibility after it. */
  hidden: Record<TabKind, { before: HiddenCheck; visibilityAfter: string }>;
  renderers: number;
  chromiumVersion: string;
  /** Minified bundle of each client page, bytes. */
  bundleBytes: Record<'heartbeat' | 'socketio', number>;
}

interface Tab {
  kind: TabKind;
  page: Page;
  session: CDPSession;
}

let activeBrowser: HiddenTabBrowser | null = null;

/** Kills the browser of a run that was interrupted (its servers go with killAllChildren). */
export function killHiddenTabBrowser(): void {
  activeBrowser?.kill();
}

export async function hiddenTabRun(settings: HiddenTabSettings, progress: ProgressLine): Promise<HiddenTabResult> {
  const [heartbeatBundle, socketioBundle] = await Promise.all([bundlePage('heartbeat'), bundlePage('socketio')]);
  const [monitor, socketio] = await Promise.all([
    BenchServer.start({ kind: 'monitor', port: await freePort() }),
    BenchServer.start({ kind: 'socketio', port: await freePort() }),
  ]);
  const pages = await PageServer.start([heartbeatBundle, socketioBundle]);
  const browser = await HiddenTabBrowser.launch();
  activeBrowser = browser;
  try {
    const urls: Record<TabKind, string> = {
      heartbeat: pages.url('heartbeat', { url: monitor.url, token: BENCH_CLIENT_TOKEN, topic: BENCH_TOPIC }),
      socketio: pages.url('socketio', { url: socketio.url, topic: BENCH_TOPIC }),
      empty: pages.url('empty'),
    };
    const tabs: Tab[] = [];
    for (const kind of TAB_KINDS) {
      const page = await browser.openHidden(urls[kind]);
      tabs.push({ kind, page, session: await browser.newSession(page) });
    }
    await Promise.all(tabs.filter((tab) => tab.kind !== 'empty').map(waitConnected));
    const before = await Promise.all(tabs.map(async (tab) => requireHidden(tab, await checkHidden(tab.page))));
    const renderers = await browser.rendererCount();
    if (renderers < tabs.length) {
      throw new Error(`The ${tabs.length} tabs share ${renderers} renderer processes, so their JS heaps would mix: check that Chromium isolates sites (no --process-per-site or renderer limit in CHROMIUM_PATH's flags).`);
    }
    // Thread time: what the tab's main thread spent, whatever else the shared machine runs meanwhile.
    await Promise.all(tabs.map((tab) => tab.session.send('Performance.enable', { timeDomain: 'threadTicks' })));

    const heapStart = await Promise.all(tabs.map(heapAfterGc));
    const startedAt = performance.now();
    const samples = new Map<TabKind, MetricSample[]>(tabs.map((tab) => [tab.kind, []]));
    const readAll = async (atMs: number) => {
      const read = await Promise.all(tabs.map((tab) => readMetrics(tab.session)));
      tabs.forEach((tab, i) => samples.get(tab.kind)?.push({ atMs, metrics: read[i] as MetricSample['metrics'] }));
    };
    await readAll(0);

    const steps = [
      ...offsetsInside(settings.windowMs, settings.eventIntervalMs).map((at) => ({ at, publish: true })),
      ...offsetsInside(settings.windowMs, SAMPLE_EVERY_MS).map((at) => ({ at, publish: false })),
    ].sort((a, b) => a.at - b.at);
    let published = 0;
    for (const step of steps) {
      await sleep(Math.max(0, startedAt + step.at - performance.now()));
      if (step.publish) {
        const request = { topic: BENCH_TOPIC, payload: { ...EVENT_PAYLOAD }, count: 1 };
        await Promise.all([monitor.api.request('publish', request), socketio.api.request('publish', request)]);
        published++;
      } else {
        await readAll(step.at);
      }
      progress.update(`hidden tabs: ${(step.at / 60_000).toFixed(1)} of ${(settings.windowMs / 60_000).toFixed(1)} min, ${published} events published`);
    }
    await sleep(Math.max(0, startedAt + settings.windowMs - performance.now()));
    await readAll(settings.windowMs);
    progress.done(`hidden tabs: ${(settings.windowMs / 60_000).toFixed(1)} min measured, ${published} events published`);

    const statsAt = Date.now();
    const stats = await Promise.all(tabs.map((tab) => tab.page.evaluate(() => window.hiddenTabStats?.() ?? null)));
    const visibilityAfter = await Promise.all(tabs.map((tab) => tab.page.evaluate(() => document.visibilityState)));
    const heapEnd = await Promise.all(tabs.map(heapAfterGc));
    const byKind = <T>(values: readonly T[]) => Object.fromEntries(tabs.map((tab, i) => [tab.kind, values[i] as T])) as Record<TabKind, T>;
    return {
      runs: byKind(
        tabs.map((tab, i) => ({
          kind: tab.kind,
          samples: samples.get(tab.kind) ?? [],
          heapAfterGcBytes: { start: heapStart[i] as number, end: heapEnd[i] as number },
          stats: stats[i] as PageStats | null,
          statsAt,
        })),
      ),
      published,
      hidden: byKind(tabs.map((_, i) => ({ before: before[i] as HiddenCheck, visibilityAfter: visibilityAfter[i] as string }))),
      renderers,
      chromiumVersion: browser.version,
      bundleBytes: { heartbeat: Buffer.byteLength(heartbeatBundle.code), socketio: Buffer.byteLength(socketioBundle.code) },
    };
  } finally {
    activeBrowser = null;
    await browser.close();
    await pages.close();
    await Promise.all([monitor.kill(), socketio.kill()]);
  }
}

async function readMetrics(session: CDPSession) {
  const { metrics } = await session.send('Performance.getMetrics');
  return pickMetrics(metrics);
}

/** JS heap used after a full collection (HeapProfiler.collectGarbage), bytes. */
async function heapAfterGc(tab: Tab): Promise<number> {
  await tab.session.send('HeapProfiler.collectGarbage');
  return (await readMetrics(tab.session)).JSHeapUsedSize;
}

/** Polls from outside: a hidden tab's own timers would wait for its throttled wake-ups. */
async function waitConnected(tab: Tab): Promise<void> {
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await tab.page.evaluate(() => window.hiddenTabStats?.().connected ?? false)) return;
    await sleep(200);
  }
  throw new Error(`The ${TAB_LABELS[tab.kind]} tab did not connect within ${CONNECT_TIMEOUT_MS / 1000} s: check the server's output above and the page at ${tab.page.url()}.`);
}

function requireHidden(tab: Tab, check: HiddenCheck): HiddenCheck {
  if (check.visibilityState !== 'hidden' || check.chainedTimeoutsMs < THROTTLED_MIN_MS) {
    throw new Error(
      `The ${TAB_LABELS[tab.kind]} tab is not a throttled hidden tab (visibilityState ${check.visibilityState}, ` +
        `chained timeouts took ${check.chainedTimeoutsMs.toFixed(0)} ms, at least ${THROTTLED_MIN_MS} expected): the figures would be a visible tab's. ` +
        'Check that CHROMIUM_PATH is a Chromium that keeps background tabs hidden in headless mode.',
    );
  }
  return check;
}

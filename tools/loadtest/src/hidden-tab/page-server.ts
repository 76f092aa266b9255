/**
 * The measured pages: one per tab kind, each with its client bundled as an application ships it
 * (esbuild, minified, from the built packages — `@heartbeat/client` resolves to its dist), served
 * by a small HTTP server on 127.0.0.1. Each tab is opened on a host of its own under `.localhost`
 * (which Chromium resolves to the loopback itself): another site, so another renderer process, and
 * the JS heap of one tab is not the heap of the others.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TabKind } from './hidden-tab-report.js';

export interface PageBundle {
  kind: TabKind;
  code: string;
}

/** Bundles the page script of a tab kind (page/<kind>-page.js, beside this module in the build). */
export async function bundlePage(kind: TabKind): Promise<PageBundle> {
  const entry = fileURLToPath(new URL(`./page/${kind}-page.js`, import.meta.url));
  const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild wrote no bundle for ${entry}: build the load test again (npx nx run loadtest:build).`);
  return { kind, code: file.text };
}

export class PageServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(bundles: readonly PageBundle[]): Promise<PageServer> {
    const scripts = new Map<string, string>(bundles.map((bundle) => [bundle.kind, bundle.code]));
    const server = createServer((request, response) => {
      const name = new URL(request.url ?? '/', 'http://page').pathname.slice(1);
      const script = name.endsWith('.js') ? scripts.get(name.slice(0, -3)) : undefined;
      if (script !== undefined) {
        response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
      } else if (name === 'empty' || scripts.has(name)) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pageHtml(name, scripts.has(name)));
      } else {
        response.writeHead(404).end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new PageServer(server, (server.address() as AddressInfo).port);
  }

  /** The page of a tab kind, on its own host; `settings` go to the page's query (page/page-stats.ts). */
  url(kind: TabKind, settings: Readonly<Record<string, string>> = {}): string {
    const query = new URLSearchParams(settings).toString();
    return `http://${kind}.localhost:${this.port}/${kind}${query ? `?${query}` : ''}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

function pageHtml(kind: string, scripted: boolean): string {
  const script = scripted ? `<script type="module" src="/${kind}.js"></script>` : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${kind}</title>${script}</head><body></body></html>`;
}

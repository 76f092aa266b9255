import type { RequestHandler } from 'express';
import { extname } from 'node:path';

/**
 * Answers the dashboard's client-side routes (`/admin`, …) with its `index.html`, so that a reload or
 * a bookmark of such a URL loads the app, which then routes itself. Leaves alone the server's own
 * paths (`serverPaths` and everything below them), requests for files (a path with an extension:
 * a missing asset stays a 404) and requests that do not accept HTML.
 */
export function spaFallback(indexFile: string, serverPaths: readonly string[]): RequestHandler {
  const isServerPath = (path: string) => serverPaths.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  return (request, response, next) => {
    const wantsPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !isServerPath(request.path) &&
      extname(request.path) === '' &&
      request.accepts('html') === 'html';
    if (!wantsPage) {
      next();
      return;
    }
    // index.html names the hashed bundles of the current build: never serve a stale one from cache.
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(indexFile);
  };
}

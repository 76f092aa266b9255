import type { IncomingMessage } from 'node:http';
import helmet from 'helmet';

/** A Host header fit to stand in a CSP source: a host name or address and an optional port, nothing else. */
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * `'self'` and the WebSocket origins of the host the page was loaded from. CSP's `'self'` covers `ws:`/`wss:` of
 * the same host only in browsers that implement CSP level 3, so they are named; a Host header that
 * is not a plain host (it is the client's to write) adds nothing.
 */
function sameHostWebSockets(request: IncomingMessage): string {
  const host = request.headers.host ?? '';
  return HOST.test(host) ? `'self' ws://${host} wss://${host}` : "'self'";
}

/**
 * The headers of every HTTP answer, set with helmet (docs/server.md#security-headers): a
 * Content-Security-Policy without inline script (the dashboard's build inlines none: angular.json
 * turns critical-CSS inlining off, whose `onload` handler would be one), no framing, `nosniff`,
 * `Referrer-Policy: no-referrer`. Inline styles stay allowed because Angular adds each component's
 * styles as a `<style>` element. No HSTS and no `upgrade-insecure-requests`: the monitor server
 * speaks plain HTTP and ws://, and whether a deployment is HTTPS-only is the TLS proxy's to say.
 */
export function securityHeaders(): ReturnType<typeof helmet> {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: [sameHostWebSockets],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

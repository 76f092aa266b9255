// Serves an Angular production build as a web server in front of an app would: the files, index.html
// for any other path (client-side routes), and `/ws` upgrades passed through to the Nest app with
// the page's Origin intact, so that the Nest app's allowedOrigins sees what it sees in production.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.ico': 'image/x-icon', '.json': 'application/json', '.svg': 'image/svg+xml' };

/** Starts the server on a free loopback port; resolves to { url, close }. */
export function serveStatic(root, wsTarget, wsPath = '/ws') {
  const server = createServer((request, response) => {
    let path;
    try {
      path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    } catch {
      response.writeHead(400).end('Malformed URL.');
      return;
    }
    let file = join(root, path);
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  const tunnels = new Set();
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url, 'http://x').pathname !== wsPath) return socket.destroy();
    const upstream = connect(wsTarget.port, wsTarget.host, () => {
      const headers = Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`).join('\r\n');
      upstream.write(`${request.method} ${request.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    const closeTunnel = () => {
      upstream.destroy();
      socket.destroy();
      tunnels.delete(closeTunnel);
    };
    tunnels.add(closeTunnel);
    for (const end of [upstream, socket]) {
      end.on('error', closeTunnel);
      end.on('close', closeTunnel);
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => closeServer(server, tunnels) });
    });
  });
}

function closeServer(server, tunnels) {
  for (const closeTunnel of tunnels) closeTunnel();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { onCleanup } from './temp';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'feeds');

/** The bytes of a fixture feed from tests/fixtures/feeds. */
export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export interface FeedServer {
  /** Absolute URL of a path on this server (http://127.0.0.1:PORT/path). */
  url(pathname: string): string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Replaces or adds a route while the server runs. */
  route(pathname: string, handler: Handler): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 serving the routes given (exact path match, query ignored),
 * 404 for the rest. Closed after the test file.
 */
export async function startFeedServer(routes: Record<string, Handler> = {}): Promise<FeedServer> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path: pathname, headers: req.headers, at: Date.now() });
    const handler = table.get(pathname);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      // Handlers that never finish (timeout tests) leave sockets open: end them.
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  onCleanup(close);
  return {
    url: (pathname) => `http://127.0.0.1:${port}${pathname}`,
    requests,
    route: (pathname, handler) => table.set(pathname, handler),
    close,
  };
}

/** A handler serving fixed bytes with headers. */
export function serve(body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/rss+xml; charset=utf-8' }, status = 200): Handler {
  return (_req, res) => {
    res.writeHead(status, headers).end(body);
  };
}

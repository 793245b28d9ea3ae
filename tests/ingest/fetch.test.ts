import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { FetchError, Fetcher, type FetchOptions, type FetchResult, type Validators } from '../../src/ingest/fetch';
import { userAgent } from '../../src/scheduler/scheduler';
import { fixture, serve, startFeedServer, type FeedServer, type Handler } from '../helpers/feed-server';
import { onCleanup } from '../helpers/temp';

const FEED = fixture('cncf-news.xml');
const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };
const NONE: Validators = { etag: null, lastModified: null };
const LAST_MODIFIED = 'Wed, 01 Apr 2026 10:00:00 GMT';
const PACKAGE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string; homepage: string };

const fetchers: Fetcher[] = [];
afterAll(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
});

/** A Fetcher as the scheduler builds it, with small limits so failures show within a second or two. */
function makeFetcher(overrides: Partial<FetchOptions> = {}): Fetcher {
  const fetcher = new Fetcher({
    timeoutMs: 3000,
    connectTimeoutMs: 1000,
    maxBodyBytes: 1_000_000,
    allowPrivateHosts: true,
    userAgent: userAgent(),
    ...overrides,
  });
  fetchers.push(fetcher);
  return fetcher;
}

/** The FetchError a fetch rejected with (fails the test if it resolved or threw something else). */
async function failure(promise: Promise<FetchResult>): Promise<FetchError> {
  let result: FetchResult;
  try {
    result = await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(FetchError);
    return err as FetchError;
  }
  throw new Error(`expected the fetch to fail, it gave ${result.kind} (HTTP ${result.status})`);
}

function okBody(result: FetchResult): Buffer {
  if (result.kind !== 'ok') throw new Error(`expected an ok result, got ${result.kind}`);
  return result.body;
}

function redirect(status: number, location: string): Handler {
  return (_req, res) => {
    res.writeHead(status, { location }).end();
  };
}

/** A handler that sends headers and (optionally) a first part of the body, then never finishes. */
function stall(firstPart: string | null, onRequest?: () => void): Handler {
  return (_req, res) => {
    onRequest?.();
    if (firstPart === null) return;
    res.writeHead(200, { ...RSS, 'content-length': '100000' });
    res.write(firstPart);
  };
}

/** Resolves when undici has received the status line and headers of a request to this path. */
function responseHeadersReceived(pathname: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (message: unknown) => {
      if ((message as { request: { path: string } }).request.path !== pathname) return;
      diagnostics.unsubscribe('undici:request:headers', listener);
      resolve();
    };
    diagnostics.subscribe('undici:request:headers', listener);
  });
}

interface RawServer {
  port: number;
  /** TCP (or TLS) connections accepted. */
  connections: number;
  /** HTTP requests received. */
  requests: number;
}

/** A bare server on the given address that counts connections, closed after the file. */
async function startRawServer(host: string, make: (handler: http.RequestListener) => http.Server | https.Server): Promise<RawServer> {
  const state: RawServer = { port: 0, connections: 0, requests: 0 };
  const sockets = new Set<Socket>();
  const server = make((_req, res) => {
    state.requests++;
    res.writeHead(200, RSS).end(FEED);
  });
  server.on('connection', (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  state.port = (server.address() as AddressInfo).port;
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return state;
}

describe('Fetcher', () => {
  let server: FeedServer;
  let fetcher: Fetcher;

  beforeAll(async () => {
    server = await startFeedServer();
    fetcher = makeFetcher();
  });

  /** Requests the server received for a path, in order. */
  const requestsTo = (pathname: string) => server.requests.filter((r) => r.path === pathname);

  describe('a 200 response', () => {
    it('returns the body, validators and freshness, and identifies itself', async () => {
      server.route(
        '/ok',
        serve(FEED, { ...RSS, etag: '"v1"', 'last-modified': LAST_MODIFIED, 'cache-control': 'public, max-age=600' }),
      );
      const result = await fetcher.fetch(server.url('/ok'), NONE);

      expect(result).toEqual({
        kind: 'ok',
        status: 200,
        finalUrl: server.url('/ok'),
        permanentUrl: null,
        etag: '"v1"',
        lastModified: LAST_MODIFIED,
        cache: { freshForMs: 600_000 },
        contentType: 'application/rss+xml; charset=utf-8',
        body: FEED,
      });
      expect(okBody(result).equals(FEED)).toBe(true);

      const [request] = requestsTo('/ok');
      const ua = request.headers['user-agent'];
      expect(ua).toBe(`FoundationWire/${PACKAGE.version} (+${PACKAGE.homepage})`);
      expect(ua).toMatch(/^FoundationWire\/\d+\.\d+\.\d+\S* \(\+https?:\/\/\S+\)$/);
      const encodings = String(request.headers['accept-encoding']).split(',').map((e) => e.trim());
      expect(encodings).toEqual(expect.arrayContaining(['gzip', 'deflate', 'br']));
      expect(request.headers.accept).toMatch(/application\/rss\+xml/);
      // An unconditional fetch sends no validators.
      expect(request.headers['if-none-match']).toBeUndefined();
      expect(request.headers['if-modified-since']).toBeUndefined();
    });

    it.each([
      ['max-age', { 'cache-control': 'max-age=600' }, 600_000],
      ['max-age=0', { 'cache-control': 'private, max-age=0' }, 0],
      ['no-cache wins over max-age', { 'cache-control': 'no-cache, max-age=600' }, null],
      ['no-store', { 'cache-control': 'no-store' }, null],
      ['Expires relative to Date', { date: 'Wed, 01 Apr 2026 10:00:00 GMT', expires: 'Wed, 01 Apr 2026 10:05:00 GMT' }, 300_000],
      ['Expires in the past', { date: 'Wed, 01 Apr 2026 10:00:00 GMT', expires: 'Wed, 01 Apr 2026 09:00:00 GMT' }, null],
      ['no caching headers', {}, null],
    ] as const)('reads freshness from the headers: %s', async (_label, headers, freshForMs) => {
      const pathname = `/cache/${encodeURIComponent(_label)}`;
      server.route(pathname, serve(FEED, { ...RSS, ...headers }));
      const result = await fetcher.fetch(server.url(pathname), NONE);
      expect(result.cache.freshForMs).toBe(freshForMs);
      expect(result.etag).toBeNull();
      expect(result.lastModified).toBeNull();
    });
  });

  describe('conditional GET', () => {
    beforeAll(() => {
      server.route('/conditional', (req, res) => {
        const headers = { etag: '"v1"', 'last-modified': LAST_MODIFIED, 'cache-control': 'max-age=60' };
        const inm = req.headers['if-none-match'];
        const ims = req.headers['if-modified-since'];
        // RFC 9110 §13.2.2: If-None-Match, when present, decides alone.
        const unchanged = inm !== undefined ? inm === '"v1"' : ims === LAST_MODIFIED;
        if (unchanged) res.writeHead(304, headers).end();
        else res.writeHead(200, { ...RSS, ...headers }).end(FEED);
      });
    });

    it.each([
      ['the ETag', { etag: '"v1"', lastModified: null }, { 'if-none-match': '"v1"', 'if-modified-since': undefined }],
      ['Last-Modified', { etag: null, lastModified: LAST_MODIFIED }, { 'if-none-match': undefined, 'if-modified-since': LAST_MODIFIED }],
      ['both validators', { etag: '"v1"', lastModified: LAST_MODIFIED }, { 'if-none-match': '"v1"', 'if-modified-since': LAST_MODIFIED }],
    ])('sends %s and gets not_modified while it matches', async (_label, validators, sent) => {
      const before = requestsTo('/conditional').length;
      const result = await fetcher.fetch(server.url('/conditional'), validators);

      expect(result).toEqual({
        kind: 'not_modified',
        status: 304,
        finalUrl: server.url('/conditional'),
        permanentUrl: null,
        etag: '"v1"',
        lastModified: LAST_MODIFIED,
        cache: { freshForMs: 60_000 },
      });
      const requests = requestsTo('/conditional').slice(before);
      expect(requests).toHaveLength(1);
      expect(requests[0].headers['if-none-match']).toBe(sent['if-none-match']);
      expect(requests[0].headers['if-modified-since']).toBe(sent['if-modified-since']);
    });

    it('gives the new body and validators when the ETag no longer matches', async () => {
      const result = await fetcher.fetch(server.url('/conditional'), { etag: '"v0"', lastModified: LAST_MODIFIED });
      expect(result).toMatchObject({ kind: 'ok', status: 200, etag: '"v1"', lastModified: LAST_MODIFIED });
      expect(okBody(result).equals(FEED)).toBe(true);
    });
  });

  describe('redirects', () => {
    beforeAll(() => {
      server.route('/final', serve(FEED, { ...RSS, etag: '"final"' }));
      server.route('/p301-308', redirect(301, server.url('/p308')));
      server.route('/p308', redirect(308, server.url('/final')));
      server.route('/t302', redirect(302, server.url('/final')));
      server.route('/t307', redirect(307, server.url('/final')));
      server.route('/t303', redirect(303, server.url('/final')));
      server.route('/p301-302', redirect(301, server.url('/t302-after')));
      server.route('/t302-after', redirect(302, server.url('/final')));
      server.route('/t302-301', redirect(302, server.url('/p301-after')));
      server.route('/p301-after', redirect(301, server.url('/final')));
      // Relative references (RFC 9110 §10.2.2), resolved against the URL of the redirecting response.
      server.route('/rel/start', redirect(301, 'next?x=1'));
      server.route('/rel/next', redirect(302, '../final'));
      server.route('/abs-path', redirect(301, '/final'));
      // /chain?left=N redirects N times (301 each) before answering.
      server.route('/chain', (req, res) => {
        const left = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('left'));
        if (left > 0) res.writeHead(301, { location: `/chain?left=${left - 1}` }).end();
        else res.writeHead(200, RSS).end(FEED);
      });
    });

    it.each([
      ['301 then 308: the final URL is the new address', '/p301-308', () => server.url('/final')],
      ['302: no new address', '/t302', () => null],
      ['307: no new address', '/t307', () => null],
      ['303: no new address', '/t303', () => null],
      ['301 then 302: the address after the 301 only', '/p301-302', () => server.url('/t302-after')],
      ['302 then 301: no new address (the first hop was temporary)', '/t302-301', () => null],
      ['a root-relative Location', '/abs-path', () => server.url('/final')],
    ])('%s', async (_label, start, permanentUrl) => {
      const result = await fetcher.fetch(server.url(start), NONE);
      expect(result).toMatchObject({ kind: 'ok', status: 200, finalUrl: server.url('/final'), permanentUrl: permanentUrl(), etag: '"final"' });
      expect(okBody(result).equals(FEED)).toBe(true);
    });

    it('resolves path-relative Location headers against the redirecting URL', async () => {
      const result = await fetcher.fetch(server.url('/rel/start'), NONE);
      expect(result).toMatchObject({ kind: 'ok', finalUrl: server.url('/final'), permanentUrl: server.url('/rel/next?x=1') });
    });

    it('follows exactly 5 redirects', async () => {
      const before = requestsTo('/chain').length;
      const result = await fetcher.fetch(server.url('/chain?left=5'), NONE);
      expect(result).toMatchObject({ kind: 'ok', status: 200, finalUrl: server.url('/chain?left=0'), permanentUrl: server.url('/chain?left=0') });
      expect(requestsTo('/chain').length - before).toBe(6);
    });

    it('refuses a 6th redirect without following it', async () => {
      const before = requestsTo('/chain').length;
      const err = await failure(fetcher.fetch(server.url('/chain?left=6'), NONE));
      expect(err.errorClass).toBe('too_many_redirects');
      expect(err.message).toBe('fetch: more than 5 redirects, last to /chain?left=0');
      expect(err.details.status).toBe(301);
      // The 6th Location was not requested.
      expect(requestsTo('/chain').length - before).toBe(6);
    });

    it('honours a smaller maxRedirects', async () => {
      const strict = makeFetcher({ maxRedirects: 1 });
      await expect(strict.fetch(server.url('/t302'), NONE)).resolves.toMatchObject({ kind: 'ok' });
      const err = await failure(strict.fetch(server.url('/p301-308'), NONE));
      expect(err.errorClass).toBe('too_many_redirects');
      expect(err.message).toMatch(/more than 1 redirects/);
    });
  });

  describe('HTTP errors', () => {
    it('429 with Retry-After in seconds → rate_limited, retryAfterMs', async () => {
      server.route('/429', serve('slow down', { 'retry-after': '120' }, 429));
      const err = await failure(fetcher.fetch(server.url('/429'), NONE));
      expect(err.errorClass).toBe('rate_limited');
      expect(err.code).toBe('FETCH_RATE_LIMITED');
      expect(err.details).toEqual({ status: 429, retryAfterMs: 120_000 });
      expect(err.message).toBe('fetch: HTTP 429 Too Many Requests; asked to retry after 120 s');
    });

    it('429 without Retry-After → rate_limited, no retryAfterMs', async () => {
      server.route('/429-bare', serve('slow down', {}, 429));
      const err = await failure(fetcher.fetch(server.url('/429-bare'), NONE));
      expect(err.errorClass).toBe('rate_limited');
      expect(err.details.retryAfterMs).toBeUndefined();
      expect(err.message).toBe('fetch: HTTP 429 Too Many Requests');
    });

    it('503 with an HTTP-date Retry-After → unavailable, retryAfterMs until that date', async () => {
      // HTTP dates have whole seconds: two minutes from now, truncated.
      const at = new Date(Date.now() + 120_000).toUTCString();
      server.route('/503', serve('maintenance', { 'retry-after': at }, 503));
      const err = await failure(fetcher.fetch(server.url('/503'), NONE));
      expect(err.errorClass).toBe('unavailable');
      expect(err.details.status).toBe(503);
      expect(err.details.retryAfterMs).toBeGreaterThan(100_000);
      expect(err.details.retryAfterMs).toBeLessThanOrEqual(120_000);
      expect(err.message).toMatch(/^fetch: HTTP 503 Service Unavailable; asked to retry after (1[01]\d|120) s$/);
    });

    it('503 with a Retry-After date in the past → retryAfterMs 0', async () => {
      server.route('/503-past', serve('maintenance', { 'retry-after': 'Wed, 01 Apr 2020 10:00:00 GMT' }, 503));
      const err = await failure(fetcher.fetch(server.url('/503-past'), NONE));
      expect(err.errorClass).toBe('unavailable');
      expect(err.details.retryAfterMs).toBe(0);
    });

    it.each([
      [404, 'fetch: HTTP 404 Not Found'],
      [410, 'fetch: HTTP 410 Gone'],
      [500, 'fetch: HTTP 500 Internal Server Error'],
    ])('%i → http with the status in the message', async (status, message) => {
      server.route(`/status/${status}`, serve('nope', { 'content-type': 'text/plain' }, status));
      const err = await failure(fetcher.fetch(server.url(`/status/${status}`), NONE));
      expect(err.errorClass).toBe('http');
      expect(err.details).toEqual({ status });
      expect(err.message).toBe(message);
    });
  });

  describe('timeouts', () => {
    it.each([
      ['headers and part of the body, then nothing', '<?xml version="1.0"?><rss><channel>'],
      ['no response at all', null],
    ])('%s → timeout within a couple of seconds', async (_label, firstPart) => {
      const pathname = `/stall/${firstPart === null ? 'headers' : 'body'}`;
      server.route(pathname, stall(firstPart));
      const quick = makeFetcher({ timeoutMs: 300 });
      const started = Date.now();
      const err = await failure(quick.fetch(server.url(pathname), NONE));
      expect(Date.now() - started).toBeLessThan(2500);
      expect(err.errorClass).toBe('timeout');
      expect(err.message).toBe('fetch: no complete response within 300 ms');
    });

    it('still fetches from the same origin after a timeout', async () => {
      server.route('/stall/again', stall('<rss>'));
      server.route('/after-stall', serve(FEED));
      const quick = makeFetcher({ timeoutMs: 300 });
      expect((await failure(quick.fetch(server.url('/stall/again'), NONE))).errorClass).toBe('timeout');
      const result = await quick.fetch(server.url('/after-stall'), NONE);
      expect(okBody(result).equals(FEED)).toBe(true);
    });
  });

  describe('body size cap', () => {
    const CAP = 10_000;
    let capped: Fetcher;

    beforeAll(() => {
      capped = makeFetcher({ maxBodyBytes: CAP });
      // Chunked (no Content-Length): 50 chunks of 1000 bytes.
      server.route('/big/chunked', async (_req, res) => {
        res.writeHead(200, RSS);
        for (let i = 0; i < 50 && !res.destroyed; i++) {
          await new Promise<void>((resolve) => res.write(Buffer.alloc(1000, 0x61), () => resolve()));
        }
        res.end();
      });
      server.route('/big/declared', serve(Buffer.alloc(50_000, 0x61), { ...RSS, 'content-length': '50000' }));
      const bomb = zlib.gzipSync(Buffer.alloc(5_000_000, 0x61));
      server.route('/big/gzip-bomb', serve(bomb, { ...RSS, 'content-encoding': 'gzip', 'content-length': String(bomb.length) }));
      server.route('/big/exact', serve(Buffer.alloc(CAP, 0x61), RSS));
      server.route('/big/exact-chunked', (_req, res) => {
        res.writeHead(200, RSS);
        res.write(Buffer.alloc(CAP - 1, 0x61));
        res.end(Buffer.from('b'));
      });
      server.route('/big/one-over', serve(Buffer.alloc(CAP + 1, 0x61), RSS));
      const gzippedExact = zlib.gzipSync(Buffer.alloc(CAP, 0x61));
      server.route('/big/gzip-exact', serve(gzippedExact, { ...RSS, 'content-encoding': 'gzip' }));
    });

    it('checks the gzip bomb really is small on the wire', () => {
      expect(zlib.gzipSync(Buffer.alloc(5_000_000, 0x61)).length).toBeLessThan(CAP);
    });

    it.each([
      ['chunked, no Content-Length, 50 000 bytes', '/big/chunked'],
      ['Content-Length: 50000 declared', '/big/declared'],
      ['gzip, small on the wire, 5 MB decompressed', '/big/gzip-bomb'],
      ['one byte over the cap', '/big/one-over'],
    ])('%s → too_large', async (_label, pathname) => {
      const err = await failure(capped.fetch(server.url(pathname), NONE));
      expect(err.errorClass).toBe('too_large');
      expect(err.details.status).toBe(200);
      expect(err.message).toBe(`fetch: the response is larger than the limit of ${CAP} bytes (FETCH_MAX_BODY_BYTES)`);
    });

    it.each([
      ['Content-Length equal to the cap', '/big/exact'],
      ['chunked, exactly the cap', '/big/exact-chunked'],
      ['gzip, exactly the cap decompressed', '/big/gzip-exact'],
    ])('accepts a body of exactly the cap: %s', async (_label, pathname) => {
      const body = okBody(await capped.fetch(server.url(pathname), NONE));
      expect(body.length).toBe(CAP);
    });

    it('still fetches from the same origin after refusing a body', async () => {
      expect((await failure(capped.fetch(server.url('/big/chunked'), NONE))).errorClass).toBe('too_large');
      const body = okBody(await capped.fetch(server.url('/big/exact'), NONE));
      expect(body.length).toBe(CAP);
    });
  });

  describe('content encodings', () => {
    const ORIGINAL = Buffer.concat([FEED, Buffer.from('<!-- ' + 'é'.repeat(2000) + ' -->')]);

    it.each([
      ['gzip', (b: Buffer) => zlib.gzipSync(b)],
      ['deflate', (b: Buffer) => zlib.deflateSync(b)],
      ['br', (b: Buffer) => zlib.brotliCompressSync(b)],
    ])('decompresses %s', async (encoding, compress) => {
      const encoded = compress(ORIGINAL);
      expect(encoded.equals(ORIGINAL)).toBe(false);
      server.route(`/encoded/${encoding}`, serve(encoded, { ...RSS, 'content-encoding': encoding, 'content-length': String(encoded.length) }));
      const result = await fetcher.fetch(server.url(`/encoded/${encoding}`), NONE);
      expect(result).toMatchObject({ kind: 'ok', status: 200 });
      expect(okBody(result).equals(ORIGINAL)).toBe(true);
    });
  });

  describe('private-address guard', () => {
    let v4: RawServer;
    let v6: RawServer;
    let guarded: Fetcher;

    beforeAll(async () => {
      v4 = await startRawServer('127.0.0.1', (h) => http.createServer(h));
      v6 = await startRawServer('::1', (h) => http.createServer(h));
      guarded = makeFetcher({ allowPrivateHosts: false });
    });

    // The URL, and the start of the refusal (after "fetch: "): literal hosts as WHATWG URL parsing rewrote them.
    it.each([
      ['a literal 127.0.0.1', () => `http://127.0.0.1:${v4.port}/feed`, '127.0.0.1 is not a globally reachable address (loopback)'],
      ['localhost (resolved, then refused)', () => `http://localhost:${v4.port}/feed`, 'localhost resolves to 127.0.0.1, which is not a globally reachable address (loopback)'],
      ['127.0.0.1 written as one decimal number', () => `http://2130706433:${v4.port}/feed`, '127.0.0.1 is not'],
      ['127.0.0.1 written in octal', () => `http://0177.0.0.1:${v4.port}/feed`, '127.0.0.1 is not'],
      ['127.0.0.1 written in hex, short', () => `http://0x7f.1:${v4.port}/feed`, '127.0.0.1 is not'],
      ['127.0.0.1 written short', () => `http://127.1:${v4.port}/feed`, '127.0.0.1 is not'],
      ['IPv4-mapped IPv6 ::ffff:127.0.0.1', () => `http://[::ffff:127.0.0.1]:${v4.port}/feed`, '::ffff:7f00:1 is not a globally reachable address (IPv4-mapped form of 127.0.0.1, loopback)'],
      ['IPv4-compatible IPv6 ::127.0.0.1', () => `http://[::127.0.0.1]:${v4.port}/feed.xml`, '::7f00:1 is not a globally reachable address (IPv4-compatible form of 127.0.0.1, loopback)'],
      ['6to4 of loopback', () => `http://[2002:7f00:1::]:${v4.port}/feed`, '2002:7f00:1:: is not a globally reachable address (6to4 form of 127.0.0.1, loopback)'],
      ['NAT64 of loopback', () => `http://[64:ff9b::127.0.0.1]:${v4.port}/feed`, '64:ff9b::7f00:1 is not a globally reachable address (NAT64 form of 127.0.0.1, loopback)'],
      ['NAT64 local-use prefix', () => `http://[64:ff9b:1::a00:1]:${v4.port}/feed`, '64:ff9b:1::a00:1 is not a globally reachable address (local-use NAT64'],
      ['discard-only 100::1', () => `http://[100::1]:${v4.port}/feed`, '100::1 is not a globally reachable address (discard)'],
      ['documentation 2001:db8::1', () => `http://[2001:db8::1]:${v4.port}/feed`, '2001:db8::1 is not a globally reachable address (reserved)'],
      ['TEST-NET-1 192.0.2.1', () => `http://192.0.2.1:${v4.port}/feed`, '192.0.2.1 is not a globally reachable address (reserved)'],
      ['0.0.0.0', () => `http://0.0.0.0:${v4.port}/feed`, '0.0.0.0 is not a globally reachable address (unspecified)'],
      ['[::1] with a server listening there', () => `http://[::1]:${v6.port}/`, '::1 is not a globally reachable address (loopback)'],
      ['[::1] on a port nothing listens to on ::1', () => `http://[::1]:${v4.port}/`, '::1 is not'],
    ])('refuses %s before connecting', async (_label, url, message) => {
      const before = { v4: v4.connections, v6: v6.connections, requests: v4.requests + v6.requests };
      const err = await failure(guarded.fetch(url(), NONE));
      expect(err.errorClass).toBe('blocked_host');
      expect(err.code).toBe('FETCH_BLOCKED_HOST');
      expect(err.message.startsWith(`fetch: ${message}`)).toBe(true);
      expect(err.message).toContain('FETCH_ALLOW_PRIVATE_HOSTS');
      expect({ v4: v4.connections, v6: v6.connections, requests: v4.requests + v6.requests }).toEqual(before);
    });

    it.each([
      ['127.0.0.1', () => `http://127.0.0.1:${v4.port}/feed`],
      ['localhost', () => `http://localhost:${v4.port}/feed`],
      ['[::1]', () => `http://[::1]:${v6.port}/feed`],
      ['[::ffff:127.0.0.1], reaching 127.0.0.1', () => `http://[::ffff:7f00:1]:${v4.port}/feed`],
    ])('fetches %s when private hosts are allowed', async (_label, url) => {
      const result = await fetcher.fetch(url(), NONE);
      expect(result).toMatchObject({ kind: 'ok', status: 200, finalUrl: url() });
      expect(okBody(result).equals(FEED)).toBe(true);
    });

    it('lets [::127.0.0.1] through to the network when private hosts are allowed', async () => {
      // Whether an IPv4-compatible address reaches 127.0.0.1 is the platform's business (Linux
      // answers EHOSTUNREACH); the guard's part is not to refuse it.
      const outcome = await fetcher.fetch(`http://[::127.0.0.1]:${v4.port}/feed.xml`, NONE).then(
        (result) => result.kind,
        (err: FetchError) => err.errorClass,
      );
      expect(['ok', 'connection', 'timeout']).toContain(outcome);
    });
  });

  describe('unusable URLs', () => {
    it.each([
      ['ftp://example.org/feed', 'fetch: ftp URLs are not fetched, only http and https (ftp://example.org/feed)'],
      ['file:///etc/passwd', 'fetch: file URLs are not fetched, only http and https (file:///etc/passwd)'],
      ['not a url', 'fetch: "not a url" is not an absolute URL'],
      ['/feed.xml', 'fetch: "/feed.xml" is not an absolute URL'],
    ])('%s → bad_url', async (url, message) => {
      const err = await failure(fetcher.fetch(url, NONE));
      expect(err.errorClass).toBe('bad_url');
      expect(err.code).toBe('FETCH_BAD_URL');
      expect(err.message).toBe(message);
    });
  });

  describe('network failures', () => {
    it.each([true, false])('a name that does not resolve → dns (allowPrivateHosts %s)', async (allowPrivateHosts) => {
      const client = makeFetcher({ allowPrivateHosts });
      const err = await failure(client.fetch('http://does-not-exist.invalid/feed', NONE));
      expect(err.errorClass).toBe('dns');
      expect(err.message).toMatch(/^fetch: the host name cannot be resolved \(.*does-not-exist\.invalid.*\)$/);
    });

    it('a refused connection → connection', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const err = await failure(fetcher.fetch(`http://127.0.0.1:${port}/feed`, NONE));
      expect(err.errorClass).toBe('connection');
      expect(err.message).toMatch(/^fetch: connection failed: .*ECONNREFUSED/);
    });

    it('a self-signed certificate → tls, and no HTTP request is made', async () => {
      const dir = path.join(__dirname, '..', 'fixtures', 'tls');
      const tlsServer = await startRawServer('127.0.0.1', (h) =>
        https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, h),
      );
      const err = await failure(fetcher.fetch(`https://localhost:${tlsServer.port}/feed`, NONE));
      expect(err.errorClass).toBe('tls');
      expect(err.code).toBe('FETCH_TLS');
      expect(err.message).toMatch(/^fetch: TLS failed: .*self[- ]signed/i);
      expect(tlsServer.connections).toBeGreaterThan(0);
      expect(tlsServer.requests).toBe(0);
    });
  });

  describe('cancellation', () => {
    it.each([
      ['while waiting for the response headers', null],
      ['after the headers, while the body streams in', '<?xml version="1.0"?><rss><channel>'],
    ])('an external AbortSignal aborted %s rejects promptly', async (_label, firstPart) => {
      const pathname = `/cancel/${firstPart === null ? 'headers' : 'body'}`;
      let received!: () => void;
      const requested = new Promise<void>((resolve) => (received = resolve));
      server.route(pathname, stall(firstPart, () => received()));
      // The client has the status line and headers: the fetch is now reading the body.
      const headersIn = firstPart === null ? null : responseHeadersReceived(pathname);
      // A total timeout far beyond the test's bound: only the caller's signal can end this fetch.
      const patient = makeFetcher({ timeoutMs: 15_000 });
      const controller = new AbortController();
      const pending = failure(patient.fetch(server.url(pathname), NONE, controller.signal));
      await requested;
      await headersIn;
      const abortedAt = Date.now();
      controller.abort();
      const err = await pending;
      expect(Date.now() - abortedAt).toBeLessThan(1000);
      expect(err.errorClass).toBe('timeout');
      expect(err.message).toBe('fetch: the fetch was cancelled');
    });

    it('an already aborted signal rejects without any request', async () => {
      server.route('/cancel/early', serve(FEED));
      const controller = new AbortController();
      controller.abort();
      const err = await failure(fetcher.fetch(server.url('/cancel/early'), NONE, controller.signal));
      expect(err.message).toBe('fetch: the fetch was cancelled');
      expect(requestsTo('/cancel/early')).toHaveLength(0);
    });
  });
});

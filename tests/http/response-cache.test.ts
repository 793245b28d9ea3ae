import type http from 'node:http';
import pino from 'pino';
import { ArticlesVersion, publicMaxAge, ResponseCache } from '../../src/http/response-cache';

/**
 * The response cache on its own: what it keys, keeps, serves and drops, with a clock of its own
 * (no waiting). Over HTTP with Apollo: tests/graphql/cache.e2e.test.ts.
 */

const request = (method: string, headers: http.IncomingHttpHeaders = {}) => ({ method, headers }) as http.IncomingMessage;

/** A ServerResponse that records what is written to it. */
function recorder() {
  const written: { status?: number; headers?: string[]; body?: Buffer } = {};
  const res = {
    writeHead(status: number, headers: string[]) {
      written.status = status;
      written.headers = headers;
      return res;
    },
    end(body: Buffer) {
      written.body = body;
    },
  };
  return { res: res as unknown as http.ServerResponse, written };
}

const APOLLO_HEADERS = ['cache-control', 'max-age=30, public', 'content-type', 'application/json; charset=utf-8', 'content-length', '11'];
const body = (text = '{"data":{}}') => Buffer.from(text);

function cacheAt(clock: { now: number }, options: ConstructorParameters<typeof ResponseCache>[0] = {}) {
  return new ResponseCache({ now: () => clock.now, ...options });
}

describe('keys', () => {
  const cache = new ResponseCache();

  it('keys a GET on its query string and a POST on its JSON object body', () => {
    expect(cache.keyOf(request('GET'), '?query=%7B+a+%7D', '')).not.toBeNull();
    expect(cache.keyOf(request('GET'), '?query=%7B+a+%7D', '')).not.toBe(cache.keyOf(request('GET'), '?query=%7B+b+%7D', ''));
    const post = request('POST', { 'content-type': 'application/json' });
    expect(cache.keyOf(post, '', ' \n{"query":"{ a }"}')).not.toBeNull();
    expect(cache.keyOf(post, '', '{"query":"{ a }"}')).not.toBe(cache.keyOf(post, '', '{"query":"{ a }","variables":{"n":1}}'));
  });

  it.each([
    ['PUT', { 'content-type': 'application/json' }, '{"query":"{ a }"}'],
    ['POST', { 'content-type': 'text/plain' }, '{"query":"{ a }"}'],
    ['POST', {}, '{"query":"{ a }"}'],
    ['POST', { 'content-type': 'application/json' }, '[{"query":"{ a }"}]'],
    ['POST', { 'content-type': 'application/json' }, ''],
  ])('does not key a %s with %j and body %j', (method, headers, text) => {
    expect(cache.keyOf(request(method, headers), '', text)).toBeNull();
  });

  it('keeps apart GET and POST, and requests that differ in accept, content-type or a preflight header', () => {
    const keys = [
      cache.keyOf(request('GET'), '?query=q', ''),
      cache.keyOf(request('GET', { accept: 'application/graphql-response+json' }), '?query=q', ''),
      cache.keyOf(request('GET', { 'apollo-require-preflight': 'true' }), '?query=q', ''),
      cache.keyOf(request('GET', { 'content-type': 'application/json' }), '?query=q', ''),
      cache.keyOf(request('POST', { 'content-type': 'application/json' }), '?query=q', '{"query":"q"}'),
      cache.keyOf(request('POST', { 'content-type': 'application/json; charset=utf-8' }), '?query=q', '{"query":"q"}'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('publicMaxAge', () => {
  it.each([
    ['max-age=30, public', 30],
    ['public, max-age=5', 5],
    ['max-age=0, public', 0],
    ['max-age=30', 0],
    ['max-age=30, private', 0],
    ['no-store', 0],
    ['private, no-cache, must-revalidate', 0],
    ['max-age=abc, public', 0],
    [undefined, 0],
  ])('%j → %d', (header, expected) => {
    expect(publicMaxAge(header)).toBe(expected);
  });
});

describe('entries', () => {
  it('serves what it kept, with Age and x-cache, until it expires', () => {
    const clock = { now: 1_000_000 };
    const cache = cacheAt(clock);
    cache.offer('k', 7, 200, APOLLO_HEADERS, body());
    clock.now += 2500;
    const { res, written } = recorder();
    expect(cache.serve('k', 7, res)).toBe(true);
    expect(written).toEqual({ status: 200, headers: [...APOLLO_HEADERS, 'age', '2', 'x-cache', 'HIT'], body: body() });
    clock.now += 27_499;
    expect(cache.serve('k', 7, recorder().res)).toBe(true);
    clock.now += 1;
    expect(cache.serve('k', 7, recorder().res)).toBe(false);
    expect(cache.stats().entries).toBe(0);
  });

  it('serves an entry only at the articles version it was computed from', () => {
    const cache = new ResponseCache();
    cache.offer('k', 7, 200, APOLLO_HEADERS, body());
    expect(cache.serve('k', 8, recorder().res)).toBe(false);
    // Dropped: versions only grow.
    expect(cache.serve('k', 7, recorder().res)).toBe(false);
  });

  it.each([
    ['a status other than 200', 400, APOLLO_HEADERS, '{"data":{}}'],
    ['no public max-age', 200, ['cache-control', 'no-store'], '{"data":{}}'],
    ['max-age 0', 200, ['cache-control', 'max-age=0, public'], '{"data":{}}'],
    ['private', 200, ['cache-control', 'max-age=30, private'], '{"data":{}}'],
    ['errors in the body', 200, APOLLO_HEADERS, '{"errors":[{"message":"x"}],"data":null}'],
  ])('keeps nothing with %s', (_name, status, headers, text) => {
    const cache = new ResponseCache();
    cache.offer('k', 1, status, headers, body(text));
    expect(cache.stats().entries).toBe(0);
  });

  it('keeps a body that mentions errors inside a string', () => {
    const cache = new ResponseCache();
    cache.offer('k', 1, 200, APOLLO_HEADERS, body(JSON.stringify({ data: { title: '"errors": none' } })));
    expect(cache.stats().entries).toBe(1);
  });

  it('drops the least recently used entry past maxEntries', () => {
    const cache = new ResponseCache({ maxEntries: 2 });
    cache.offer('a', 1, 200, APOLLO_HEADERS, body());
    cache.offer('b', 1, 200, APOLLO_HEADERS, body());
    expect(cache.serve('a', 1, recorder().res)).toBe(true);
    cache.offer('c', 1, 200, APOLLO_HEADERS, body());
    expect(cache.stats().entries).toBe(2);
    expect(cache.serve('b', 1, recorder().res)).toBe(false);
    expect(cache.serve('a', 1, recorder().res)).toBe(true);
    expect(cache.serve('c', 1, recorder().res)).toBe(true);
  });

  it('holds no more than maxBytes, and keeps no entry larger than maxEntryBytes', () => {
    const cache = new ResponseCache({ maxBytes: 10_000, maxEntryBytes: 5_000 });
    for (let i = 0; i < 10; i++) cache.offer(`k${i}`, 1, 200, APOLLO_HEADERS, body(`{"data":"${'x'.repeat(2000)}"}`));
    expect(cache.stats().bytes).toBeLessThanOrEqual(10_000);
    expect(cache.stats().entries).toBeGreaterThan(0);
    expect(cache.serve('k9', 1, recorder().res)).toBe(true);
    expect(cache.serve('k0', 1, recorder().res)).toBe(false);
    cache.offer('big', 1, 200, APOLLO_HEADERS, body(`{"data":"${'x'.repeat(6000)}"}`));
    expect(cache.serve('big', 1, recorder().res)).toBe(false);
  });

  it('replaces an entry offered again', () => {
    const cache = new ResponseCache();
    cache.offer('k', 1, 200, APOLLO_HEADERS, body('{"data":1}'));
    cache.offer('k', 2, 200, APOLLO_HEADERS, body('{"data":2}'));
    const { res, written } = recorder();
    expect(cache.serve('k', 2, res)).toBe(true);
    expect(written.body!.toString()).toBe('{"data":2}');
    expect(cache.stats().entries).toBe(1);
  });
});

describe('ArticlesVersion', () => {
  const logs: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logs.push(line) });

  it('reads the version when it starts, follows it, and knows none once stopped', async () => {
    let version = 3;
    const watcher = new ArticlesVersion(async () => version, log, 10);
    expect(watcher.current()).toBeNull();
    await watcher.start();
    expect(watcher.current()).toBe(3);
    version = 4;
    for (let i = 0; i < 200 && watcher.current() !== 4; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(watcher.current()).toBe(4);
    watcher.stop();
    expect(watcher.current()).toBeNull();
  });

  it('knows no version while reads fail (the cache is bypassed), logs that once, and recovers', async () => {
    logs.length = 0;
    let failing = true;
    let reads = 0;
    const watcher = new ArticlesVersion(
      async () => {
        reads++;
        if (failing) throw new Error('database is locked');
        return 9;
      },
      log,
      5,
    );
    await watcher.start();
    expect(watcher.current()).toBeNull();
    for (let i = 0; i < 200 && reads < 4; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(watcher.current()).toBeNull();
    expect(logs.filter((line) => /unable to read the articles version/.test(line))).toHaveLength(1);
    failing = false;
    for (let i = 0; i < 200 && watcher.current() !== 9; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(watcher.current()).toBe(9);
    watcher.stop();
  });
});

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { apiOptionsOf } from '../../src/graphql/apollo';
import { EXAMPLE_OPERATIONS } from '../../src/graphql/examples';
import { executorThread, pooledExecutor } from '../../src/graphql/executor';
import { MIGRATIONS_DIR } from '../../src/paths';
import { openPooledStore, type PooledSqliteStore } from '../../src/store/sqlite/pooled-store';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { demoStore } from '../helpers/demo';
import { startTestServer, type TestServer } from '../helpers/server';
import { onCleanup } from '../helpers/temp';

// The threads load dist/graphql/executor-thread.js: `npm test` builds first (`npm run build` by hand).

/**
 * GraphQL requests run whole in the read pool's threads (graphql/executor-thread.ts), as `serve`
 * runs them: the answers are those of Apollo on the main thread over the same database, byte for
 * byte, errors included; a request past its budget is stopped and answered QUERY_TIMEOUT.
 */
const silent = pino({ level: 'silent' });
const config = { ...loadConfig({}), cacheMaxAgeSeconds: 0 };

async function openThreads(direct: SqliteStore, options: { readWorkers: number; queryTimeoutMs: number }): Promise<PooledSqliteStore> {
  const thread = executorThread({ api: apiOptionsOf({ ...config, queryTimeoutMs: options.queryTimeoutMs }), logLevel: 'silent', logDestination: 2 });
  const pooled = await openPooledStore(
    { path: direct.db.name, busyTimeoutMs: 1000, migrationsDir: MIGRATIONS_DIR, fetchLogRetentionMs: 86_400_000, thread, ...options },
    silent,
  );
  onCleanup(() => pooled.close());
  return pooled;
}

async function post(api: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), text: await res.text() };
}

const SCENARIOS = path.join(__dirname, '..', '..', 'bench', 'scenarios');
const REQUESTS: [string, unknown][] = [
  ...EXAMPLE_OPERATIONS.filter((e) => !/^\s*(#.*\n\s*)*subscription\b/.test(e.query)).map(
    (e) => [`explorer tab "${e.name}"`, { query: e.query, variables: e.variables ? JSON.parse(e.variables) : undefined }] as [string, unknown],
  ),
  ...fs.readdirSync(SCENARIOS).map((f) => [`benchmark ${f}`, { query: fs.readFileSync(path.join(SCENARIOS, f), 'utf8') }] as [string, unknown]),
  ['a bad argument (BAD_USER_INPUT)', { query: '{ articles(first: -1) { nodes { title } } }' }],
  ['a bad variable', { query: 'query ($n: Int) { articles(first: $n) { totalCount } }', variables: { n: 'many' } }],
  ['an unknown field (validation)', { query: '{ articles { nope } }' }],
  ['a syntax error', { query: '{ articles(' }],
  ['a document over the cost limit', { query: '{ companies(first: 100) { nodes { articles(first: 100) { nodes { companies { articles(first: 100) { totalCount } } } } } } }' }],
  ['no query', { variables: {} }],
  ['a subscription over HTTP', { query: 'subscription { articleAdded { title } }' }],
  ['an unknown persisted query', { extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } }],
  ['several operations, the second named', { query: 'query A { foundations { totalCount } } query B { companies { totalCount } }', operationName: 'B' }],
];

describe('GraphQL in the read threads', () => {
  let direct: SqliteStore;
  let here: TestServer;
  let threads: TestServer;
  let pooled: PooledSqliteStore;

  beforeAll(async () => {
    ({ store: direct } = await demoStore());
    pooled = await openThreads(direct, { readWorkers: 2, queryTimeoutMs: 10_000 });
    here = await startTestServer(direct);
    threads = await startTestServer(pooled, { execute: pooledExecutor(pooled.pool) });
  });

  it.each(REQUESTS)('answers %s as Apollo on the main thread does', async (_, body) => {
    const [expected, actual] = [await post(here, body), await post(threads, body)];
    expect(actual).toEqual(expected);
    expect(actual.text.length).toBeGreaterThan(20);
  });

  it('reports to /metrics what each request came to, as the main thread does', async () => {
    const counts = async (api: TestServer) =>
      (await (await fetch(`${api.server.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('foundation_wire_graphql_requests_total{')).sort();
    const [expected, actual] = [await counts(here), await counts(threads)];
    expect(actual).toEqual(expected);
    expect(actual.length).toBeGreaterThan(5);
    expect(actual.some((l) => l.includes('outcome="BAD_USER_INPUT"'))).toBe(true);
  });

  it('answers GET queries, with Apollo’s CSRF prevention, as the main thread does', async () => {
    const search = `?query=${encodeURIComponent('{ foundation(slug: "cncf") { name tiers } }')}`;
    for (const headers of [{ 'apollo-require-preflight': 'true' }, {} as Record<string, string>]) {
      const [expected, actual] = await Promise.all(
        [here, threads].map(async (api) => {
          const res = await fetch(`${api.server.url}/graphql${search}`, { headers });
          return { status: res.status, text: await res.text() };
        }),
      );
      expect(actual).toEqual(expected);
    }
    const refused = await fetch(`${threads.server.url}/graphql${search}`);
    expect(refused.status).toBe(400);
  });

  it('knows a persisted query registered through one thread in every thread, on POST and GET', async () => {
    const query = '{ foundation(slug: "openssf") { slug name } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    const registered = await post(threads, { query, extensions });
    expect(JSON.parse(registered.text).data.foundation.slug).toBe('openssf');
    // Concurrent requests land on both threads; each has only the hash.
    const answers = await Promise.all(Array.from({ length: 12 }, () => post(threads, { extensions })));
    for (const a of answers) expect(a.text).toBe(registered.text);
    const search = `?extensions=${encodeURIComponent(JSON.stringify(extensions))}`;
    const gets = await Promise.all(
      Array.from({ length: 6 }, async () => (await fetch(`${threads.server.url}/graphql${search}`, { headers: { 'apollo-require-preflight': 'true' } })).text()),
    );
    for (const text of gets) expect(text).toBe(registered.text);
    // A hash whose document was never sent is still unknown.
    const unknown = await post(threads, { extensions: { persistedQuery: { version: 1, sha256Hash: 'cd'.repeat(32) } } });
    expect(JSON.parse(unknown.text).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('answers 400 for a request too deeply nested to hand to a thread, and goes on serving', async () => {
    const deep = `{"query":"{ __typename }","variables":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    const res = await post(threads, deep);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringContaining('nested too deeply') });
    expect(JSON.parse((await post(threads, { query: '{ __typename }' })).text).data).toEqual({ __typename: 'Query' });
  });

  it('spreads concurrent requests over the threads, each answered whole', async () => {
    const query = fs.readFileSync(path.join(SCENARIOS, 'articles.graphql'), 'utf8');
    const expected = (await post(here, { query })).text;
    const answers = await Promise.all(Array.from({ length: 24 }, () => post(threads, { query })));
    for (const a of answers) expect(a.text).toBe(expected);
    expect(pooled.stats()).toMatchObject({ workers: 2, busy: 0, queued: 0 });
  });
});

describe('GraphQL in the read threads: time budget', () => {
  it('answers QUERY_TIMEOUT for a request whose thread runs past the budget, and the next request is answered', async () => {
    const { store: direct } = await demoStore();
    const pooled = await openThreads(direct, { readWorkers: 1, queryTimeoutMs: 300 });
    const execute = pooledExecutor(pooled.pool);
    const api = await startTestServer(pooled, {
      // The first request holds its thread in a native call (as a slow statement would), past the
      // budget and the grace the executor gets to answer it itself.
      execute: async (request) => {
        if (request.headers.some(([name]) => name === 'x-test-stall')) await pooled.pool.call('__sleep', [5_000], { graceMs: 250 });
        return execute(request);
      },
    });
    const stalling = Array.from({ length: 4 }, () => post(api, { query: '{ foundations { totalCount } }' }, { 'x-test-stall': '1' }));
    // Queued behind them on the one thread (each runs 550 ms at least) for longer than the budget
    // and a second: refused with 503 and Retry-After, not left to wait.
    await new Promise((r) => setTimeout(r, 50));
    const queued = await post(api, { query: '{ foundations { totalCount } }' });
    const stalled = await stalling[0];
    await Promise.all(stalling);
    expect(stalled.status).toBe(200);
    expect(JSON.parse(stalled.text)).toEqual({
      errors: [
        {
          message: 'the query ran longer than the limit of 300 ms (QUERY_TIMEOUT): ask for fewer or smaller pages, or a narrower filter',
          extensions: { code: 'QUERY_TIMEOUT', maximumMs: 300 },
        },
      ],
    });
    expect(queued.status).toBe(503);
    expect(JSON.parse(queued.text).errors[0]).toMatchObject({ extensions: { code: 'SERVER_BUSY' } });
    const next = await post(api, { query: '{ foundations { totalCount } }' });
    expect(JSON.parse(next.text).data.foundations.totalCount).toBeGreaterThan(10);
    expect(pooled.stats()).toMatchObject({ workers: 1, queued: 0 });
    expect(pooled.stats().timeouts).toBeGreaterThanOrEqual(1);
  });
});

import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { buildArticle, buildFeed } from '../helpers/builders';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';

/**
 * HTTP caching over the real server and a real SQLite file: Cache-Control hints, the in-memory
 * response cache in front of Apollo (keyed on the request and the articles' version), its
 * invalidation, and automatic persisted queries. The cache reads the articles' version every 100 ms:
 * tests that change the data ask again until the change shows (bounded), and time nothing.
 */

const VERSION_READ = 'SELECT articles FROM data_version WHERE id = 1';

/** Every statement the cached server's store runs. */
const statements: string[] = [];
let store: SqliteStore;
let feed: number;
let cached: TestServer;
let uncached: TestServer;
/** The same store as `cached`, without the response cache: what the database says now. */
let plain: TestServer;

beforeAll(async () => {
  store = await referenceStore({ statements });
  feed = buildFeed(store, { foundation: 'cncf' });
  for (let i = 0; i < 5; i++) buildArticle(store, feed, { title: `Story ${i}`, companies: i === 0 ? ['google'] : [] });
  cached = await startTestServer(store, { cacheMaxAgeSeconds: 30 });
  plain = await startTestServer(store, { cacheMaxAgeSeconds: 0 });
  uncached = await startTestServer(await referenceStore());
});

interface Exchange {
  status: number;
  headers: Headers;
  text: string;
  body: any;
  /** The statements the store ran while answering (the cached server's store only). */
  sql: string[];
}

async function send(server: TestServer, init: { method?: 'GET' | 'POST'; body?: unknown; params?: Record<string, unknown> }): Promise<Exchange> {
  statements.length = 0;
  const url = new URL(`${server.server.url}/graphql`);
  let res: Response;
  if (init.method === 'GET') {
    for (const [name, value] of Object.entries(init.params ?? {})) url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value));
    // A header a browser cannot send without a preflight: Apollo's CSRF prevention wants one on GET.
    res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
  } else {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) });
  }
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text), sql: statements.splice(0) };
}

const postQuery = (server: TestServer, query: string, variables?: Record<string, unknown>) => send(server, { body: { query, variables } });

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

describe('Cache-Control hints', () => {
  it('marks query responses public for cacheMaxAgeSeconds', async () => {
    const res = await postQuery(cached, `{ foundation(slug: "cncf") { slug articles(first: 2) { totalCount nodes { title } } } }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.headers.get('cache-control')).toBe('max-age=30, public');
    // The same on GET, what HTTP caches keep.
    const get = await send(cached, { method: 'GET', params: { query: `{ foundation(slug: "openssf") { slug } }` } });
    expect(get.body.data.foundation.slug).toBe('openssf');
    expect(get.headers.get('cache-control')).toBe('max-age=30, public');
  });

  it('gives no public max-age when cacheMaxAgeSeconds is 0', async () => {
    const res = await postQuery(uncached, `{ foundation(slug: "cncf") { slug } }`);
    expect(res.body.data.foundation.slug).toBe('cncf');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('never marks error responses as cacheable', async () => {
    const bad = await postQuery(cached, `{ articles(filter: { foundations: ["no-such-foundation"] }) { totalCount } }`);
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.headers.get('cache-control')).toBe('no-store');
    // 1 + 100 × (1 + (1 + 100 × 2)) = 20,201, over the default 10,000.
    const costly = await postQuery(cached, `{ foundations(first: 100) { nodes { memberships(first: 100) { nodes { id } } } } }`);
    expect(costly.body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(costly.headers.get('cache-control')).toBe('no-store');
  });
});

/** What the store ran for the request itself: the version watcher's periodic read left out. */
const work = (sql: string[]) => sql.filter((statement) => statement !== VERSION_READ);

/**
 * The cache sees a change once its watcher has read the new articles' version (every 100 ms): asks
 * again, a bounded number of times, until the answer passes the check.
 */
async function eventually(ask: () => Promise<Exchange>, check: (res: Exchange) => boolean): Promise<Exchange> {
  let res = await ask();
  for (let attempt = 0; attempt < 200 && !check(res); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    res = await ask();
  }
  return res;
}

/** The headers a client relies on, which a hit must repeat as the miss gave them. */
const HEADERS_THAT_MATTER = ['content-type', 'cache-control', 'content-length', 'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age'];
const headersThatMatter = (res: Exchange) => Object.fromEntries(HEADERS_THAT_MATTER.map((name) => [name, res.headers.get(name)]));

describe('response cache', () => {
  const latest = `query Latest($n: Int) { articles(first: $n) { totalCount nodes { title feed { url foundation { slug } } } } }`;

  it('answers a repeated POST from memory: the same bytes and headers, no statement run', async () => {
    const first = await postQuery(cached, latest, { n: 3 });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.articles.nodes).toHaveLength(3);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(work(first.sql).some((sql) => /FROM articles/i.test(sql))).toBe(true);

    const second = await postQuery(cached, latest, { n: 3 });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(work(second.sql)).toEqual([]);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(headersThatMatter(second)).toEqual(headersThatMatter(first));
    expect(second.headers.get('cache-control')).toBe('max-age=30, public');
    expect(second.headers.get('access-control-allow-origin')).toBe('*');
    // A hit says how old it is (RFC 9111 §5.1); the first answer was fresh.
    expect(first.headers.get('age')).toBeNull();
    expect(second.headers.get('age')).toMatch(/^\d+$/);
  });

  it('answers a repeated GET from memory, the same bytes as Apollo gave', async () => {
    const params = { query: `{ foundation(slug: "cncf") { slug name articles(first: 2) { nodes { title } } } }` };
    const first = await send(cached, { method: 'GET', params });
    expect(first.body.errors).toBeUndefined();
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(work(first.sql).length).toBeGreaterThan(0);
    const second = await send(cached, { method: 'GET', params });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(work(second.sql)).toEqual([]);
    expect(second.text).toBe(first.text);
    expect(headersThatMatter(second)).toEqual(headersThatMatter(first));
    // The same answer as the server without a cache gives, byte for byte.
    const fresh = await send(plain, { method: 'GET', params });
    expect(second.text).toBe(fresh.text);
    expect(fresh.headers.get('content-type')).toBe(second.headers.get('content-type'));
  });

  it('keeps GET apart from POST, and asks a GET hit for the same CSRF preflight as Apollo', async () => {
    const query = `{ foundation(slug: "openssf") { name } }`;
    await send(cached, { method: 'GET', params: { query } });
    expect((await send(cached, { method: 'GET', params: { query } })).headers.get('x-cache')).toBe('HIT');
    // The same query by POST is another request: Apollo answers it the first time.
    expect((await postQuery(cached, query)).headers.get('x-cache')).toBe('MISS');
    // Without the preflight header Apollo refuses a GET (CSRF prevention): so does the cache.
    const url = new URL(`${cached.server.url}/graphql`);
    url.searchParams.set('query', query);
    const bare = await fetch(url);
    expect(bare.status).toBe(400);
    expect(bare.headers.get('x-cache')).toBe('MISS');
    expect(await bare.text()).toContain('Cross-Site Request Forgery');
  });

  it('misses for a different variable value', async () => {
    await postQuery(cached, latest, { n: 4 });
    const other = await postQuery(cached, latest, { n: 2 });
    expect(other.headers.get('x-cache')).toBe('MISS');
    expect(other.body.data.articles.nodes).toHaveLength(2);
    expect(work(other.sql).some((sql) => /FROM articles/i.test(sql))).toBe(true);
    // …and the first value is still cached.
    const again = await postQuery(cached, latest, { n: 4 });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(work(again.sql)).toEqual([]);
  });

  it('keys on the operation name', async () => {
    const document = `query A { foundation(slug: "cncf") { slug } } query B { foundation(slug: "openssf") { slug } }`;
    const a = await send(cached, { body: { query: document, operationName: 'A' } });
    const b = await send(cached, { body: { query: document, operationName: 'B' } });
    expect(a.body.data.foundation.slug).toBe('cncf');
    expect(b.body.data.foundation.slug).toBe('openssf');
    expect(b.headers.get('x-cache')).toBe('MISS');
    expect((await send(cached, { body: { query: document, operationName: 'B' } })).body.data.foundation.slug).toBe('openssf');
  });

  it('does not cache errors: a BAD_USER_INPUT query runs again', async () => {
    const query = `{ companies(filter: { foundations: ["cncf", "not-a-foundation"] }) { totalCount } }`;
    for (let i = 0; i < 2; i++) {
      const res = await postQuery(cached, query);
      expect(res.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('"not-a-foundation"') });
      expect(res.headers.get('x-cache')).toBe('MISS');
      // The slugs were looked up again.
      expect(work(res.sql).some((sql) => /FROM foundations/i.test(sql))).toBe(true);
    }
  });

  it('does not cache refusals: a query over a limit, a field that does not exist', async () => {
    const costly = `{ foundations(first: 100) { nodes { memberships(first: 100) { nodes { id } } } } }`;
    for (const query of [costly, `{ nope }`, `{ foundation(slug: "cncf") { slug } `]) {
      for (let i = 0; i < 2; i++) {
        const res = await postQuery(cached, query);
        expect(res.status).toBe(400);
        expect(res.body.errors).toHaveLength(1);
        expect(res.headers.get('x-cache')).toBe('MISS');
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    }
  });

  it('serves no stale result once an article is added: the articles version is in the key', async () => {
    const query = `{ articles { totalCount nodes { title } } }`;
    const before = await postQuery(cached, query);
    const count = before.body.data.articles.totalCount;
    expect((await postQuery(cached, query)).headers.get('x-cache')).toBe('HIT');

    buildArticle(store, feed, { title: 'Breaking', publishedAt: Date.UTC(2030, 0, 1) });
    // Within the watcher's interval the old answer may still be served; then a miss, with the new data.
    const after = await eventually(() => postQuery(cached, query), (res) => res.headers.get('x-cache') === 'MISS');
    expect(after.body.data.articles.totalCount).toBe(count + 1);
    expect(after.body.data.articles.nodes[0].title).toBe('Breaking');
    expect(work(after.sql).length).toBeGreaterThan(0);
    // The new result is cached in turn.
    const again = await postQuery(cached, query);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(work(again.sql)).toEqual([]);
    expect(again.text).toBe(after.text);
  });

  it('serves no stale result once another process adds an article', async () => {
    const query = `{ articles(first: 1) { nodes { title } } }`;
    await postQuery(cached, query);
    expect((await postQuery(cached, query)).headers.get('x-cache')).toBe('HIT');
    // A second connection to the same file, as a `fetch` command run beside the service has.
    const other = new Database(store.db.name);
    try {
      buildArticle({ db: other } as SqliteStore, feed, { title: 'From elsewhere', publishedAt: Date.UTC(2032, 0, 1) });
    } finally {
      other.close();
    }
    const after = await eventually(() => postQuery(cached, query), (res) => res.body.data.articles.nodes[0].title === 'From elsewhere');
    expect(after.body.data.articles.nodes[0].title).toBe('From elsewhere');
  });

  it('serves no stale result once an article is edited', async () => {
    const id = buildArticle(store, feed, { title: 'Draft title', publishedAt: Date.UTC(2033, 0, 1) });
    const query = `{ articles(first: 1) { nodes { title } } }`;
    const draft = await eventually(() => postQuery(cached, query), (res) => res.body.data.articles.nodes[0].title === 'Draft title');
    expect(draft.body.data.articles.nodes[0].title).toBe('Draft title');
    store.db.prepare('UPDATE articles SET title = ? WHERE id = ?').run('Final title', id);
    const final = await eventually(() => postQuery(cached, query), (res) => res.body.data.articles.nodes[0].title === 'Final title');
    expect(final.body.data.articles.nodes[0].title).toBe('Final title');
  });

  it('serves no stale result once a relink adds a mention', async () => {
    const id = buildArticle(store, feed, { title: 'Unlinked' });
    const query = `{ articles(filter: { companies: ["microsoft"] }) { totalCount } }`;
    expect((await postQuery(cached, query)).body.data.articles.totalCount).toBe(0);
    const microsoft = store.db.prepare('SELECT id FROM companies WHERE slug = ?').pluck().get('microsoft') as number;
    await store.replaceMentions([{ articleId: id, mentions: { companies: [{ id: microsoft, count: 1, inTitle: false }], foundations: [] } }]);
    const after = await eventually(() => postQuery(cached, query), (res) => res.body.data.articles.totalCount === 1);
    expect(after.body.data.articles.totalCount).toBe(1);
  });

  it('serves no stale result once a relink removes the only mention of an article', async () => {
    const id = buildArticle(store, feed, { title: 'Linked', companies: ['google'] });
    const query = `{ articles(filter: { companies: ["google"] }) { totalCount } }`;
    const before = (await postQuery(plain, query)).body.data.articles.totalCount;
    expect(before).toBeGreaterThanOrEqual(1);
    expect((await postQuery(cached, query)).body.data.articles.totalCount).toBe(before);
    // The article's text no longer names Google: relink (src/ingest/relink.ts) leaves it without mentions.
    await store.replaceMentions([{ articleId: id, mentions: { companies: [], foundations: [] } }]);
    // The database says one fewer (read without the response cache)…
    expect((await postQuery(plain, query)).body.data.articles.totalCount).toBe(before - 1);
    // …and so does the cached server, once its watcher has seen the mentions move the version.
    const after = await eventually(() => postQuery(cached, query), (res) => res.body.data.articles.totalCount === before - 1);
    expect(after.body.data.articles.totalCount).toBe(before - 1);
  });

  it('caches nothing with CACHE_MAX_AGE 0: no x-cache, every request runs', async () => {
    const query = `{ foundation(slug: "cncf") { slug articles(first: 1) { nodes { title } } } }`;
    for (let i = 0; i < 2; i++) {
      const res = await postQuery(plain, query);
      expect(res.body.errors).toBeUndefined();
      expect(res.headers.get('x-cache')).toBeNull();
      expect(res.headers.get('age')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(work(res.sql).some((sql) => /FROM foundations/i.test(sql))).toBe(true);
    }
  });
});

describe('automatic persisted queries', () => {
  const query = `query Foundation($slug: String!) { foundation(slug: $slug) { slug name } }`;
  const hash = sha256(query);
  const pq = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

  it('answers PERSISTED_QUERY_NOT_FOUND for an unknown hash, on GET and on POST', async () => {
    const unknown = sha256('{ __typename }-never-sent');
    const post = await send(uncached, { body: { extensions: pq(unknown) } });
    expect(post.body.data).toBeUndefined();
    expect(post.body.errors).toHaveLength(1);
    expect(post.body.errors[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    const get = await send(uncached, { method: 'GET', params: { extensions: pq(unknown) } });
    expect(get.body.errors[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    // Not something an HTTP cache may keep: the client is about to register the query.
    expect(get.headers.get('cache-control')).toBe('private, no-cache, must-revalidate');
  });

  it('registers a query sent once with its hash; the hash alone then works on GET and POST', async () => {
    const before = await send(uncached, { body: { extensions: pq(hash), variables: { slug: 'cncf' } } });
    expect(before.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const register = await send(uncached, { body: { query, variables: { slug: 'cncf' }, extensions: pq(hash) } });
    expect(register.body.errors).toBeUndefined();
    expect(register.body.data.foundation.slug).toBe('cncf');

    const post = await send(uncached, { body: { variables: { slug: 'openssf' }, extensions: pq(hash) } });
    expect(post.body.errors).toBeUndefined();
    expect(post.body.data.foundation.slug).toBe('openssf');
    const get = await send(uncached, { method: 'GET', params: { variables: { slug: 'cncf' }, extensions: pq(hash) } });
    expect(get.body.errors).toBeUndefined();
    expect(get.body.data.foundation.slug).toBe('cncf');
    // Limits apply to persisted queries too: foundation { slug name } costs 1 + 2.
    expect(get.body.extensions.cost).toMatchObject({ requested: 3, depth: 2 });
  });

  it('refuses a query whose hash does not match it, and does not register it', async () => {
    const other = `{ foundation(slug: "cncf") { slug } }`;
    const wrong = sha256(`${other} `);
    const res = await send(uncached, { body: { query: other, extensions: pq(wrong) } });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    const alone = await send(uncached, { body: { extensions: pq(wrong) } });
    expect(alone.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // The right hash is still accepted with the query.
    const right = await send(uncached, { body: { query: other, extensions: pq(sha256(other)) } });
    expect(right.body.data.foundation.slug).toBe('cncf');
  });

  it('reports a hash that does not match the query as the caller\'s mistake, with Apollo\'s message', async () => {
    const other = `{ company(slug: "google") { slug } }`;
    const res = await send(uncached, { body: { query: other, extensions: pq(sha256('something else')) } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toBe('provided sha does not match query');
    expect(res.body.errors[0].extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(uncached.logs.filter((line) => /unable to resolve a field/.test(line))).toEqual([]);
  });

  it('reports an unsupported persisted-query version as the caller\'s mistake', async () => {
    const res = await send(uncached, { body: { query, variables: { slug: 'cncf' }, extensions: { persistedQuery: { version: 2, sha256Hash: hash } } } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toBe('Unsupported persisted query version');
    expect(res.body.errors[0].extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
  });

  it('works with the response cache: a GET of a persisted query\'s hash is answered from memory', async () => {
    const persisted = `{ foundation(slug: "linux-foundation") { slug children { slug } } }`;
    const h = sha256(persisted);
    const register = await send(cached, { body: { query: persisted, extensions: pq(h) } });
    expect(register.body.errors).toBeUndefined();
    // The hash alone, by GET (what a CDN can keep): Apollo answers it once…
    const first = await send(cached, { method: 'GET', params: { extensions: pq(h) } });
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.body).toEqual(register.body);
    expect(first.headers.get('cache-control')).toBe('max-age=30, public');
    // …then the cache does, with the same bytes.
    const second = await send(cached, { method: 'GET', params: { extensions: pq(h) } });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(work(second.sql)).toEqual([]);
    expect(second.text).toBe(first.text);
  });

  it('does not cache an unknown hash: once registered, the same GET gets the answer', async () => {
    const persisted = `{ foundation(slug: "apache") { slug } }`;
    const h = sha256(persisted);
    const unknown = await send(cached, { method: 'GET', params: { extensions: pq(h) } });
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.headers.get('x-cache')).toBe('MISS');
    await send(cached, { body: { query: persisted, extensions: pq(h) } });
    const known = await send(cached, { method: 'GET', params: { extensions: pq(h) } });
    expect(known.body).toEqual({ data: { foundation: { slug: 'apache' } }, extensions: expect.anything() });
  });
});

import path from 'node:path';
import pino from 'pino';
import { BadInputError, QueryTimeoutError, StoreError } from '../../../src/errors';
import { MIGRATIONS_DIR } from '../../../src/paths';
import { parseSearch } from '../../../src/search/search-query';
import type { PageRequest } from '../../../src/store/paging';
import { openPooledStore, type PooledSqliteStore } from '../../../src/store/sqlite/pooled-store';
import { ReadPool } from '../../../src/store/sqlite/read-pool';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { ArticleOrderField, Store } from '../../../src/store/store';
import { buildArticle, buildFeed } from '../../helpers/builders';
import { demoStore } from '../../helpers/demo';
import { onCleanup, tempDir } from '../../helpers/temp';

// The workers load dist/store/sqlite/read-worker.js: `npm test` builds first (`npm run build` by hand).

const silent = pino({ level: 'silent' });

function openPool(direct: SqliteStore, options: { readWorkers: number; queryTimeoutMs: number }): Promise<PooledSqliteStore> {
  return openPooledStore({ path: direct.db.name, busyTimeoutMs: 1000, migrationsDir: MIGRATIONS_DIR, fetchLogRetentionMs: 86_400_000, ...options }, silent);
}

const byDate = (limit: number, rest: Partial<PageRequest<ArticleOrderField>> = {}): PageRequest<ArticleOrderField> => ({
  orderBy: 'PUBLISHED_AT',
  direction: 'DESC',
  limit,
  backward: false,
  ...rest,
});

/** Every page of the articles list, following the cursors (keys) from one page to the next. */
async function walk(store: Store, limit: number): Promise<unknown[]> {
  const pages: unknown[] = [];
  let after: readonly (string | number)[] | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await store.listArticles({}, byDate(limit, { after }));
    pages.push(page);
    if (!page.hasNextPage) return pages;
    after = page.edges[page.edges.length - 1].key;
  }
  throw new Error('paging did not end');
}

describe('PooledSqliteStore: reads in worker threads', () => {
  let direct: SqliteStore;
  let pooled: PooledSqliteStore;
  const ids = { foundations: [] as number[], companies: [] as number[], feeds: [] as number[], articles: [] as number[] };
  let boundaries: number[];

  beforeAll(async () => {
    ({ store: direct } = await demoStore());
    pooled = await openPool(direct, { readWorkers: 2, queryTimeoutMs: 10_000 });
    onCleanup(() => pooled.close()); // before `direct` closes (cleanups run in reverse)
    const pluck = (sql: string) => direct.db.prepare(sql).pluck().all() as number[];
    ids.foundations = pluck("SELECT id FROM foundations WHERE slug IN ('cncf', 'openssf', 'linux-foundation', 'pytorch-foundation') ORDER BY id");
    ids.companies = pluck('SELECT company_id FROM article_company_mentions GROUP BY company_id ORDER BY COUNT(*) DESC, company_id LIMIT 5');
    ids.feeds = pluck('SELECT id FROM feeds WHERE disabled_at IS NULL ORDER BY id');
    ids.articles = pluck('SELECT id FROM articles ORDER BY id');
    const [first, last] = direct.db.prepare('SELECT MIN(published_at), MAX(published_at) FROM articles').raw().get() as number[];
    const month = 30 * 86_400_000;
    boundaries = Array.from({ length: Math.ceil((last + 1 - first) / month) + 1 }, (_, i) => first + i * month);
  });

  it('has demo data to compare on', () => {
    expect(ids.articles.length).toBeGreaterThan(20);
    expect(ids.companies.length).toBeGreaterThan(1);
    expect(pooled.stats()).toMatchObject({ workers: 2, busy: 0, queued: 0 });
  });

  const cases: [string, (store: Store) => Promise<unknown>][] = [
    ['ping', (s) => s.ping()],
    ['every page of listArticles, by its cursors', (s) => walk(s, 4)],
    ['listArticles backward before a cursor', async (s) => s.listArticles({}, byDate(3, { backward: true, before: (await s.listArticles({}, byDate(10))).edges[9].key }))],
    ['listArticles of companies, oldest fetched first', (s) => s.listArticles({ companyIds: ids.companies }, byDate(10, { orderBy: 'FETCHED_AT', direction: 'ASC' }))],
    ['listArticles by relevance', (s) => s.listArticles({ search: parseSearch('security') }, byDate(5, { orderBy: 'RELEVANCE' }))],
    ['listArticlesOf foundations', (s) => s.listArticlesOf('foundation', ids.foundations, {}, byDate(3))],
    ['listFoundations, second page', async (s) => {
      const page = { orderBy: 'NAME' as const, direction: 'ASC' as const, limit: 5, backward: false };
      const first = await s.listFoundations({}, page);
      return s.listFoundations({}, { ...page, after: first.edges[4].key });
    }],
    ['listMembershipsOf foundations', (s) => s.listMembershipsOf('foundation', ids.foundations, {}, { orderBy: 'COMPANY_NAME', direction: 'ASC', limit: 5, backward: false })],
    ['listCompanies of a foundation', (s) => s.listCompanies({ foundationIds: ids.foundations.slice(0, 1) }, { orderBy: 'NAME', direction: 'ASC', limit: 10, backward: false })],
    ['countArticles', (s) => s.countArticles({})],
    ['countArticles with a search', (s) => s.countArticles({ search: parseSearch('kubernetes OR security') })],
    ['countArticlesOf companies', (s) => s.countArticlesOf('company', ids.companies, {})],
    ['countMemberships', (s) => s.countMemberships({ foundationIds: ids.foundations })],
    ['countArticlesOfFeeds', (s) => s.countArticlesOfFeeds(ids.feeds)],
    ['countArticlesBy company', (s) => s.countArticlesBy({}, 'COMPANY', 10, '2026-06-01')],
    ['countArticlesBy tier', (s) => s.countArticlesBy({}, 'TIER', 10, '2026-06-01')],
    ['articleTimeline, one series', (s) => s.articleTimeline({}, boundaries, null, 10, '2026-06-01')],
    ['articleTimeline of companies by foundation', (s) => s.articleTimeline({ companyIds: ids.companies }, boundaries, 'FOUNDATION', 5, '2026-06-01')],
    ['filterArticleIds', (s) => s.filterArticleIds({ companyIds: ids.companies.slice(0, 2) }, ids.articles)],
    ['getArticles, with an unknown id', (s) => s.getArticles([...ids.articles.slice(0, 5), 999_999])],
    ['listFoundationLinksOf and listCompanyMentionsOf', async (s) => [await s.listFoundationLinksOf(ids.articles), await s.listCompanyMentionsOf(ids.articles)]],
    ['listStoryArticlesOf', (s) => s.listStoryArticlesOf(ids.articles)],
    ['listCoMentionedCompaniesOf', (s) => s.listCoMentionedCompaniesOf(ids.companies, 3)],
    ['latestArticleId and listArticleIdsAfter', async (s) => [await s.latestArticleId(), await s.listArticleIdsAfter(ids.articles[3], 5)]],
    ['articlesVersion', (s) => s.articlesVersion()],
    ['listFeedsToFetch and nextScheduledFetch', async (s) => [await s.listFeedsToFetch({ all: true }, 50), await s.nextScheduledFetch()]],
    ['listRecentFetchesOf', (s) => s.listRecentFetchesOf(ids.feeds, 2)],
    ['loadEntityDictionary', (s) => s.loadEntityDictionary()],
    ['listArticleTexts', (s) => s.listArticleTexts(0, 5)],
  ];

  it.each(cases)('%s gives what the direct store gives', async (_name, call) => {
    const expected = await call(direct);
    expect(await call(pooled)).toEqual(expected);
  });

  it('brings back a BadInputError thrown in a worker as a BadInputError', async () => {
    const err = await pooled.listArticles({}, byDate(5, { orderBy: 'RELEVANCE' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect(err).toMatchObject({ code: 'BAD_INPUT', message: 'ordering by RELEVANCE needs `filter.search`' });
  });

  it('refuses, in the worker, a method that is not a read', async () => {
    await expect(pooled.pool.call('saveFetchOutcome', [1, {}])).rejects.toThrow('store: saveFetchOutcome is not a read method of the store');
    await expect(pooled.pool.call('byKey', ['SELECT 1', [], 'id'])).rejects.toThrow('not a read method');
  });

  it('refuses an argument that cannot cross to a thread, and goes on', async () => {
    await expect(pooled.pool.call('getArticles', [() => 1])).rejects.toMatchObject({ code: 'READ_CALL_INVALID' });
    expect(await pooled.latestArticleId()).toBe(ids.articles[ids.articles.length - 1]);
  });

  it('answers on another worker while one is busy, and leaves the event loop free', async () => {
    let slowDone = false;
    const slow = pooled.pool.call('__sleep', [1500]).then(() => (slowDone = true));
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(Date.now()), 10);
    try {
      expect(await pooled.latestArticleId()).toBe(await direct.latestArticleId());
      expect(slowDone).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(slowDone).toBe(false);
      expect(ticks.length).toBeGreaterThan(0);
      expect(pooled.stats()).toMatchObject({ busy: 1, queued: 0 });
    } finally {
      clearInterval(ticker);
    }
    await slow;
    expect(pooled.stats()).toMatchObject({ workers: 2, busy: 0, timeouts: 0, restarts: 0 });
  });

  it('queues calls when every worker is busy, and runs them first in, first out', async () => {
    const order: string[] = [];
    // One worker long busy, the other briefly: the queued calls all go to the second, one after the other.
    const slow = [1500, 200].map((ms) => pooled.pool.call('__sleep', [ms]).then(() => order.push(`sleep ${ms}`)));
    const queued = [1, 2, 3].map((n) => pooled.latestArticleId().then(() => order.push(`read ${n}`)));
    expect(pooled.stats()).toMatchObject({ busy: 2, queued: 3 });
    await Promise.all([...slow, ...queued]);
    expect(order).toEqual(['sleep 200', 'read 1', 'read 2', 'read 3', 'sleep 1500']);
  });

  it('shows a write on the main connection to the next read in the pool', async () => {
    const url = 'https://feeds.example.org/pooled-write.xml';
    expect(await pooled.getFeedByUrl(url)).toBeNull();
    const added = await pooled.addFeed({ url, foundationId: null, title: 'Written on the main thread' });
    expect(await pooled.getFeedByUrl(url)).toEqual(added);
    await pooled.setFeedDisabled(url, true);
    expect((await pooled.getFeedByUrl(url))!.disabledAt).not.toBeNull();
    // A write by another connection (the scheduler thread's, another process) as well.
    const id = buildArticle(direct, buildFeed(direct));
    expect(await pooled.latestArticleId()).toBe(id);
    expect(await pooled.filterArticleIds({}, [id])).toEqual([id]);
  });
});

describe('ReadPool: time budget, crashes, close', () => {
  let direct: SqliteStore;

  beforeAll(async () => {
    ({ store: direct } = await demoStore());
  });

  it('stops a call past its budget with QueryTimeoutError, and a fresh worker answers the next', async () => {
    const pooled = await openPool(direct, { readWorkers: 1, queryTimeoutMs: 200 });
    onCleanup(() => pooled.close());
    const err = await pooled.pool.call('__sleep', [5000]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect(err).toMatchObject({
      code: 'QUERY_TIMEOUT',
      message: 'store: the query ran past its time budget of 200 ms (QUERY_TIMEOUT) and was stopped',
    });
    expect(await pooled.latestArticleId()).toBe(await direct.latestArticleId());
    expect(pooled.stats()).toMatchObject({ workers: 1, busy: 0, timeouts: 1, restarts: 1 });
    // The calls queued behind the stopped one go to its replacement.
    const stuck = pooled.pool.call('__sleep', [5000]).catch((e: unknown) => e);
    const behind = pooled.countArticles({});
    expect(await stuck).toBeInstanceOf(QueryTimeoutError);
    expect(await behind).toEqual(await direct.countArticles({}));
    expect(pooled.stats()).toMatchObject({ workers: 1, timeouts: 2, restarts: 2 });
  });

  it('refuses calls past the queue’s bounds with READ_POOL_BUSY, and drops a queued call its caller abandons', async () => {
    const log = silent;
    const pool = await ReadPool.start({
      storeOptions: { path: direct.db.name, busyTimeoutMs: 1000, migrationsDir: MIGRATIONS_DIR },
      workers: 1,
      queryTimeoutMs: 10_000,
      log,
      maxQueued: 2,
      maxQueueWaitMs: 300,
    });
    onCleanup(() => pool.close());
    const running = pool.call('__sleep', [1500]);
    const waiting = pool.call('latestArticleId', []).catch((e: unknown) => e);
    const abandoned = new AbortController();
    const leaving = pool.call('latestArticleId', [], { signal: abandoned.signal }).catch((e: unknown) => e);
    // Two wait already: the third is refused at once.
    const refused = await pool.call('latestArticleId', []).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'READ_POOL_BUSY', message: 'store: every read thread is busy (2 calls are already waiting): try again shortly' });
    abandoned.abort();
    expect(await leaving).toMatchObject({ code: 'READ_CALL_ABANDONED' });
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
    // The other waited its 300 ms without a thread.
    expect(await waiting).toMatchObject({ code: 'READ_POOL_BUSY', message: 'store: every read thread is busy (no thread was free for 300 ms): try again shortly' });
    await running;
    expect(await pool.call('latestArticleId', [])).toBe(await direct.latestArticleId());
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0, timeouts: 0 });
  });

  it('fails the call of a worker that crashes with a StoreError naming it, and replaces the worker', async () => {
    const pooled = await openPool(direct, { readWorkers: 1, queryTimeoutMs: 10_000 });
    onCleanup(() => pooled.close());
    const err = await pooled.pool.call('__exit', [3]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'READ_WORKER_FAILED', message: 'store: the read worker running __exit stopped unexpectedly (exit code 3)' });
    expect(await pooled.ping()).toBeUndefined();
    expect(pooled.stats()).toMatchObject({ workers: 1, restarts: 1, timeouts: 0 });
  });

  it('refuses to start on a file that is not there, leaving nothing running', async () => {
    const start = ReadPool.start({
      storeOptions: { path: path.join(tempDir(), 'none.db'), busyTimeoutMs: 100, migrationsDir: MIGRATIONS_DIR },
      workers: 2,
      queryTimeoutMs: 1000,
      log: silent,
    });
    await expect(start).rejects.toMatchObject({ code: 'READ_WORKER_START_FAILED', message: expect.stringContaining('unable to open database') });
  });

  it('close() waits for the calls under way, then refuses new ones and ends every thread', async () => {
    // Each running worker holds a message port on this thread (the other pools of this file are open too).
    const threads = () => process.getActiveResourcesInfo().filter((r) => /worker|messageport/i.test(r)).length;
    const before = threads();
    const pooled = await openPool(direct, { readWorkers: 2, queryTimeoutMs: 10_000 });
    expect(threads()).toBe(before + 2);
    const under = pooled.pool.call('__sleep', [300]).then(() => 'done');
    const queued = [pooled.latestArticleId(), pooled.latestArticleId(), pooled.countArticles({})];
    const closed = pooled.close();
    await expect(pooled.latestArticleId()).rejects.toMatchObject({ code: 'READ_POOL_CLOSED' });
    expect(await under).toBe('done');
    await expect(Promise.all(queued)).resolves.toHaveLength(3);
    await closed;
    expect(pooled.stats()).toMatchObject({ workers: 0, busy: 0, queued: 0 });
    expect(pooled.main.db.open).toBe(false);
    expect(threads()).toBe(before);
  });
});

describe('SqliteStore.openReader', () => {
  it('reads without migrating, refuses writes, and has fw_bucket for timelines', async () => {
    const { store: direct } = await demoStore();
    const reader = SqliteStore.openReader({ path: direct.db.name, busyTimeoutMs: 1000, migrationsDir: MIGRATIONS_DIR });
    onCleanup(() => reader.db.close());
    expect(reader.migration).toEqual({ applied: [], current: direct.migration.current });
    expect(reader.db.readonly).toBe(true);
    const filter = { companyIds: direct.db.prepare('SELECT company_id FROM article_company_mentions LIMIT 1').pluck().all() as number[] };
    const boundaries = [Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)];
    expect(await reader.articleTimeline(filter, boundaries, null, 5, '2026-06-01')).toEqual(await direct.articleTimeline(filter, boundaries, null, 5, '2026-06-01'));
    await expect(reader.addFeed({ url: 'https://feeds.example.org/readonly.xml', foundationId: null, title: null })).rejects.toThrow(/readonly/);
  });
});

import type { Logger } from '../../log';
import type { Store } from '../store';
import { ReadPool, type ReadPoolOptions, type ReadPoolStats, type ReaderStoreOptions } from './read-pool';
import { SqliteStore } from './sqlite-store';

/** Methods that write: they run on the main thread's connection, the only one that may write. */
const WRITES = {
  loadReferenceData: true,
  addFeed: true,
  removeFeed: true,
  setFeedDisabled: true,
  saveFetchOutcome: true,
  replaceMentions: true,
} as const satisfies Partial<Record<keyof Store, true>>;

type WriteMethod = keyof typeof WRITES;
export type ReadMethod = Exclude<keyof Store, WriteMethod | 'close'>;

/**
 * Every other method of Store reads, and runs in the pool. A Record, so that the compiler checks the
 * two lists against the interface: a method added to Store fails to compile here until it is listed
 * as a read (here) or a write (above); a changed signature needs nothing.
 */
const READS: Record<ReadMethod, true> = {
  ping: true, // through the pool, so that /healthz proves the readers answer
  getFoundations: true,
  getFoundationsBySlug: true,
  listFoundations: true,
  countFoundations: true,
  listChildFoundationsOf: true,
  listTiersOf: true,
  listFoundationAliasesOf: true,
  getCompanies: true,
  getCompaniesBySlug: true,
  listCompanies: true,
  countCompanies: true,
  listSubsidiariesOf: true,
  listCompanyAliasesOf: true,
  getMemberships: true,
  listMemberships: true,
  countMemberships: true,
  listMembershipsOf: true,
  countMembershipsOf: true,
  getFeeds: true,
  listFeeds: true,
  countFeeds: true,
  listFeedsOf: true,
  countFeedsOf: true,
  countArticlesOfFeeds: true,
  getArticles: true,
  listArticles: true,
  countArticles: true,
  listArticlesOf: true,
  countArticlesOf: true,
  listFoundationLinksOf: true,
  listCompanyMentionsOf: true,
  listEnclosuresOf: true,
  listStoryArticlesOf: true,
  countArticlesBy: true,
  articleTimeline: true,
  listCoMentionedCompaniesOf: true,
  latestArticleId: true,
  listArticleIdsAfter: true,
  filterArticleIds: true,
  articlesVersion: true,
  getFeedByUrl: true,
  listFeedsToFetch: true,
  nextScheduledFetch: true,
  listRecentFetchesOf: true,
  loadEntityDictionary: true,
  listArticleTexts: true,
};

export const READ_METHODS = Object.keys(READS) as readonly ReadMethod[];
const WRITE_METHODS = Object.keys(WRITES) as readonly WriteMethod[];

export interface PooledStoreOptions extends ReaderStoreOptions {
  /** READ_WORKERS: threads running reads; 0 gives one per core. */
  readWorkers: number;
  /** QUERY_TIMEOUT: longest one read may run before its thread is stopped. */
  queryTimeoutMs: number;
  /** What the threads run besides the store's reads (the GraphQL executor, graphql/executor.ts). */
  thread?: ReadPoolOptions['thread'];
}

// The methods below are made in the constructor from the lists above; this declares their types.
export interface PooledSqliteStore extends Pick<Store, ReadMethod | WriteMethod> {}

/**
 * The Store of the service: writes on the main thread's connection (opened and migrated as a plain
 * SqliteStore), every read forwarded by name to a worker of the ReadPool, each with a read-only
 * connection to the same file, so that no query runs on the thread that serves HTTP. A write is
 * committed when its Promise resolves, so the next read, in whichever worker, sees it (WAL).
 */
export class PooledSqliteStore implements Store {
  constructor(
    /** The writer's connection; also what commands that need the database itself (backup) use. */
    readonly main: SqliteStore,
    readonly pool: ReadPool,
  ) {
    const self = this as unknown as Record<string, unknown>;
    for (const method of READ_METHODS) self[method] = (...args: unknown[]) => pool.call(method, args);
    for (const method of WRITE_METHODS) self[method] = main[method].bind(main);
  }

  get migration(): SqliteStore['migration'] {
    return this.main.migration;
  }

  stats(): ReadPoolStats {
    return this.pool.stats();
  }

  /** The pool first (reads under way finish), then the writer's connection. */
  async close(): Promise<void> {
    try {
      await this.pool.close();
    } finally {
      await this.main.close();
    }
  }
}

/**
 * Opens the database for the service: the writer's connection (migrating the file), then the read
 * workers' connections; resolves once every worker can read, fails with nothing left open.
 */
export async function openPooledStore(options: PooledStoreOptions, log: Logger): Promise<PooledSqliteStore> {
  const { readWorkers, queryTimeoutMs, thread, ...storeOptions } = options;
  const main = SqliteStore.open(storeOptions);
  try {
    const pool = await ReadPool.start({ storeOptions, workers: readWorkers, queryTimeoutMs, log, thread });
    return new PooledSqliteStore(main, pool);
  } catch (err) {
    await main.close();
    throw err;
  }
}

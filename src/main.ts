import 'reflect-metadata';
import type { Config } from './config';
import { apiOptionsOf } from './graphql/apollo';
import { executorThread, pooledExecutor } from './graphql/executor';
import { buildApiSchema } from './graphql/schema';
import { startHttpServer } from './http/server';
import { ArticleWatcher } from './live/article-watcher';
import type { Logger } from './log';
import { MIGRATIONS_DIR } from './paths';
import { readReferenceData } from './reference/load';
import { SchedulerThread } from './scheduler/scheduler-thread';
import { openPooledStore } from './store/sqlite/pooled-store';
import { SqliteStore, type SqliteStoreOptions } from './store/sqlite/sqlite-store';
import type { Store } from './store/store';

export interface RunningService {
  url: string;
  store: Store;
  stop(): Promise<void>;
}

type StoreConfig = Pick<Config, 'databasePath' | 'databaseBusyTimeoutMs' | 'fetchLogRetentionMs' | 'writeTransactionMaxMs' | 'countMax' | 'searchMaxCandidates'>;

/** The options every connection of the service opens the database with (plain data: the scheduler thread gets a copy). */
export function storeOptions(config: StoreConfig): SqliteStoreOptions {
  return {
    path: config.databasePath,
    busyTimeoutMs: config.databaseBusyTimeoutMs,
    migrationsDir: MIGRATIONS_DIR,
    fetchLogRetentionMs: config.fetchLogRetentionMs,
    writeTransactionMaxMs: config.writeTransactionMaxMs,
    countMax: config.countMax,
    searchMaxCandidates: config.searchMaxCandidates,
  };
}

/** Opens the database and brings its schema up to date. */
export function openStore(config: StoreConfig, log: Logger): SqliteStore {
  const store = SqliteStore.open(storeOptions(config));
  const { applied, current } = store.migration;
  if (applied.length > 0) log.info({ applied: applied.map((m) => `${m.version}_${m.name}`), current }, 'migrate: applied migrations');
  return store;
}

/** Loads the reference data (idempotent: a few hundred upserts that change nothing when nothing changed). */
async function loadReference(store: Store, referenceDataPath: string, log: Logger): Promise<void> {
  const reference = await store.loadReferenceData(readReferenceData(referenceDataPath));
  const changed = (c: { inserted: number; updated: number }) => c.inserted + c.updated > 0;
  if ([reference.foundations, reference.companies, reference.memberships, reference.feeds].some(changed)) {
    log.info(
      { foundations: reference.foundations, companies: reference.companies, memberships: reference.memberships, feeds: reference.feeds },
      'reference: loaded reference data',
    );
  }
  for (const conflict of reference.conflicts) log.warn({ conflict }, 'reference: kept an alias the database gives to another entity');
}

/**
 * Opens the database, brings its schema up to date and loads the reference data. What every
 * command but `migrate` needs.
 */
export async function openReadyStore(
  config: StoreConfig & Pick<Config, 'referenceDataPath'>,
  log: Logger,
): Promise<SqliteStore> {
  const store = openStore(config, log);
  try {
    await loadReference(store, config.referenceDataPath, log);
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * The composition root: config → database (migrated) → reference data → GraphQL schema → HTTP server
 * → feed scheduler, in a thread of its own (fetching, parsing and saving never delay a request; it
 * builds its fetcher and linker in scheduler-worker.ts).
 * Each step fails with a message naming what it could not do; nothing is left open on failure.
 */
export async function startService(config: Config, log: Logger): Promise<RunningService> {
  // Writes on this thread's connection (migrations, reference data); reads in READ_WORKERS threads,
  // each with its own connection, so that no query holds the thread that serves HTTP.
  // The same threads run GraphQL requests whole (parse, validate, execute), each with its own
  // Apollo server: the main thread only reads requests, answers repeats and writes responses.
  const thread = executorThread({ api: apiOptionsOf(config), logLevel: config.logLevel, logDestination: 1 });
  const store = await openPooledStore({ ...storeOptions(config), readWorkers: config.readWorkers, queryTimeoutMs: config.queryTimeoutMs, thread }, log);
  const { applied, current } = store.migration;
  if (applied.length > 0) log.info({ applied: applied.map((m) => `${m.version}_${m.name}`), current }, 'migrate: applied migrations');
  // What is open, closed in reverse order: the scheduler thread first (it cancels its fetches and
  // closes its own connection), live updates, the HTTP server, the database last.
  const opened: (() => unknown)[] = [() => store.close()];
  const closeAll = async () => {
    for (const close of opened.splice(0).reverse()) await close();
  };
  try {
    await loadReference(store, config.referenceDataPath, log);
    const schema = await buildApiSchema();
    const live = new ArticleWatcher(store, log);
    const server = await startHttpServer({ config, schema, store, log, live, execute: pooledExecutor(store.pool) });
    opened.push(() => server.stop(), () => live.stop());
    log.info({ url: `${server.url}/graphql`, database: config.databasePath }, 'serve: listening');
    if (config.fetchEnabled) {
      // Its own connection, same options; migrations and reference data are done by now.
      const scheduler = new SchedulerThread({ config, storeOptions: storeOptions(config), log, onFetched: (fetch) => server.metrics.fetched(fetch) });
      await scheduler.start();
      opened.push(() => scheduler.stop());
    } else {
      log.info('serve: feed scheduler off (FETCH_ENABLED=false)');
    }
    return {
      url: server.url,
      store,
      // Not ready from the first moment (/readyz 503, so a balancer stops sending traffic), then
      // everything closed in reverse order.
      stop: () => {
        server.markStopping();
        return closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

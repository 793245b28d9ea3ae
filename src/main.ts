import 'reflect-metadata';
import type { Config } from './config';
import { buildApiSchema } from './graphql/schema';
import { startHttpServer } from './http/server';
import { ArticleWatcher } from './live/article-watcher';
import type { Logger } from './log';
import { MIGRATIONS_DIR } from './paths';
import { readReferenceData } from './reference/load';
import { Scheduler } from './scheduler/scheduler';
import { SqliteStore } from './store/sqlite/sqlite-store';
import type { Store } from './store/store';

export interface RunningService {
  url: string;
  store: Store;
  stop(): Promise<void>;
}

/** Opens the database and brings its schema up to date. */
export function openStore(config: Pick<Config, 'databasePath' | 'databaseBusyTimeoutMs' | 'fetchLogRetentionMs'>, log: Logger): SqliteStore {
  const store = SqliteStore.open({
    path: config.databasePath,
    busyTimeoutMs: config.databaseBusyTimeoutMs,
    migrationsDir: MIGRATIONS_DIR,
    fetchLogRetentionMs: config.fetchLogRetentionMs,
  });
  const { applied, current } = store.migration;
  if (applied.length > 0) log.info({ applied: applied.map((m) => `${m.version}_${m.name}`), current }, 'migrate: applied migrations');
  return store;
}

/**
 * Opens the database, brings its schema up to date and loads the reference data (idempotent: a few
 * hundred upserts that change nothing when nothing changed). What every command but `migrate` needs.
 */
export async function openReadyStore(
  config: Pick<Config, 'databasePath' | 'databaseBusyTimeoutMs' | 'fetchLogRetentionMs' | 'referenceDataPath'>,
  log: Logger,
): Promise<SqliteStore> {
  const store = openStore(config, log);
  try {
    const reference = await store.loadReferenceData(readReferenceData(config.referenceDataPath));
    const changed = (c: { inserted: number; updated: number }) => c.inserted + c.updated > 0;
    if ([reference.foundations, reference.companies, reference.memberships, reference.feeds].some(changed)) {
      log.info(
        { foundations: reference.foundations, companies: reference.companies, memberships: reference.memberships, feeds: reference.feeds },
        'reference: loaded reference data',
      );
    }
    for (const conflict of reference.conflicts) log.warn({ conflict }, 'reference: kept an alias the database gives to another entity');
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * The composition root: config → database (migrated) → reference data → GraphQL schema → HTTP server
 * → feed scheduler.
 * Each step fails with a message naming what it could not do; nothing is left open on failure.
 */
export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const store = await openReadyStore(config, log);
  try {
    const schema = await buildApiSchema();
    const live = new ArticleWatcher(store, log);
    const server = await startHttpServer({ config, schema, store, log, live });
    log.info({ url: `${server.url}/graphql`, database: config.databasePath }, 'serve: listening');
    const scheduler = config.fetchEnabled ? new Scheduler({ store, config, log }) : null;
    scheduler?.start();
    if (!scheduler) log.info('serve: feed scheduler off (FETCH_ENABLED=false)');
    return {
      url: server.url,
      store,
      async stop() {
        // Fetches in flight are cancelled first, so that no write starts after the database closes.
        await scheduler?.stop();
        live.stop();
        await server.stop();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

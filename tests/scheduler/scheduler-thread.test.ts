import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { storeOptions } from '../../src/main';
import { readReferenceData } from '../../src/reference/load';
import { SchedulerThread } from '../../src/scheduler/scheduler-thread';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { buildFeed } from '../helpers/builders';
import { fixture, serve, startFeedServer, type FeedServer } from '../helpers/feed-server';
import { REFERENCE_FILE } from '../helpers/fresh-db';
import { onCleanup, tempDir } from '../helpers/temp';

// The thread runs dist/scheduler/scheduler-worker.js: `npm run build` first (npm test does).

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer({ '/cncf.xml': serve(fixture('cncf-news.xml'), { 'content-type': 'application/rss+xml', etag: '"v1"' }) });
  // Answers nothing, ever: a fetch in flight when the service stops.
  server.route('/hangs.xml', () => new Promise(() => undefined));
});

/** A migrated database with the reference data (its internet feeds disabled), as `serve` prepares it before starting the thread. */
async function prepared(feedPath: string) {
  const dir = tempDir();
  const config = loadConfig({ DATABASE_PATH: path.join(dir, 'service.db'), FETCH_ALLOW_PRIVATE_HOSTS: 'true', LOG_LEVEL: 'silent' });
  const store = SqliteStore.open(storeOptions(config));
  onCleanup(() => store.close());
  await store.loadReferenceData(readReferenceData(REFERENCE_FILE));
  store.db.prepare('UPDATE feeds SET disabled_at = 1').run();
  const feedId = buildFeed(store, { url: server.url(feedPath), foundation: 'cncf' });
  return { config, store, feedId };
}

function capturingLog() {
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

function thread(config: ReturnType<typeof loadConfig>, log: pino.Logger, restartDelayMs?: number): SchedulerThread {
  const scheduler = new SchedulerThread({ config, storeOptions: storeOptions(config), log, restartDelayMs });
  onCleanup(() => scheduler.stop().catch(() => undefined));
  return scheduler;
}

/** Waits (at most 10 s) for a condition on the database or the server. */
async function until(what: string, check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !check(); ) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const articleCount = (store: SqliteStore, feedId: number) =>
  store.db.prepare('SELECT COUNT(*) FROM articles WHERE feed_id = ?').pluck().get(feedId) as number;
const requestsTo = (pathname: string) => server.requests.filter((r) => r.path === pathname).length;

describe('the scheduler thread', () => {
  it('fetches and saves due feeds on its own connection, and on stop exits with its database closed', async () => {
    const { config, store, feedId } = await prepared('/cncf.xml');
    const scheduler = thread(config, capturingLog().log);
    await scheduler.start();
    await until('the feed saved', () => articleCount(store, feedId) === 3);
    const feed = store.db.prepare('SELECT etag, error_count AS errorCount FROM feeds WHERE id = ?').get(feedId);
    expect(feed).toEqual({ etag: '"v1"', errorCount: 0 });
    // Mentions linked in the thread, from the dictionary it read itself.
    expect(store.db.prepare('SELECT COUNT(*) FROM article_company_mentions').pluck().get()).toBeGreaterThan(0);

    await scheduler.stop();
    // SQLite removes the WAL file when the last connection closes: the thread's is closed too.
    await store.close();
    expect(fs.existsSync(`${config.databasePath}-wal`)).toBe(false);
  });

  it('reports each refreshed feed to the main thread (result, duration, new articles), for metrics', async () => {
    const { config, store, feedId } = await prepared('/cncf.xml');
    const fetched: unknown[] = [];
    const scheduler = new SchedulerThread({ config, storeOptions: storeOptions(config), log: capturingLog().log, onFetched: (f) => fetched.push(f) });
    onCleanup(() => scheduler.stop().catch(() => undefined));
    await scheduler.start();
    await until('the feed reported', () => fetched.length === 1);
    expect(articleCount(store, feedId)).toBe(3);
    expect(fetched).toEqual([{ result: 'new', durationMs: expect.any(Number), newCount: 3 }]);
    await scheduler.stop();
  });

  it('cancels a fetch in flight on stop, without holding it against the feed', async () => {
    const { config, store, feedId } = await prepared('/hangs.xml');
    const scheduler = thread(config, capturingLog().log);
    await scheduler.start();
    await until('the request', () => requestsTo('/hangs.xml') > 0);
    await scheduler.stop();
    const feed = store.db.prepare('SELECT last_fetched_at AS lastFetchedAt, error_count AS errorCount FROM feeds WHERE id = ?').get(feedId);
    expect(feed).toEqual({ lastFetchedAt: null, errorCount: 0 });
    expect(store.db.prepare('SELECT COUNT(*) FROM fetch_log').pluck().get()).toBe(0);
  });

  it('logs a crash of the thread and starts a new one after a pause, which resumes the schedule', async () => {
    const { config, store, feedId } = await prepared('/cncf.xml');
    const { log, lines } = capturingLog();
    const scheduler = thread(config, log, 300);
    await scheduler.start();
    await until('the first fetch saved', () => articleCount(store, feedId) === 3);
    const requests = requestsTo('/cncf.xml');
    // The thread dies (as on a fatal error); the feed is then due again, for its successor to fetch.
    await (scheduler as unknown as { worker: Worker }).worker.terminate();
    store.db.prepare('UPDATE feeds SET next_fetch_at = 0 WHERE id = ?').run(feedId);
    await until('a fetch by the restarted thread', () => requestsTo('/cncf.xml') > requests);
    await until('its save', () => (store.db.prepare('SELECT next_fetch_at FROM feeds WHERE id = ?').pluck().get(feedId) as number) > 0);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, 'scheduler: the scheduler thread stopped unexpectedly'],
      [40, 'scheduler: restarting the scheduler thread after a pause'],
      [30, 'scheduler: scheduler thread restarted'],
    ]);
    await scheduler.stop();
  });

  it('fails to start, naming why, when the thread cannot open its database (and does not retry)', async () => {
    const { config } = await prepared('/cncf.xml');
    const { log, lines } = capturingLog();
    const scheduler = new SchedulerThread({ config, storeOptions: { ...storeOptions(config), migrationsDir: path.join(tempDir(), 'none') }, log, restartDelayMs: 10 });
    await expect(scheduler.start()).rejects.toThrow(/^scheduler: unable to start the scheduler thread \(MigrationError: migrate: unable to read .*none/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toEqual([]);
    await scheduler.stop();
  });
});

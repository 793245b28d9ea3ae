import { Worker } from 'node:worker_threads';
import type { Config } from '../config';
import { describeError } from '../errors';
import type { Logger } from '../log';
import { threadScript } from '../paths';
import type { SqliteStoreOptions } from '../store/sqlite/sqlite-store';
import type { FetchResultKind } from '../store/types';

/** What the thread starts from (structured-cloned, so plain data only: no callbacks among the store options). */
export interface SchedulerThreadData {
  config: Config;
  storeOptions: Omit<SqliteStoreOptions, 'onStatement' | 'now'>;
  /** Where its JSON log lines go: 1 for the service (standard output), as the main thread's. */
  logDestination: 1 | 2;
}

/** Sent by the thread once its connection is open and its scheduler running. */
export type SchedulerThreadReady = { type: 'ready' };
/** Sent to the thread to end it: fetches in flight are cancelled, the connection closed, then the thread exits. */
export type SchedulerThreadStop = { type: 'stop' };
/** Sent by the thread after each feed it refreshed (for metrics). */
export type SchedulerThreadFetched = { type: 'fetched'; fetch: FetchSummary };

/** One refresh of a feed, as metrics count it. */
export interface FetchSummary {
  result: FetchResultKind;
  durationMs: number;
  newCount: number;
}

const WORKER_SCRIPT = threadScript('scheduler/scheduler-worker.js');

/** Longest pause before restarting a thread that keeps crashing. */
const MAX_RESTART_DELAY_MS = 5 * 60_000;

export interface SchedulerThreadOptions {
  config: Config;
  storeOptions: SchedulerThreadData['storeOptions'];
  log: Logger;
  logDestination?: 1 | 2;
  /** Pause before restarting a crashed thread (default 5 s), doubling with each crash in a row, at most 5 minutes. */
  restartDelayMs?: number;
  /** Called on this thread after each feed the scheduler refreshed. */
  onFetched?: (fetch: FetchSummary) => void;
}

/**
 * The feed scheduler of the service (fetch, decode, parse, normalize, link, save) in a worker thread
 * with its own SQLite connection, so that parsing a big feed or saving it never delays an HTTP
 * request of the main thread. The database is the only thing the two threads share: new articles
 * reach subscribers through it (ArticleWatcher), as they do from a `fetch` run in another process.
 *
 * A thread that dies (a bug, running out of memory on a hostile feed) is logged and restarted after
 * a pause rather than taking the API down with it: the schedule lives in the database, so the new
 * thread resumes it, and a save cut short is completed by the feed's next fetch. The pause doubles
 * while it keeps dying, so a feed that crashes it every time costs a log line every few minutes.
 */
export class SchedulerThread {
  private worker: Worker | null = null;
  private exited: Promise<number> = Promise.resolve(0);
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private crashesInARow = 0;
  private readyAt = 0;

  constructor(private readonly options: SchedulerThreadOptions) {}

  /** Starts the thread; resolves once its scheduler runs, rejects (the thread gone) when it cannot start. */
  start(): Promise<void> {
    if (this.worker || this.stopping) return Promise.resolve();
    return this.spawn();
  }

  /**
   * Stops the thread: its fetches in flight are cancelled, saves under way finish, its connection is
   * closed. Resolves once the thread has exited; rejects when it did not exit cleanly.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      if (this.restartTimer) clearTimeout(this.restartTimer);
      const worker = this.worker;
      if (!worker) return;
      worker.postMessage({ type: 'stop' } satisfies SchedulerThreadStop);
      const code = await this.exited;
      if (code !== 0) throw new Error(`scheduler: the scheduler thread exited with code ${code} while stopping`);
    })();
    return this.stopped;
  }

  private spawn(): Promise<void> {
    const { config, storeOptions, log } = this.options;
    const workerData: SchedulerThreadData = { config, storeOptions, logDestination: this.options.logDestination ?? 1 };
    const worker = new Worker(WORKER_SCRIPT, { workerData, name: 'scheduler' });
    this.worker = worker;
    let failure: unknown = null;
    worker.on('error', (err) => {
      failure = err;
    });
    let resolveExit!: (code: number) => void;
    this.exited = new Promise((resolve) => (resolveExit = resolve));
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: SchedulerThreadReady | SchedulerThreadFetched) => {
        if (message.type === 'fetched') {
          this.options.onFetched?.(message.fetch);
          return;
        }
        if (message.type !== 'ready' || ready) return;
        ready = true;
        this.readyAt = Date.now();
        resolve();
      });
      worker.on('exit', (code) => {
        this.worker = null;
        resolveExit(code);
        const cause = failure ? describeError(failure) : `exit code ${code}`;
        if (!ready) reject(new Error(`scheduler: unable to start the scheduler thread (${cause})`, { cause: failure ?? undefined }));
        if (this.stopping) return;
        // The first start failing fails the service's start (above): nothing to restart.
        if (!ready && this.crashesInARow === 0) return;
        if (ready) {
          log.error({ err: failure ?? undefined, code }, 'scheduler: the scheduler thread stopped unexpectedly');
          if (Date.now() - this.readyAt > MAX_RESTART_DELAY_MS) this.crashesInARow = 0;
        }
        this.restartLater(cause);
      });
    });
  }

  /** Restarts a crashed thread after the pause, and again (longer) when the restart fails. */
  private restartLater(cause: string): void {
    const { log } = this.options;
    this.crashesInARow++;
    const delay = Math.min(MAX_RESTART_DELAY_MS, (this.options.restartDelayMs ?? 5000) * 2 ** (this.crashesInARow - 1));
    log.warn({ cause, delayMs: delay, crashesInARow: this.crashesInARow }, 'scheduler: restarting the scheduler thread after a pause');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.spawn().then(
        () => log.info('scheduler: scheduler thread restarted'),
        () => undefined, // logged by the exit handler, which schedules the next try
      );
    }, delay);
    // A pending restart alone does not keep the process alive.
    this.restartTimer.unref();
  }
}

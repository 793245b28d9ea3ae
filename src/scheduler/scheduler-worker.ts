/**
 * The entry point of the scheduler thread (started by SchedulerThread, scheduler-thread.ts): the
 * composition root of ingestion inside the service. It opens its own connection with the service's
 * options (the main thread has migrated the database and loaded the reference data, so opening it
 * takes no write lock), builds the fetcher and the linker source, and runs the Scheduler until told
 * to stop.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createFetcher } from '../ingest/fetch';
import { loadLinker } from '../ingest/link';
import { createLogger } from '../log';
import { SqliteStore } from '../store/sqlite/sqlite-store';
import type { SchedulerThreadData, SchedulerThreadFetched, SchedulerThreadReady, SchedulerThreadStop } from './scheduler-thread';
import { Scheduler } from './scheduler';

/** Niceness of this thread: ingestion yields the CPU to the threads answering requests. */
const INGEST_NICENESS = 10;

/**
 * Lowers this thread's CPU priority, so that parsing a 40 MB feed on a busy core delays requests as
 * little as the kernel can arrange. Linux gives each thread its own niceness: setpriority on the
 * thread's id (read from /proc/thread-self) touches this thread only. Elsewhere, nothing is done.
 */
function lowerPriority(log: ReturnType<typeof createLogger>): void {
  if (process.platform !== 'linux') return;
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid !== process.pid) os.setPriority(tid, Math.max(os.getPriority(tid), INGEST_NICENESS));
  } catch (err) {
    log.debug({ err }, 'scheduler: unable to lower the priority of the scheduler thread; it runs at the process priority');
  }
}

async function run(port: NonNullable<typeof parentPort>, data: SchedulerThreadData): Promise<void> {
  const config = Object.freeze(data.config);
  const log = createLogger(config.logLevel, data.logDestination).child({ thread: 'scheduler' });
  lowerPriority(log);
  let stopRequested = false;
  let stop: () => void = () => (stopRequested = true);
  // Listening first, so that a stop sent while the connection opens is not lost.
  port.on('message', (message: SchedulerThreadStop) => {
    if (message.type === 'stop') stop();
  });
  const store = SqliteStore.open(data.storeOptions);
  const fetcher = createFetcher(config);
  const scheduler = new Scheduler({
    store,
    fetcher,
    // Read at the start of each round, so a relink or new reference data applies from the next.
    loadLinker: () => loadLinker(store),
    config,
    log,
    onReport: (report) =>
      port.postMessage({
        type: 'fetched',
        fetch: { result: report.result, durationMs: report.durationMs, newCount: report.newCount },
      } satisfies SchedulerThreadFetched),
  });
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
    if (stopRequested) resolve();
  });
  scheduler.start();
  port.postMessage({ type: 'ready' } satisfies SchedulerThreadReady);
  await stopped;
  // Fetches in flight are cancelled first, so that no write starts after the connection closes.
  await scheduler.stop();
  await fetcher.close();
  await store.close();
  // Nothing else keeps the thread alive once its port is closed: it exits with code 0.
  port.close();
}

if (!parentPort) throw new Error('scheduler: scheduler-worker.js runs as a worker thread (SchedulerThread), not on its own');
// A failure to start rejects here: the thread dies with it and SchedulerThread reports it.
void run(parentPort, workerData as SchedulerThreadData);

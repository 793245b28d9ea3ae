/**
 * The entry point of a read worker (started by ReadPool, read-pool.ts): the store's reads on the
 * thread's own read-only connection (serveReads, read-thread.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ReadWorkerData } from './read-pool';
import { serveReads } from './read-thread';

if (!parentPort) throw new Error('store: read-worker.js runs as a worker thread (ReadPool), not on its own');
// A connection that cannot open rejects, unhandled: the thread dies with that error and ReadPool reports it.
void serveReads(parentPort, (workerData as ReadWorkerData).storeOptions);

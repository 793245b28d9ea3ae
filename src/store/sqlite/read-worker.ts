/**
 * The entry point of a read worker (started by ReadPool, read-pool.ts): a SqliteStore on its own
 * read-only connection, running one request at a time and posting back its result or its error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { READ_METHODS } from './pooled-store';
import { serializeError, type ReadReply, type ReadRequest, type ReadWorkerData } from './read-pool';
import { SqliteStore } from './sqlite-store';

/**
 * Test-only methods. `__sleep` blocks the thread for `ms` as a long native SQLite call would (it
 * answers no message meanwhile), so that tests can run past the time budget without a slow query;
 * `__exit` ends the thread as a crash would.
 */
const DIAGNOSTICS: Record<string, (...args: never[]) => unknown> = {
  __sleep: (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms),
  __exit: (code: number) => process.exit(code),
};

function start(port: NonNullable<typeof parentPort>, data: ReadWorkerData): void {
  const store = SqliteStore.openReader(data.storeOptions);
  const methods = new Set<string>(READ_METHODS);

  async function run(method: string, args: unknown[]): Promise<unknown> {
    if (Object.hasOwn(DIAGNOSTICS, method)) return DIAGNOSTICS[method](...(args as never[]));
    if (!methods.has(method)) throw new Error(`store: ${method} is not a read method of the store`);
    // One read transaction per call: a method of several statements reads one snapshot, as it did
    // on the main thread, where no write could come between its statements.
    store.db.exec('BEGIN');
    try {
      return await (store[method as keyof SqliteStore] as (...a: unknown[]) => Promise<unknown>)(...args);
    } finally {
      if (store.db.inTransaction) store.db.exec('COMMIT');
    }
  }

  // The pool sends one request at a time and the next only after the reply.
  port.on('message', ({ id, method, args }: ReadRequest) => {
    run(method, args).then(
      (value) => {
        try {
          port.postMessage({ type: 'result', id, value } satisfies ReadReply);
        } catch (err) {
          // A result that cannot be cloned: an error of the caller's call, not of the thread.
          port.postMessage({ type: 'error', id, error: serializeError(err) } satisfies ReadReply);
        }
      },
      (err: unknown) => port.postMessage({ type: 'error', id, error: serializeError(err) } satisfies ReadReply),
    );
  });
  port.postMessage({ type: 'ready' } satisfies ReadReply);
}

if (!parentPort) throw new Error('store: read-worker.js runs as a worker thread (ReadPool), not on its own');
// A connection that cannot open throws here: the thread dies with it and ReadPool reports the error.
start(parentPort, workerData as ReadWorkerData);

/**
 * What every read thread of a ReadPool does (read-pool.ts): a SqliteStore on its own read-only
 * connection, running one request at a time, each in one read transaction, and posting back its
 * result or its error. read-worker.ts runs just this; a thread script with methods of its own (the
 * GraphQL executor, graphql/executor-thread.ts) passes them as `methods`.
 */
import type { MessagePort } from 'node:worker_threads';
import { READ_METHODS } from './pooled-store';
import { serializeError, type ReadReply, type ReadRequest, type ReaderStoreOptions } from './read-pool';
import { SqliteStore } from './sqlite-store';

/** A thread's own method: runs inside the call's read transaction, on the thread's store. */
export type ThreadMethod = (...args: never[]) => Promise<unknown> | unknown;

/**
 * Test-only methods. `__sleep` blocks the thread for `ms` as a long native SQLite call would (it
 * answers no message meanwhile), so that tests can run past the time budget without a slow query;
 * `__exit` ends the thread as a crash would.
 */
const DIAGNOSTICS: Record<string, ThreadMethod> = {
  __sleep: (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms),
  __exit: (code: number) => process.exit(code),
};

/** Opens the thread's connection; `methods(store)` gives the thread's own methods; then answers the pool. */
export async function serveReads(
  port: MessagePort,
  storeOptions: ReaderStoreOptions,
  methods: (store: SqliteStore) => Record<string, ThreadMethod> | Promise<Record<string, ThreadMethod>> = () => ({}),
): Promise<void> {
  const store = SqliteStore.openReader(storeOptions);
  const reads = new Set<string>(READ_METHODS);
  const own = await methods(store);

  async function run(method: string, args: unknown[]): Promise<unknown> {
    if (Object.hasOwn(DIAGNOSTICS, method)) return DIAGNOSTICS[method](...(args as never[]));
    const call = Object.hasOwn(own, method)
      ? own[method]
      : reads.has(method)
        ? (store[method as keyof SqliteStore] as ThreadMethod).bind(store)
        : null;
    if (!call) throw new Error(`store: ${method} is not a read method of the store`);
    // One read transaction per call: a method of several statements (or a whole GraphQL request)
    // reads one snapshot, as it did on the main thread, where no write could come between them.
    store.db.exec('BEGIN');
    try {
      return await call(...(args as never[]));
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

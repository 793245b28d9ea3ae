import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { BadInputError, QueryTimeoutError, StoreError, describeError } from '../../errors';
import type { Logger } from '../../log';
import { threadScript } from '../../paths';
import type { SqliteStoreOptions } from './sqlite-store';

/** The store options a worker opens its connection with (structured-cloned: plain data, no callbacks). */
export type ReaderStoreOptions = Omit<SqliteStoreOptions, 'onStatement' | 'now'>;

/** What a worker starts from. */
export interface ReadWorkerData {
  storeOptions: ReaderStoreOptions;
  /** What a thread script other than read-worker.js needs besides (ReadPoolOptions.thread). */
  extra?: unknown;
}

/** Main thread → worker: run one method of its SqliteStore. */
export interface ReadRequest {
  id: number;
  method: string;
  args: unknown[];
}

/** Worker → main thread: its connection is open, or the outcome of one request. */
export type ReadReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError };

/** An error as it crosses the thread boundary (a structured clone keeps neither class nor code). */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, code: typeof code === 'string' ? code : undefined, stack: err.stack };
}

/**
 * The same class where callers branch on it: BadInputError becomes BAD_USER_INPUT in the API, a
 * StoreError keeps its code. Anything else is a plain Error with the message; the worker's stack is
 * kept in `cause`, since the main thread's would only show the message port.
 */
function deserializeError(error: SerializedError): Error {
  const cause = error.stack ? { cause: Object.assign(new Error(error.message), { name: error.name, stack: error.stack }) } : undefined;
  if (error.name === 'BadInputError') return new BadInputError(error.message);
  if (error.name === 'StoreError') return new StoreError(error.code ?? 'STORE_FAILED', error.message, cause);
  return new Error(error.message, cause);
}

const WORKER_SCRIPT = threadScript('store/sqlite/read-worker.js');

/**
 * The young generation of each thread's heap, where a request's short-lived objects live. V8 sizes
 * it from the machine's memory; under load each thread grew to it, and the service with two threads
 * peaked at 430 MB. At 24 MB (semi-spaces of 8 MB, as `npm start` and the image give the main
 * thread with --max-semi-space-size=8) it peaks under 300 MB at the same throughput (npm run bench).
 */
const YOUNG_GENERATION_MB = 24;

/** Pauses before starting again a worker that failed to start (the file gone, out of memory), doubling, at most this. */
const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 30_000;

export interface ReadPoolOptions {
  storeOptions: ReaderStoreOptions;
  /** READ_WORKERS: how many threads; 0 gives one per core (os.availableParallelism()). */
  workers: number;
  /** QUERY_TIMEOUT: longest one call may run in a worker before the worker is stopped. */
  queryTimeoutMs: number;
  log: Logger;
  /** Longest close() waits for the calls under way and queued (default 5 s). */
  closeTimeoutMs?: number;
  /** Calls that may wait for a thread; past it a call is refused at once with READ_POOL_BUSY (default 64 per thread). */
  maxQueued?: number;
  /** Longest a call waits for a thread before it is refused with READ_POOL_BUSY (default: queryTimeoutMs + 1 s). */
  maxQueueWaitMs?: number;
  /**
   * The script each thread runs, when not read-worker.js: one that answers the store's reads as
   * read-worker.js does (serveReads, read-thread.ts) and methods of its own, from `extra`.
   */
  thread?: { script: string; extra: unknown; name: string };
}

export interface CallOptions {
  /** Aborted when the caller no longer wants the answer (the client went away): a queued call is dropped. */
  signal?: AbortSignal;
  /**
   * Added to the budget for this call: a thread that keeps its own deadline (the GraphQL executor
   * answers QUERY_TIMEOUT itself between fields) gets the time to say so before it is stopped.
   */
  graceMs?: number;
}

export interface ReadPoolStats {
  /** Threads in the pool (running or starting), not counting those stopped after a timeout. */
  workers: number;
  /** Threads running a call. */
  busy: number;
  /** Calls waiting for a thread. */
  queued: number;
  /** Calls stopped for running past the budget, since the start. */
  timeouts: number;
  /** Threads started to replace one stopped after a timeout or crashed, since the start. */
  restarts: number;
}

interface Call {
  id: number;
  method: string;
  args: unknown[];
  graceMs: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  timer?: NodeJS.Timeout;
  /** While queued: the wait's bound, and the caller's abort listener. */
  queueTimer?: NodeJS.Timeout;
  unlisten?: () => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** The call it runs; null when idle. */
  call: Call | null;
  /** Stopped after a timeout: whatever it does from then on is ignored. */
  retired: boolean;
}

/**
 * Worker threads that run the store's reads, each on its own read-only connection, so that a slow
 * query delays only its caller, never the event loop that serves HTTP. WAL mode lets the readers
 * read beside each other and beside the writer (the main thread's connection).
 *
 * Each call goes to an idle worker, or waits in a FIFO queue. A call has a time budget from the
 * moment a worker takes it: better-sqlite3 cannot interrupt a statement, so a call past its budget
 * is rejected with QueryTimeoutError, its thread terminated (it may finish its native call in the
 * background, holding only a read snapshot, which blocks no writer) and a fresh one started in its
 * place, so the pool stays at full strength. A thread that crashes fails its call and is replaced.
 */
export class ReadPool {
  private readonly slots = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly queue: Call[] = [];
  /** Threads terminated after a timeout that may not have exited yet. */
  private readonly retired = new Set<Promise<unknown>>();
  private readonly size: number;
  private nextId = 1;
  private timeouts = 0;
  private restarts = 0;
  private started = false;
  private closing: Promise<void> | null = null;
  private onDrained: (() => void) | null = null;
  private startFailuresInARow = 0;
  private restartTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly options: ReadPoolOptions) {
    this.size = options.workers > 0 ? options.workers : os.availableParallelism();
  }

  /** Starts every worker; resolves once each has its connection open, rejects (nothing left running) when one cannot. */
  static async start(options: ReadPoolOptions): Promise<ReadPool> {
    const pool = new ReadPool(options);
    try {
      await Promise.all(Array.from({ length: pool.size }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    pool.started = true;
    return pool;
  }

  /** Runs `method(...args)` on a worker's store; the arguments and the result are structured-cloned. */
  call<T>(method: string, args: unknown[], options: CallOptions = {}): Promise<T> {
    if (this.closing) return Promise.reject(new StoreError('READ_POOL_CLOSED', `store: unable to run ${method}: the database is closing`));
    return new Promise<T>((resolve, reject) => {
      const call: Call = { id: this.nextId++, method, args, graceMs: options.graceMs ?? 0, resolve: resolve as (value: unknown) => void, reject };
      const slot = this.idle.pop();
      if (slot) return this.run(slot, call);
      // Every thread is busy: the call waits, within bounds. A flood of slow requests is refused
      // rather than queued without end (each waiting call would hold its connection, and a probe
      // or a cheap query behind them would wait for all of them).
      const maxQueued = this.options.maxQueued ?? 64 * this.size;
      if (this.queue.length >= maxQueued) return reject(this.busy(`${maxQueued} calls are already waiting`));
      this.queue.push(call);
      // By default the budget and a second more: a call queued behind one that times out still gets
      // the replacement thread (whose start takes a moment).
      const waitMs = this.options.maxQueueWaitMs ?? this.options.queryTimeoutMs + 1000;
      call.queueTimer = setTimeout(() => this.dropQueued(call, this.busy(`no thread was free for ${waitMs} ms`)), waitMs);
      const signal = options.signal;
      if (signal) {
        const onAbort = () => this.dropQueued(call, new StoreError('READ_CALL_ABANDONED', `store: ${method} was abandoned by its caller before it ran`));
        signal.addEventListener('abort', onAbort, { once: true });
        call.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
    });
  }

  private busy(why: string): StoreError {
    return new StoreError('READ_POOL_BUSY', `store: every read thread is busy (${why}): try again shortly`);
  }

  /** Takes a call out of the queue (it waited too long, or its caller left) and fails it. */
  private dropQueued(call: Call, err: Error): void {
    const i = this.queue.indexOf(call);
    if (i === -1) return;
    this.queue.splice(i, 1);
    clearTimeout(call.queueTimer);
    call.unlisten?.();
    call.reject(err);
    this.checkDrained();
  }

  stats(): ReadPoolStats {
    let busy = 0;
    for (const slot of this.slots) if (slot.call) busy++;
    return { workers: this.slots.size, busy, queued: this.queue.length, timeouts: this.timeouts, restarts: this.restarts };
  }

  /**
   * Refuses new calls, lets those under way and queued finish (each within its budget) for at most
   * closeTimeoutMs, fails what is left, then ends every thread, those stopped after a timeout too
   * (for as long again: one stuck in a native call ends when the call returns).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.restartTimer) clearTimeout(this.restartTimer);
      const bound = this.options.closeTimeoutMs ?? 5000;
      await withBound(this.drained(), bound);
      const closed = (call: Call) => {
        clearTimeout(call.timer);
        call.reject(new StoreError('READ_POOL_CLOSED', `store: ${call.method} did not finish before the database closed`));
      };
      this.queue.splice(0).forEach((call) => {
        clearTimeout(call.queueTimer);
        call.unlisten?.();
        closed(call);
      });
      const exits: Promise<unknown>[] = [...this.retired];
      for (const slot of this.slots) {
        if (slot.call) closed(slot.call);
        slot.call = null;
        slot.retired = true;
        // The addon closes the thread's connection as the thread ends (an environment cleanup hook).
        exits.push(slot.worker.terminate());
      }
      this.slots.clear();
      this.idle.length = 0;
      await withBound(Promise.allSettled(exits), bound);
    })();
    return this.closing;
  }

  private spawn(): Promise<void> {
    const { storeOptions, thread } = this.options;
    const workerData: ReadWorkerData = { storeOptions, extra: thread?.extra };
    const worker = new Worker(thread?.script ?? WORKER_SCRIPT, {
      workerData,
      name: thread?.name ?? 'store-reader',
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const slot: Slot = { worker, ready: false, call: null, retired: false };
    this.slots.add(slot);
    let failure: unknown = null;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: ReadReply) => {
        if (slot.retired) return;
        if (reply.type === 'ready') {
          slot.ready = true;
          this.startFailuresInARow = 0;
          resolve();
          this.release(slot);
        } else {
          this.settle(slot, reply);
        }
      });
      // Kept on retired threads too: an 'error' event without a listener would throw here.
      worker.on('error', (err) => {
        failure = err;
      });
      worker.on('exit', (code) => {
        if (slot.retired) return;
        this.slots.delete(slot);
        const i = this.idle.indexOf(slot);
        if (i !== -1) this.idle.splice(i, 1);
        const cause = failure ? describeError(failure) : `exit code ${code}`;
        if (!slot.ready) {
          reject(new StoreError('READ_WORKER_START_FAILED', `store: unable to start a read worker (${cause})`, { cause: failure ?? undefined }));
        }
        const call = slot.call;
        if (call) {
          slot.call = null;
          clearTimeout(call.timer);
          call.reject(new StoreError('READ_WORKER_FAILED', `store: the read worker running ${call.method} stopped unexpectedly (${cause})`, { cause: failure ?? undefined }));
          this.checkDrained();
        }
        // A thread that fails while the pool starts fails the start (above): nothing to replace.
        if (this.closing || (!this.started && !slot.ready)) return;
        this.options.log.error({ err: failure ?? undefined, code, method: call?.method }, 'store: a read worker stopped unexpectedly; starting another');
        this.replace(slot.ready);
      });
    });
  }

  /** Starts a thread in place of one gone: at once after a crash in a call, after a growing pause when it could not even start. */
  private replace(wasReady: boolean): void {
    this.restarts++;
    const again = () => void this.spawn().catch(() => undefined); // a failed start is handled by its exit handler
    if (wasReady) return again();
    const delay = Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** this.startFailuresInARow++);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.closing) again();
    }, delay);
    this.restartTimer.unref();
  }

  private run(slot: Slot, call: Call): void {
    clearTimeout(call.queueTimer);
    call.unlisten?.();
    slot.call = call;
    try {
      slot.worker.postMessage({ id: call.id, method: call.method, args: call.args } satisfies ReadRequest);
    } catch (err) {
      // An argument that cannot be cloned (a function): the caller's mistake; the thread is fine.
      slot.call = null;
      call.reject(new StoreError('READ_CALL_INVALID', `store: unable to send ${call.method} to a read worker: ${describeError(err)}`, { cause: err }));
      this.release(slot);
      return;
    }
    call.timer = setTimeout(() => this.timeOut(slot), this.options.queryTimeoutMs + call.graceMs);
  }

  private settle(slot: Slot, reply: Exclude<ReadReply, { type: 'ready' }>): void {
    const call = slot.call;
    if (!call || call.id !== reply.id) return;
    slot.call = null;
    clearTimeout(call.timer);
    if (reply.type === 'result') call.resolve(reply.value);
    else call.reject(deserializeError(reply.error));
    this.release(slot);
  }

  /** The thread takes the next queued call, or waits for one. */
  private release(slot: Slot): void {
    const next = this.queue.shift();
    if (next) this.run(slot, next);
    else {
      this.idle.push(slot);
      this.checkDrained();
    }
  }

  private timeOut(slot: Slot): void {
    const call = slot.call!;
    slot.call = null;
    slot.retired = true;
    this.slots.delete(slot);
    this.timeouts++;
    const { queryTimeoutMs, log } = this.options;
    call.reject(new QueryTimeoutError(queryTimeoutMs));
    log.warn({ method: call.method, budgetMs: queryTimeoutMs }, 'store: a read ran past its time budget; its worker was stopped and replaced');
    // A thread still in a native call ends only when the call returns: it must not keep the process alive.
    slot.worker.unref();
    const exited = slot.worker.terminate().finally(() => this.retired.delete(exited));
    this.retired.add(exited);
    if (this.closing) this.checkDrained();
    else this.replace(true);
  }

  /** Resolves once no call is under way or queued. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      this.onDrained = resolve;
      this.checkDrained();
    });
  }

  private checkDrained(): void {
    if (!this.onDrained || this.queue.length > 0) return;
    for (const slot of this.slots) if (slot.call) return;
    this.onDrained();
    this.onDrained = null;
  }
}

/** Waits for the promise, at most `ms`. */
async function withBound(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

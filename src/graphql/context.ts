import { QueryTimeoutError } from '../errors';
import type { ArticleWatcher } from '../live/article-watcher';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import type { RequestOutcome } from './executor';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver receives: the store, this request's loaders, a logger, and the live article feed. */
export interface Context {
  store: Store;
  loaders: Loaders;
  log: Logger;
  /** New articles as they are stored (subscriptions); absent where nothing serves them. */
  live?: ArticleWatcher;
  /**
   * What the request came to, set as its response is sent (outcomePlugin), for metrics. A box:
   * Apollo runs each operation on a shallow copy of the context, so only a shared object carries it out.
   */
  readonly outcome: { current: RequestOutcome | null };
}

/**
 * A request's context. With `timeoutMs` (QUERY_TIMEOUT, for queries over HTTP; a subscription lives
 * longer), the store fails every read once that time has passed since the request began, so a
 * query past its budget stops at its next read, with the fields resolved until then.
 */
export function createContext(store: Store, log: Logger, live?: ArticleWatcher, timeoutMs?: number): Context {
  const scoped = timeoutMs === undefined ? store : storeWithDeadline(store, timeoutMs);
  return { store: scoped, loaders: createLoaders(scoped), log, live, outcome: { current: null } };
}

/** The store, whose methods reject with QueryTimeoutError once `timeoutMs` has passed from now. */
export function storeWithDeadline(store: Store, timeoutMs: number, now: () => number = Date.now): Store {
  const deadline = now() + timeoutMs;
  return new Proxy(store, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (now() > deadline ? Promise.reject(new QueryTimeoutError(timeoutMs)) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

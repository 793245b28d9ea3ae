import type { ArticleWatcher } from '../live/article-watcher';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver receives: the store, this request's loaders, a logger, and the live article feed. */
export interface Context {
  store: Store;
  loaders: Loaders;
  log: Logger;
  /** New articles as they are stored (subscriptions); absent where nothing serves them. */
  live?: ArticleWatcher;
}

export function createContext(store: Store, log: Logger, live?: ArticleWatcher): Context {
  return { store, loaders: createLoaders(store), log, live };
}

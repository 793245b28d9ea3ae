import type { Logger } from '../log';
import type { Store } from '../store/store';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver receives: the store, this request's loaders, and a logger. */
export interface Context {
  store: Store;
  loaders: Loaders;
  log: Logger;
}

export function createContext(store: Store, log: Logger): Context {
  return { store, loaders: createLoaders(store), log };
}

import pino from 'pino';
import { createFetcher, type FetcherConfig } from '../../src/ingest/fetch';
import { Linker } from '../../src/ingest/link';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler';
import type { Store } from '../../src/store/store';
import { onCleanup } from './temp';

type TestFetchConfig = SchedulerOptions['config'] & FetcherConfig;

/** Fetch settings for tests: feeds on 127.0.0.1 allowed, short timeouts. */
export const TEST_FETCH_CONFIG: TestFetchConfig = {
  fetchConcurrency: 8,
  fetchMinIntervalMs: 15 * 60_000,
  fetchMaxIntervalMs: 24 * 3_600_000,
  fetchTimeoutMs: 5000,
  fetchConnectTimeoutMs: 2000,
  fetchMaxBodyBytes: 10 * 1024 * 1024,
  fetchAllowPrivateHosts: true,
};

/**
 * A scheduler over the store with the test settings (overridable), built as the composition roots
 * build theirs (createFetcher, a linker from the store's dictionary); stopped, and its fetcher
 * closed, after the test file.
 */
export function testScheduler(
  store: Store,
  options: Partial<Omit<SchedulerOptions, 'store' | 'config'>> & { config?: Partial<TestFetchConfig> } = {},
): Scheduler {
  const config = { ...TEST_FETCH_CONFIG, ...options.config };
  const fetcher = options.fetcher ?? createFetcher(config);
  const scheduler = new Scheduler({
    log: pino({ level: 'silent' }),
    loadLinker: async () => new Linker(await store.loadEntityDictionary()),
    ...options,
    fetcher,
    store,
    config,
  });
  onCleanup(async () => {
    await scheduler.stop();
    if (!options.fetcher) await fetcher.close();
  });
  return scheduler;
}

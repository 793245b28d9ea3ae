import pino from 'pino';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler';
import type { Store } from '../../src/store/store';
import { onCleanup } from './temp';

/** Fetch settings for tests: feeds on 127.0.0.1 allowed, short timeouts. */
export const TEST_FETCH_CONFIG: SchedulerOptions['config'] = {
  fetchConcurrency: 8,
  fetchMinIntervalMs: 15 * 60_000,
  fetchMaxIntervalMs: 24 * 3_600_000,
  fetchTimeoutMs: 5000,
  fetchConnectTimeoutMs: 2000,
  fetchMaxBodyBytes: 10 * 1024 * 1024,
  fetchAllowPrivateHosts: true,
};

/** A scheduler over the store with the test settings (overridable), stopped after the test file. */
export function testScheduler(store: Store, options: Partial<Omit<SchedulerOptions, 'store' | 'config'>> & { config?: Partial<SchedulerOptions['config']> } = {}): Scheduler {
  const scheduler = new Scheduler({
    log: pino({ level: 'silent' }),
    ...options,
    store,
    config: { ...TEST_FETCH_CONFIG, ...options.config },
  });
  onCleanup(() => scheduler.stop());
  return scheduler;
}

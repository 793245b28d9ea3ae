import type { Config } from '../config';
import type { Fetcher } from '../ingest/fetch';
import type { Linker } from '../ingest/link';
import { refreshFeed, type RefreshReport } from '../ingest/refresh-feed';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import type { FeedRecord } from '../store/types';
import { hostOfUrl, runPerHost } from './pool';

// Kept for callers that still take the user agent from here; it lives beside the Fetcher now.
export { userAgent } from '../ingest/fetch';

export type FetchSelection = { due: true } | { all: true } | { url: string };

export interface SchedulerOptions {
  store: Store;
  /** The HTTP client, built and closed by the caller (createFetcher). */
  fetcher: Fetcher;
  /**
   * The entity linker for a round of fetches, called at the start of each round, so a relink or new
   * reference data applies from the next round.
   */
  loadLinker: () => Promise<Linker>;
  config: Pick<Config, 'fetchConcurrency' | 'fetchMinIntervalMs' | 'fetchMaxIntervalMs'>;
  log: Logger;
  now?: () => number;
  random?: () => number;
  /** Called after each feed, e.g. for progress on a terminal or live updates. */
  onReport?: (report: RefreshReport) => void;
}

/** Longest sleep of the loop when nothing is due, so feeds added by another process are noticed. */
const IDLE_POLL_MS = 60_000;
const BATCH = 500;

/**
 * Fetches feeds when they are due. Its state is the feeds' next-fetch times in the database, so a
 * restart resumes the schedule. Runs in the service's scheduler thread (`start`/`stop`) and for
 * one-off runs of the `fetch` command (`runOnce`).
 */
export class Scheduler {
  private readonly now: () => number;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private stopped: Promise<void> | null = null;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Fetches the selected feeds once, each feed at most once, and returns what happened to each. */
  async runOnce(selection: FetchSelection): Promise<RefreshReport[]> {
    const feeds = await this.select(selection);
    return this.refreshAll(feeds);
  }

  /** Starts the background loop: fetch what is due, sleep until the next feed is due (at most a minute), repeat. */
  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  /**
   * Stops the loop and cancels fetches in flight (they are not held against their feeds); resolves
   * once no refresh is running. The fetcher is left to its owner to close.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort();
      this.wake?.();
      await this.loop;
    })();
    return this.stopped;
  }

  private async run(): Promise<void> {
    const { log, store } = this.options;
    while (!this.stopping.signal.aborted) {
      try {
        const due = await store.listFeedsToFetch({ dueBy: this.now() }, BATCH);
        if (due.length > 0) {
          const reports = await this.refreshAll(due);
          // A feed without a report could not be saved (the store failed): pause rather than retry at once.
          if (reports.length < due.length) await this.sleep(5000);
          continue;
        }
        const next = await store.nextScheduledFetch();
        const delay = next === null ? IDLE_POLL_MS : Math.min(IDLE_POLL_MS, Math.max(1000, next - this.now()));
        await this.sleep(delay);
      } catch (err) {
        log.error({ err }, 'scheduler: unable to run a round of fetches; retrying in a minute');
        await this.sleep(IDLE_POLL_MS);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    // A stop during a round comes before this sleep: it must not wait for it.
    if (this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async select(selection: FetchSelection): Promise<FeedRecord[]> {
    const { store } = this.options;
    if ('url' in selection) {
      const feed = await store.getFeedByUrl(selection.url);
      return feed ? [feed] : [];
    }
    const query = 'all' in selection ? ({ all: true } as const) : { dueBy: this.now() };
    // Every enabled feed fits one query in practice; the limit only bounds memory.
    return store.listFeedsToFetch(query, 100_000);
  }

  private async refreshAll(feeds: FeedRecord[]): Promise<RefreshReport[]> {
    const { store, fetcher, config, log, onReport } = this.options;
    const linker = await this.options.loadLinker();
    const reports: RefreshReport[] = [];
    await runPerHost(
      feeds,
      (feed) => hostOfUrl(feed.url),
      config.fetchConcurrency,
      async (feed) => {
        const report = await refreshFeed(feed, {
          store,
          fetcher,
          linker,
          policy: { minMs: config.fetchMinIntervalMs, maxMs: config.fetchMaxIntervalMs },
          log,
          now: this.now,
          random: this.options.random,
          signal: this.stopping.signal,
        }).catch((err: unknown) => {
          log.error({ err, feed: feed.url }, 'scheduler: unable to save the outcome of a fetch');
          return null;
        });
        if (!report) return;
        reports.push(report);
        log.info(
          { feed: report.url, result: report.result, new: report.newCount, updated: report.updatedCount, status: report.httpStatus, error: report.error ?? undefined },
          'ingest: refreshed feed',
        );
        onReport?.(report);
      },
      this.stopping.signal,
    );
    return reports;
  }
}

import type { Logger } from '../log';
import type { ArticleFilter, Store } from '../store/store';
import type { ArticleRecord } from '../store/types';

interface Listener {
  filter: ArticleFilter;
  /** Only articles stored after this id are delivered to it. */
  afterId: number;
  push: (articles: ArticleRecord[]) => void;
}

/**
 * New articles, as they are stored, whichever process stores them (the service's scheduler, a
 * `fetch` command run beside it): the database is the meeting point. While someone listens, the
 * watcher polls for ids above the last it saw (an index seek on the primary key), every 250 ms by
 * default, and gives each listener the new articles that match its filter (the store decides, search
 * included), so an article reaches subscribers well within a second of its commit.
 */
export class ArticleWatcher {
  private readonly listeners = new Set<Listener>();
  private lastId = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly intervalMs = 250,
  ) {}

  /** The articles stored from now on that match the filter, until the iterator is returned. */
  async subscribe(filter: ArticleFilter): Promise<AsyncIterableIterator<ArticleRecord>> {
    if (this.stopped) throw new Error('live: the service is shutting down');
    if (this.listeners.size === 0) this.lastId = await this.store.latestArticleId();
    const queue: ArticleRecord[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const listener: Listener = {
      filter,
      afterId: this.lastId,
      push: (articles) => {
        queue.push(...articles);
        wake?.();
      },
    };
    this.listeners.add(listener);
    this.ensureTimer();
    const finish = () => {
      done = true;
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.clearTimer();
      wake?.();
    };
    const iterator: AsyncIterableIterator<ArticleRecord> = {
      [Symbol.asyncIterator]: () => iterator,
      next: async () => {
        while (queue.length === 0 && !done && !this.stopped) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (queue.length > 0) return { value: queue.shift()!, done: false };
        finish();
        return { value: undefined, done: true };
      },
      return: async () => {
        finish();
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }

  /** Ends every subscription (their clients get `complete`) and stops polling. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    for (const listener of this.listeners) listener.push([]);
    this.listeners.clear();
  }

  private ensureTimer(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const ids = await this.store.listArticleIdsAfter(this.lastId, 1000);
      if (ids.length === 0) return;
      this.lastId = ids[ids.length - 1];
      for (const listener of this.listeners) {
        const mine = ids.filter((id) => id > listener.afterId);
        if (mine.length === 0) continue;
        const matching = await this.store.filterArticleIds(listener.filter, mine);
        if (matching.length === 0) continue;
        const records = await this.store.getArticles(matching);
        listener.push(records.filter((r): r is ArticleRecord => r !== null));
      }
    } catch (err) {
      this.log.error({ err }, 'live: unable to look for new articles');
    } finally {
      this.polling = false;
    }
  }
}

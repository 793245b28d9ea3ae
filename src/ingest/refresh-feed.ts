import { describeError } from '../errors';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import type { FeedRecord, FetchOutcome, FetchResultKind } from '../store/types';
import { decodeFeed } from './decode';
import { identify } from './dedup';
import { FetchError, type Fetcher } from './fetch';
import type { Linker } from './link';
import { nextFetchAfterFailure, nextFetchAfterSuccess, postingInterval, type IntervalPolicy } from './next-fetch';
import { normalizeFeed } from './normalize';
import { ParseError, parseFeed } from './parse';

export interface RefreshContext {
  store: Store;
  fetcher: Fetcher;
  linker: Linker;
  policy: IntervalPolicy;
  log: Logger;
  now?: () => number;
  random?: () => number;
  /** Aborted when the service shuts down: the attempt is dropped, not held against the feed. */
  signal?: AbortSignal;
}

export interface RefreshReport {
  feedId: number;
  url: string;
  result: FetchResultKind;
  newCount: number;
  updatedCount: number;
  /** The new article ids (for live updates). */
  newArticleIds: number[];
  httpStatus: number | null;
  error: string | null;
  nextFetchAt: number;
  /** From the start of the fetch to the outcome, before it was saved. */
  durationMs: number;
}

/**
 * The whole story of refreshing one feed: fetch (conditionally) → not modified? → decode → parse →
 * normalize → identify (dedup inside the feed) → link entities → when to fetch next → store, the
 * store saving the articles in short transactions and the feed's state last, so an interrupted save
 * is completed by the next fetch. Any failure is recorded on the feed, with its class, and the next
 * attempt is backed off: it never stops the other feeds.
 * Returns null only when the attempt was cancelled by shutdown.
 */
export async function refreshFeed(feed: FeedRecord, ctx: RefreshContext): Promise<RefreshReport | null> {
  const now = ctx.now ?? Date.now;
  const startedAt = now();
  const timing = () => ({ startedAt, durationMs: now() - startedAt });
  let outcome: FetchOutcome;
  try {
    const response = await ctx.fetcher.fetch(feed.url, { etag: feed.etag, lastModified: feed.lastModified }, ctx.signal);
    const movedTo = response.permanentUrl;
    if (response.kind === 'not_modified') {
      const interval = feed.fetchIntervalMs ?? ctx.policy.minMs;
      outcome = {
        kind: 'not_modified',
        ...timing(),
        httpStatus: response.status,
        etag: response.etag,
        lastModified: response.lastModified,
        movedTo,
        nextFetchAt: nextFetchAfterSuccess(now(), interval, response.cache.freshForMs),
      };
    } else {
      const { text } = decodeFeed(response.body, response.contentType);
      const parsed = await parseFeed(text);
      const { info, articles } = normalizeFeed(parsed, { feedUrl: response.finalUrl, fetchedAt: startedAt });
      const { articles: unique } = identify(articles);
      const linked = unique.map((article) => ({ ...article, mentions: ctx.linker.link(article.title, article.contentText) }));
      const interval = postingInterval(
        unique.map((a) => (a.dateSource === 'first_seen' ? null : a.publishedAt)),
        startedAt,
        ctx.policy,
      );
      outcome = {
        kind: 'fetched',
        ...timing(),
        httpStatus: response.status,
        etag: response.etag,
        lastModified: response.lastModified,
        movedTo,
        info,
        fetchIntervalMs: interval,
        itemsSeen: parsed.items.length,
        articles: linked,
        nextFetchAt: nextFetchAfterSuccess(now(), interval, response.cache.freshForMs),
      };
    }
  } catch (err) {
    if (ctx.signal?.aborted) return null;
    const known = err instanceof FetchError || err instanceof ParseError;
    if (!known) ctx.log.error({ err, feed: feed.url }, 'ingest: unable to refresh a feed');
    outcome = {
      kind: 'failed',
      ...timing(),
      httpStatus: err instanceof FetchError ? (err.details.status ?? null) : null,
      errorClass: err instanceof FetchError ? err.errorClass : err instanceof ParseError ? 'parse' : 'internal',
      errorMessage: known ? describeError(err) : `ingest: unexpected error: ${describeError(err)}`,
      nextFetchAt: nextFetchAfterFailure(
        now(),
        feed.errorCount + 1,
        err instanceof FetchError ? err.details.retryAfterMs : undefined,
        ctx.policy,
        ctx.random,
      ),
    };
  }
  const saved = await ctx.store.saveFetchOutcome(feed.id, outcome);
  return {
    feedId: feed.id,
    url: saved.feed.url,
    result: saved.result,
    newCount: saved.newCount,
    updatedCount: saved.updatedCount,
    newArticleIds: saved.newArticleIds,
    httpStatus: outcome.httpStatus,
    error: outcome.kind === 'failed' ? outcome.errorMessage : null,
    nextFetchAt: outcome.nextFetchAt,
    durationMs: outcome.durationMs,
  };
}

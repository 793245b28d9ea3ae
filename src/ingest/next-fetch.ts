/**
 * When to fetch a feed next: the last step of refreshing a feed before its outcome is stored (the
 * scheduler only reads the result back from the database). Pure functions of the feed's history and
 * the server's answer, so the policy is testable without clocks or servers.
 */

export interface IntervalPolicy {
  /** FETCH_MIN_INTERVAL: never sooner, however busy the feed. */
  minMs: number;
  /** FETCH_MAX_INTERVAL: never later, however quiet the feed (also the cap of failure backoff). */
  maxMs: number;
}

const WEEK = 7 * 86_400_000;
/** Servers asking for more than this (Retry-After, max-age) are capped, so a typo cannot stop a feed for a year. */
export const MAX_HONORED_DELAY_MS = WEEK;
/** For a feed whose items carry no dates, the posting rate is unknown. */
const UNKNOWN_RATE_INTERVAL_MS = 3_600_000;

const clamp = (value: number, policy: IntervalPolicy) => Math.min(policy.maxMs, Math.max(policy.minMs, value));

/**
 * The interval from the feed's posting rate (Miniflux's entries-per-week): a week divided by the
 * number of items published in the last week, clamped to the policy. A feed with dated items but
 * none in the last week is quiet: the longest interval. A feed whose items have no dates: an hour.
 */
export function postingInterval(publishedTimes: readonly (number | null)[], now: number, policy: IntervalPolicy): number {
  const dated = publishedTimes.filter((t): t is number => t !== null);
  if (dated.length === 0) return clamp(UNKNOWN_RATE_INTERVAL_MS, policy);
  const lastWeek = dated.filter((t) => t > now - WEEK && t <= now).length;
  return lastWeek === 0 ? policy.maxMs : clamp(WEEK / lastWeek, policy);
}

/** After a success (200 or 304): the interval, but never before the server says the feed may change. */
export function nextFetchAfterSuccess(now: number, intervalMs: number, freshForMs: number | null): number {
  const fresh = freshForMs === null ? 0 : Math.min(freshForMs, MAX_HONORED_DELAY_MS);
  return now + Math.max(intervalMs, fresh);
}

/**
 * After a failure: exponential backoff from the shortest interval (doubling with each failure in a
 * row, up to the longest), with random jitter so that feeds failing together (a host down) spread
 * out when they retry, and never before a Retry-After. A failing feed keeps being retried at the
 * longest interval: it is never dropped.
 */
export function nextFetchAfterFailure(
  now: number,
  failuresInARow: number,
  retryAfterMs: number | undefined,
  policy: IntervalPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failuresInARow, 1) - 1, 30);
  const base = Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
  const jittered = base * (0.75 + 0.25 * random());
  const asked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, MAX_HONORED_DELAY_MS);
  return now + Math.round(Math.max(jittered, asked));
}

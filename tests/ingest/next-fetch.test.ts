import { MAX_HONORED_DELAY_MS, nextFetchAfterFailure, nextFetchAfterSuccess, postingInterval } from '../../src/ingest/next-fetch';

const MIN = 15 * 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const policy = { minMs: MIN, maxMs: DAY };
const NOW = Date.UTC(2026, 10, 6);
const ago = (ms: number) => NOW - ms;

describe('postingInterval', () => {
  it.each([
    ['a busy feed (1,000 items this week) is fetched as often as allowed', Array.from({ length: 1000 }, (_, i) => ago(i * 10 * 60_000)), MIN],
    ['100 items this week: every 1.68 hours', Array.from({ length: 100 }, (_, i) => ago(i * HOUR)), (7 * DAY) / 100],
    ['14 items this week: every 12 hours', Array.from({ length: 14 }, (_, i) => ago(i * 10 * HOUR)), 12 * HOUR],
    ['one item this week: a week, clamped to a day', [ago(DAY)], DAY],
    ['items only older than a week: quiet, the longest interval', [ago(30 * DAY), ago(60 * DAY)], DAY],
    ['no dated items: an hour', [null, null], HOUR],
    ['an empty feed: an hour', [], HOUR],
  ])('%s', (_, times, expected) => {
    expect(postingInterval(times, NOW, policy)).toBe(expected);
  });
});

describe('nextFetchAfterSuccess', () => {
  it('uses the interval, or Cache-Control max-age when longer, capped at a week', () => {
    expect(nextFetchAfterSuccess(NOW, HOUR, null)).toBe(NOW + HOUR);
    expect(nextFetchAfterSuccess(NOW, HOUR, 10 * 60_000)).toBe(NOW + HOUR);
    expect(nextFetchAfterSuccess(NOW, HOUR, 6 * HOUR)).toBe(NOW + 6 * HOUR);
    expect(nextFetchAfterSuccess(NOW, HOUR, 365 * DAY)).toBe(NOW + MAX_HONORED_DELAY_MS);
  });
});

describe('nextFetchAfterFailure', () => {
  it('backs off exponentially from the shortest interval up to the longest, never giving up', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20, 1000].map((n) => nextFetchAfterFailure(NOW, n, undefined, policy, () => 1) - NOW);
    expect(delays).toEqual([MIN, 2 * MIN, 4 * MIN, 8 * MIN, 16 * MIN, 32 * MIN, 64 * MIN, DAY, DAY, DAY].map((d) => Math.min(d, DAY)));
  });

  it('spreads feeds that fail together over a quarter of the delay', () => {
    const randoms = [0, 0.1, 0.5, 0.9, 0.999];
    const delays = randoms.map((r) => nextFetchAfterFailure(NOW, 3, undefined, policy, () => r) - NOW);
    expect(new Set(delays).size).toBe(randoms.length);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0.75 * 4 * MIN);
      expect(d).toBeLessThanOrEqual(4 * MIN);
    }
  });

  it('never retries before Retry-After, capped at a week', () => {
    expect(nextFetchAfterFailure(NOW, 1, 2 * HOUR, policy, () => 0)).toBe(NOW + 2 * HOUR);
    expect(nextFetchAfterFailure(NOW, 1, 30 * DAY, policy, () => 0)).toBe(NOW + MAX_HONORED_DELAY_MS);
  });
});

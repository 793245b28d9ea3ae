import { buildArticle, buildFeed } from '../helpers/builders';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';

let api: TestServer;

beforeAll(async () => {
  const store = await referenceStore();
  const feed = buildFeed(store, { foundation: 'cncf' });
  for (const iso of [
    '2026-02-28T23:30:00Z', // Saturday 28 Feb in UTC; Sunday 1 March 00:30 in Paris
    '2026-03-01T22:30:00Z', // Sunday 1 March in UTC; Sunday 23:30 in Paris
    '2026-03-01T23:30:00Z', // Sunday in UTC; Monday 2 March 00:30 in Paris (a new ISO week)
    '2026-03-29T00:30:00Z', // the night Paris moves to summer time (the local day is 23 hours long)
  ]) {
    buildArticle(store, feed, { publishedAt: Date.parse(iso) });
  }
  api = await startTestServer(store);
});

async function points(interval: string, timeZone: string, from: string, to: string) {
  const res = await api.gql(
    `query ($z: String!, $from: DateTime!, $to: DateTime!) { articleTimeline(interval: ${interval}, from: $from, to: $to, timeZone: $z) { points { start count } } }`,
    { z: timeZone, from, to },
  );
  expect(res.errors).toBeUndefined();
  return res.data.articleTimeline[0].points.filter((p: any) => p.count > 0).map((p: any) => [p.start, p.count]);
}

describe('time zones of the timeline', () => {
  it('puts each article in the day of the zone it was published in', async () => {
    expect(await points('DAY', 'UTC', '2026-02-25T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual([
      ['2026-02-28T00:00:00.000Z', 1],
      ['2026-03-01T00:00:00.000Z', 2],
      ['2026-03-29T00:00:00.000Z', 1],
    ]);
    expect(await points('DAY', 'Europe/Paris', '2026-02-25T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual([
      ['2026-02-28T23:00:00.000Z', 2], // 1 March in Paris
      ['2026-03-01T23:00:00.000Z', 1], // 2 March
      ['2026-03-28T23:00:00.000Z', 1], // 29 March, the short day
    ]);
  });

  it('starts weeks on Monday at local midnight', async () => {
    expect(await points('WEEK', 'UTC', '2026-02-20T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([['2026-02-23T00:00:00.000Z', 3]]);
    expect(await points('WEEK', 'Europe/Paris', '2026-02-20T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      ['2026-02-22T23:00:00.000Z', 2],
      ['2026-03-01T23:00:00.000Z', 1],
    ]);
  });

  it('buckets months by the local calendar', async () => {
    expect(await points('MONTH', 'UTC', '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual([
      ['2026-02-01T00:00:00.000Z', 1],
      ['2026-03-01T00:00:00.000Z', 3],
    ]);
    expect(await points('MONTH', 'Europe/Paris', '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual([['2026-02-28T23:00:00.000Z', 4]]);
  });

  it('counts from `from` (inclusive) to `to` (exclusive) even inside a bucket', async () => {
    expect(await points('DAY', 'UTC', '2026-03-01T22:30:00Z', '2026-03-01T23:30:00Z')).toEqual([['2026-03-01T00:00:00.000Z', 1]]);
  });
});

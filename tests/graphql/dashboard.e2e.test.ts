import { demoStore } from '../helpers/demo';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Dashboard queries on a database filled by the ingestion pipeline from the demo feeds (fictional
 * foundation news of 2026). Expected values are computed from the API's plain lists, independently
 * of the grouped queries under test.
 */
let api: TestServer;

beforeAll(async () => {
  const { store } = await demoStore();
  // The nested checks below ask for more than the default cost allows.
  api = await startTestServer(store, { queryMaxCost: 100_000 });
});

async function gql(query: string, variables?: Record<string, unknown>) {
  const res = await api.gql(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data;
}

interface ArticleRow {
  id: string;
  title: string;
  publishedAt: string;
  foundations: { slug: string }[];
  companies: { slug: string }[];
  feed: { id: string };
}

/** Every article of the demo database, with what the filters look at. */
async function allArticles(filter: Record<string, unknown> = {}): Promise<ArticleRow[]> {
  const rows: ArticleRow[] = [];
  let after: string | null = null;
  do {
    const data: any = await gql(
      `query ($f: ArticleFilter, $a: String) { articles(first: 100, after: $a, filter: $f) {
        nodes { id title publishedAt foundations { slug } companies { slug } feed { id } } pageInfo { hasNextPage endCursor } } }`,
      { f: filter, a: after },
    );
    rows.push(...data.articles.nodes);
    after = data.articles.pageInfo.hasNextPage ? data.articles.pageInfo.endCursor : null;
  } while (after);
  return rows;
}

const total = async (filter: Record<string, unknown>) =>
  (await gql('query ($f: ArticleFilter) { articles(filter: $f) { totalCount } }', { f: filter })).articles.totalCount as number;

async function membersOf(foundation: string, tiers: string[]): Promise<Set<string>> {
  const data = await gql(
    `query ($f: [String!], $t: [String!]) { memberships(first: 100, filter: { foundations: $f, tiers: $t, activeOn: "2026-11-20" }) { nodes { company { slug } } } }`,
    { f: [foundation], t: tiers },
  );
  return new Set(data.memberships.nodes.map((m: any) => m.company.slug));
}

describe('article filters', () => {
  it('memberOf: articles mentioning members of a foundation at some tiers', async () => {
    const platinum = await membersOf('cncf', ['Platinum']);
    const expected = (await allArticles()).filter((a) => a.companies.some((c) => platinum.has(c.slug)));
    const found = await allArticles({ memberOf: { foundation: 'cncf', tiers: ['Platinum'], activeOn: '2026-11-20' } });
    expect(expected.length).toBeGreaterThan(10);
    expect(found.map((a) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
    // Before the memberships were stated, nobody was a member yet.
    expect(await total({ memberOf: { foundation: 'cncf', tiers: ['Platinum'], activeOn: '2000-01-01' } })).toBe(0);
  });

  it('answers "CNCF Platinum members in the last 30 days, with the word security"', async () => {
    const filter = { memberOf: { foundation: 'cncf', tiers: ['Platinum'] }, search: 'security', publishedAfter: '2026-10-27T00:00:00Z' };
    const found = await allArticles(filter);
    expect(found).toHaveLength(9);
    const platinum = await membersOf('cncf', ['Platinum']);
    for (const article of found) {
      expect(article.companies.some((c) => platinum.has(c.slug))).toBe(true);
      expect(article.publishedAt >= '2026-10-27').toBe(true);
    }
  });

  it('includeSubfoundations: the Linux Foundation with the foundations it hosts', async () => {
    const tree = await gql('{ foundation(slug: "linux-foundation") { children { slug children { slug } } } }');
    const family = ['linux-foundation', ...tree.foundation.children.flatMap((c: any) => [c.slug, ...c.children.map((g: any) => g.slug)])];
    const alone = await total({ foundations: ['linux-foundation'] });
    const withChildren = await total({ foundations: ['linux-foundation'], includeSubfoundations: true });
    expect(withChildren).toBe(await total({ foundations: family }));
    expect(withChildren).toBeGreaterThan(alone);
    expect(family).toEqual(expect.arrayContaining(['cncf', 'openssf', 'pytorch-foundation']));
  });

  it('hasCompanies and language split the articles', async () => {
    const all = await total({});
    const some = await total({ hasCompanies: true });
    const none = await total({ hasCompanies: false });
    expect(some + none).toBe(all);
    expect(none).toBe((await allArticles()).filter((a) => a.companies.length === 0).length);
    expect(await total({ language: 'en' })).toBe(all);
    expect(await total({ language: 'en-us' })).toBeGreaterThan(0);
    expect(await total({ language: 'en-us' })).toBeLessThan(all);
    expect(await total({ language: 'de' })).toBe(0);
    const bad = await api.gql('{ articles(filter: { language: "english please" }) { totalCount } }');
    expect(bad.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('story: the same announcement cross-posted by two feeds', async () => {
    const data = await gql('{ articles(first: 100, filter: { search: "\\"Maintainer Security Fund\\"" }) { nodes { id title canonicalUrl feed { title } story { id feed { title } } } } }');
    const withStory = data.articles.nodes.filter((a: any) => a.story.length > 0);
    expect(withStory).toHaveLength(2);
    const [a, b] = withStory;
    expect(a.canonicalUrl).toBe(b.canonicalUrl);
    expect(a.story.map((s: any) => s.id)).toEqual([b.id]);
    expect(b.story.map((s: any) => s.id)).toEqual([a.id]);
    expect(a.feed.title).not.toBe(b.feed.title);
  });
});

describe('articleCounts', () => {
  const since = '2026-06-01T00:00:00Z';
  it.each([
    ['FOUNDATION', 'foundation { slug }', (b: any) => ({ foundations: [b.foundation.slug] })],
    ['COMPANY', 'company { slug }', (b: any) => ({ companies: [b.company.slug] })],
    ['FEED', 'feed { id }', (b: any) => ({ feeds: [b.feed.id] })],
    ['TIER', 'foundation { slug } tier', (b: any) => ({ memberOf: { foundation: b.foundation.slug, tiers: [b.tier] } })],
  ])('by %s: each bucket\'s count equals the totalCount of the filter narrowed to its key', async (by, selection, narrow) => {
    const data = await gql(`query ($f: ArticleFilter) { articleCounts(by: ${by}, filter: $f, first: 100) { count ${selection} } }`, {
      f: { publishedAfter: since },
    });
    const buckets = data.articleCounts;
    expect(buckets.length).toBeGreaterThan(1);
    const counts = buckets.map((b: any) => b.count);
    expect(counts).toEqual([...counts].sort((x: number, y: number) => y - x));
    for (const bucket of buckets) {
      expect([JSON.stringify(narrow(bucket)), await total({ publishedAfter: since, ...narrow(bucket) })]).toEqual([
        JSON.stringify(narrow(bucket)),
        bucket.count,
      ]);
    }
  });

  it('answers "which companies are mentioned most this month", and counts each article for every company it mentions', async () => {
    const data = await gql('{ articleCounts(by: COMPANY, filter: { publishedAfter: "2026-11-01T00:00:00Z" }, first: 3) { company { slug } count } }');
    const november = await allArticles({ publishedAfter: '2026-11-01T00:00:00Z' });
    const tally = new Map<string, number>();
    for (const a of november) for (const c of a.companies) tally.set(c.slug, (tally.get(c.slug) ?? 0) + 1);
    const top = [...tally.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3);
    expect(data.articleCounts.map((b: any) => [b.company.slug, b.count])).toEqual(top);
    expect(top[0][0]).toBe('google');
  });

  it('refuses a bad `first`', async () => {
    const res = await api.gql('{ articleCounts(by: FEED, first: 0) { count } }');
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('articleTimeline', () => {
  it('answers "how many articles per foundation per week since January", zero-filled, adding up', async () => {
    const data = await gql(`{ articleTimeline(interval: WEEK, by: FOUNDATION, from: "2026-01-01T00:00:00Z", to: "2026-12-01T00:00:00Z", first: 50) {
      foundation { slug } total points { start count } } }`);
    const series = data.articleTimeline;
    expect(series.length).toBeGreaterThanOrEqual(6);
    for (const s of series) {
      // Monday 29 December 2025 holds 1 January; 49 weeks cover the range up to 1 December.
      expect(s.points).toHaveLength(49);
      expect(s.points[0].start).toBe('2025-12-29T00:00:00.000Z');
      expect(s.points.every((p: any) => new Date(p.start).getUTCDay() === 1)).toBe(true);
      expect(s.points.some((p: any) => p.count === 0)).toBe(true);
      expect(s.points.reduce((n: number, p: any) => n + p.count, 0)).toBe(s.total);
      expect(s.total).toBe(await total({ foundations: [s.foundation.slug], publishedAfter: '2026-01-01T00:00:00Z', publishedBefore: '2026-12-01T00:00:00Z' }));
    }
    const totals = series.map((s: any) => s.total);
    expect(totals).toEqual([...totals].sort((x: number, y: number) => y - x));
  });

  it('gives one series in all without `by`, matching the articles of the range', async () => {
    const data = await gql(`{ articleTimeline(interval: MONTH, from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z") { foundation { slug } total points { start count } } }`);
    const [series] = data.articleTimeline;
    expect(data.articleTimeline).toHaveLength(1);
    expect(series.foundation).toBeNull();
    expect(series.points.map((p: any) => p.start.slice(0, 10))).toEqual(
      Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}-01`),
    );
    expect(series.total).toBe(await total({}));
    const articles = await allArticles();
    for (const point of series.points) {
      const month = point.start.slice(0, 7);
      expect([month, point.count]).toEqual([month, articles.filter((a) => a.publishedAt.startsWith(month)).length]);
    }
  });

  it('refuses a bad range, an unknown time zone and too many buckets', async () => {
    const ask = (args: string) => api.gql(`{ articleTimeline(${args}) { total } }`);
    const backwards = await ask('interval: DAY, from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z"');
    expect(backwards.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('`from` must be before `to`') });
    const zone = await ask('interval: DAY, from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", timeZone: "Mars/Olympus"');
    expect(zone.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('"Mars/Olympus" is not an IANA time zone') });
    const many = await ask('interval: DAY, from: "2020-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z"');
    expect(many.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('more than 1000 DAY buckets') });
  });
});

describe('coMentionedCompanies', () => {
  it('lists the companies most often mentioned with a company, with how many articles', async () => {
    const data = await gql('{ company(slug: "google") { coMentionedCompanies(first: 5) { company { slug } articleCount } } }');
    const withGoogle = (await allArticles({ companies: ['google'] })).map((a) => a.companies.map((c) => c.slug));
    const tally = new Map<string, number>();
    for (const companies of withGoogle) for (const slug of companies) if (slug !== 'google') tally.set(slug, (tally.get(slug) ?? 0) + 1);
    const list = data.company.coMentionedCompanies.map((m: any) => [m.company.slug, m.articleCount]);
    expect(list).toHaveLength(5);
    for (const [slug, count] of list) expect([slug, count]).toEqual([slug, tally.get(slug)]);
    const counts = list.map((x: any) => x[1]);
    expect(counts).toEqual([...counts].sort((x: number, y: number) => y - x));
    expect(Math.max(...tally.values())).toBe(counts[0]);
  });
});

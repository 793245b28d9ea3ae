import type { PageRequest } from '../../../src/store/paging';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { ArticleFilter, ArticleOrderField } from '../../../src/store/store';
import { buildArticle, buildFeed } from '../../helpers/builders';
import { referenceStore } from '../../helpers/fresh-db';

/**
 * Migration 0004 keeps article_foundations, the dates of company mentions, and the per-day counts in
 * step with the articles by triggers. These tests check them against a recomputation from the base
 * tables after every kind of write, and check the lists and counts built on them against brute force.
 */

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

function idOf(store: SqliteStore, table: 'foundations' | 'companies', slug: string): number {
  return store.db.prepare(`SELECT id FROM ${table} WHERE slug = ?`).pluck().get(slug) as number;
}

/** Differences between the maintained read paths and what the base tables say they should be. */
function drift(store: SqliteStore): Record<string, unknown[]> {
  const q = (sql: string) => store.db.prepare(sql).all();
  const except = (a: string, b: string) => q(`SELECT * FROM (${a}) EXCEPT SELECT * FROM (${b})`);
  const expectedFoundations = `
    SELECT article_id, foundation_id, MAX(published_at) AS published_at, MAX(via_feed) AS via_feed, MAX(via_mention) AS via_mention FROM (
      SELECT a.id AS article_id, fd.foundation_id, a.published_at, 1 AS via_feed, 0 AS via_mention
        FROM articles a JOIN feeds fd ON fd.id = a.feed_id WHERE fd.foundation_id IS NOT NULL
      UNION ALL
      SELECT m.article_id, m.foundation_id, a.published_at, 0, 1 FROM article_foundation_mentions m JOIN articles a ON a.id = m.article_id)
    GROUP BY article_id, foundation_id`;
  const actualFoundations = 'SELECT article_id, foundation_id, published_at, via_feed, via_mention FROM article_foundations';
  const day = (column: string) => `(${column} / ${DAY} - (${column} < 0 AND ${column} % ${DAY} <> 0))`;
  const expectedCounts = `
    SELECT 0 AS dim, 0 AS key, ${day('published_at')} AS day, COUNT(*) AS n FROM articles GROUP BY day
    UNION ALL SELECT 3, feed_id, ${day('published_at')} AS day, COUNT(*) FROM articles GROUP BY feed_id, day
    UNION ALL SELECT 1, foundation_id, ${day('published_at')} AS day, COUNT(*) FROM (${expectedFoundations}) GROUP BY foundation_id, day
    UNION ALL SELECT 2, m.company_id, ${day('a.published_at')} AS day, COUNT(*) FROM article_company_mentions m JOIN articles a ON a.id = m.article_id GROUP BY m.company_id, day`;
  const actualCounts = 'SELECT dim, key, day, n FROM article_counts WHERE n <> 0';
  const expectedTotals = `SELECT dim, key, SUM(n) AS n FROM (${expectedCounts}) GROUP BY dim, key`;
  const actualTotals = 'SELECT dim, key, n FROM article_totals WHERE n <> 0';
  return {
    foundationsMissing: except(expectedFoundations, actualFoundations),
    foundationsExtra: except(actualFoundations, expectedFoundations),
    mentionDates: q('SELECT m.article_id, m.company_id FROM article_company_mentions m JOIN articles a ON a.id = m.article_id WHERE m.published_at IS NOT a.published_at'),
    countsMissing: except(expectedCounts, actualCounts),
    countsExtra: except(actualCounts, expectedCounts),
    totalsMissing: except(expectedTotals, actualTotals),
    totalsExtra: except(actualTotals, expectedTotals),
    negative: q('SELECT * FROM article_counts WHERE n < 0 UNION ALL SELECT dim, key, NULL, n FROM article_totals WHERE n < 0'),
  };
}

const NO_DRIFT = {
  foundationsMissing: [],
  foundationsExtra: [],
  mentionDates: [],
  countsMissing: [],
  countsExtra: [],
  totalsMissing: [],
  totalsExtra: [],
  negative: [],
};

const COMPANIES = ['google', 'microsoft', 'meta', 'nvidia', 'ibm', 'red-hat', 'intel'];
const FOUNDATIONS = ['cncf', 'openssf', 'linux-foundation', 'pytorch-foundation', 'apache'];

/** 600 articles over 90 days (some before 1970-01-02 and at odd hours), 0-3 companies and 0-2 foundations each. */
async function archive(): Promise<{ store: SqliteStore; feeds: number[] }> {
  const store = await referenceStore();
  const feeds = [...FOUNDATIONS.map((foundation) => buildFeed(store, { foundation })), buildFeed(store, { foundation: null })];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 600; i++) {
    const pick = <T>(list: T[], n: number) => [...new Set(Array.from({ length: n }, () => list[Math.floor(random() * list.length)]))];
    buildArticle(store, feeds[Math.floor(random() ** 2 * feeds.length)], {
      publishedAt: i < 5 ? -DAY / 2 + i * 3_600_000 : START + Math.floor(random() * 90 * DAY),
      companies: pick(COMPANIES, Math.floor(random() * 4)),
      foundations: pick(FOUNDATIONS, Math.floor(random() * 3)),
    });
  }
  return { store, feeds };
}

describe('read paths kept by triggers (migration 0004)', () => {
  it('match the base tables after ingestion, relinking, redating, moving a feed and deleting', async () => {
    const { store, feeds } = await archive();
    expect(drift(store)).toEqual(NO_DRIFT);
    expect(store.db.prepare('SELECT n FROM article_totals WHERE dim = 0').pluck().get()).toBe(600);

    // Relinking: mentions replaced (foundations and companies added and removed).
    const ids = store.db.prepare('SELECT id FROM articles ORDER BY id LIMIT 100').pluck().all() as number[];
    await store.replaceMentions(
      ids.map((articleId, i) => ({
        articleId,
        mentions: {
          companies: i % 3 === 0 ? [] : [{ id: idOf(store, 'companies', COMPANIES[i % COMPANIES.length]), count: 1, inTitle: false }],
          foundations: i % 2 === 0 ? [] : [{ id: idOf(store, 'foundations', FOUNDATIONS[i % FOUNDATIONS.length]), count: 2, inTitle: true }],
        },
      })),
    );
    expect(drift(store)).toEqual(NO_DRIFT);

    // A new date for some articles (a feed that corrects its dates).
    store.db.prepare('UPDATE articles SET published_at = published_at + 40 * 3600000 WHERE id % 7 = 0').run();
    expect(drift(store)).toEqual(NO_DRIFT);

    // A feed given to another foundation, then to none (reference data changes).
    store.db.prepare('UPDATE feeds SET foundation_id = ? WHERE id = ?').run(idOf(store, 'foundations', 'openssf'), feeds[0]);
    expect(drift(store)).toEqual(NO_DRIFT);
    store.db.prepare('UPDATE feeds SET foundation_id = NULL WHERE id = ?').run(feeds[1]);
    expect(drift(store)).toEqual(NO_DRIFT);

    // Articles deleted one by one, and a whole feed with its articles (ON DELETE CASCADE).
    store.db.prepare('DELETE FROM articles WHERE id % 11 = 0').run();
    expect(drift(store)).toEqual(NO_DRIFT);
    store.db.prepare('DELETE FROM feeds WHERE id = ?').run(feeds[2]);
    expect(drift(store)).toEqual(NO_DRIFT);
    const left = store.db.prepare('SELECT COUNT(*) FROM articles').pluck().get();
    expect(store.db.prepare('SELECT n FROM article_totals WHERE dim = 0').pluck().get()).toBe(left);
  });
});

describe('article lists and counts on the read paths', () => {
  let store: SqliteStore;
  beforeAll(async () => {
    ({ store } = await archive());
  });

  /** Every article of a filter, newest first, by brute force over the base tables. */
  function bruteForce(filter: ArticleFilter): number[] {
    const rows = store.db
      .prepare(
        `SELECT a.id, a.published_at AS publishedAt, fd.foundation_id AS feedFoundation,
                (SELECT json_group_array(foundation_id) FROM article_foundation_mentions WHERE article_id = a.id) AS foundations,
                (SELECT json_group_array(company_id) FROM article_company_mentions WHERE article_id = a.id) AS companies
           FROM articles a JOIN feeds fd ON fd.id = a.feed_id ORDER BY a.published_at DESC, a.id DESC`,
      )
      .all() as { id: number; publishedAt: number; feedFoundation: number | null; foundations: string; companies: string }[];
    const members = (m: NonNullable<ArticleFilter['memberOf']>) =>
      new Set(
        store.db
          .prepare(
            `SELECT company_id FROM memberships WHERE foundation_id = ? AND COALESCE(joined_on, stated_on) <= ? AND (left_on IS NULL OR left_on > ?)
             ${m.tiers ? `AND tier IN (${m.tiers.map(() => '?').join(', ')})` : ''}`,
          )
          .pluck()
          .all(m.foundationId, m.activeOn, m.activeOn, ...(m.tiers ?? [])) as number[],
      );
    const memberSet = filter.memberOf ? members(filter.memberOf) : null;
    return rows
      .filter((r) => {
        const foundations = new Set([...(JSON.parse(r.foundations) as number[]), ...(r.feedFoundation === null ? [] : [r.feedFoundation])]);
        const companies = JSON.parse(r.companies) as number[];
        if (filter.foundationIds && !filter.foundationIds.some((id) => foundations.has(id))) return false;
        if (filter.companyIds && !filter.companyIds.some((id) => companies.includes(id))) return false;
        if (memberSet && !companies.some((id) => memberSet.has(id))) return false;
        if (filter.publishedAfter !== undefined && r.publishedAt < filter.publishedAfter) return false;
        if (filter.publishedBefore !== undefined && r.publishedAt >= filter.publishedBefore) return false;
        return true;
      })
      .map((r) => r.id);
  }

  /** Every article of a filter through the store, page after page of 7. */
  async function allPages(filter: ArticleFilter, backward = false): Promise<number[]> {
    const ids: number[] = [];
    let cursor: readonly (string | number)[] | undefined;
    for (let guard = 0; guard < 1000; guard++) {
      const request: PageRequest<ArticleOrderField> = {
        orderBy: 'PUBLISHED_AT',
        direction: 'DESC',
        limit: 7,
        backward,
        ...(backward ? { before: cursor } : { after: cursor }),
      };
      const page = await store.listArticles(filter, request);
      const pageIds = page.edges.map((e) => e.node.id);
      if (backward) ids.unshift(...pageIds);
      else ids.push(...pageIds);
      const more = backward ? page.hasPreviousPage : page.hasNextPage;
      if (!more || page.edges.length === 0) return ids;
      cursor = backward ? page.edges[0].key : page.edges[page.edges.length - 1].key;
    }
    throw new Error('paging did not end');
  }

  const cncf = () => idOf(store, 'foundations', 'cncf');
  const lf = () => idOf(store, 'foundations', 'linux-foundation');
  const filters: [string, () => ArticleFilter][] = [
    ['no filter', () => ({})],
    ['one foundation', () => ({ foundationIds: [cncf()] })],
    ['one foundation and 30 days', () => ({ foundationIds: [cncf()], publishedAfter: START + 20 * DAY + 5000, publishedBefore: START + 50 * DAY - 7 })],
    ['two foundations (merged ranges)', () => ({ foundationIds: [cncf(), lf()] })],
    ['two companies and a foundation', () => ({ companyIds: [idOf(store, 'companies', 'google'), idOf(store, 'companies', 'ibm')], foundationIds: [lf()] })],
    ['memberOf CNCF Platinum', () => ({ memberOf: { foundationId: cncf(), tiers: ['Platinum'], activeOn: '2026-06-01' } })],
    ['memberOf CNCF and dates', () => ({ memberOf: { foundationId: cncf(), activeOn: '2026-06-01' }, publishedAfter: START + 10 * DAY })],
    ['one feed-less date range under a day', () => ({ publishedAfter: START + 3 * DAY + 3_600_000, publishedBefore: START + 3 * DAY + 20 * 3_600_000 })],
  ];

  it.each(filters)('lists %s page by page, forwards and backwards, as brute force does', async (_name, filter) => {
    const expected = bruteForce(filter());
    expect(expected.length).toBeGreaterThan(0);
    expect(await allPages(filter())).toEqual(expected);
    expect(await allPages(filter(), true)).toEqual(expected);
  });

  it.each(filters)('counts %s exactly below the cap', async (_name, filter) => {
    expect(await store.countArticles(filter())).toEqual({ count: bruteForce(filter()).length, exact: true });
  });

  it('says a count is a lower bound past COUNT_MAX, and exact where aggregates answer it', async () => {
    const capped = await referenceStore();
    const feed = buildFeed(capped, { foundation: 'cncf' });
    for (let i = 0; i < 150; i++) buildArticle(capped, feed, { companies: ['google', 'ibm'], publishedAt: START + i * 3_600_000 });
    const tight = capped as unknown as { articles: { options: { countMax: number } } };
    tight.articles.options.countMax = 100;
    const google = idOf(capped, 'companies', 'google');
    const ibm = idOf(capped, 'companies', 'ibm');
    // Two companies: their per-day counts overlap, so they are counted, up to the cap.
    expect(await capped.countArticles({ companyIds: [google, ibm] })).toEqual({ count: 100, exact: false });
    // One company, or one foundation and dates: from the aggregates, exact however many.
    expect(await capped.countArticles({ companyIds: [google] })).toEqual({ count: 150, exact: true });
    expect(await capped.countArticles({ foundationIds: [idOf(capped, 'foundations', 'cncf')], publishedAfter: START + 1800_000 })).toEqual({ count: 149, exact: true });
  });

  it('counts by key and over time from the aggregates as a scan of the articles does', async () => {
    const range = { publishedAfter: START + 5 * DAY + 123_456, publishedBefore: START + 70 * DAY - 99 };
    for (const by of ['FOUNDATION', 'COMPANY', 'FEED'] as const) {
      const fromAggregates = await store.countArticlesBy(range, by, 100, '2026-06-01');
      // The same counts by a scan of the articles in the range.
      const column = by === 'FOUNDATION' ? 'x.foundation_id' : by === 'COMPANY' ? 'x.company_id' : 'a.feed_id';
      const join = by === 'FOUNDATION' ? 'JOIN article_foundations x ON x.article_id = a.id' : by === 'COMPANY' ? 'JOIN article_company_mentions x ON x.article_id = a.id' : '';
      const scanned = store.db
        .prepare(`SELECT ${column} AS key, COUNT(*) AS n FROM articles a ${join} WHERE a.published_at >= ? AND a.published_at < ? GROUP BY 1 ORDER BY n DESC, key`)
        .all(range.publishedAfter, range.publishedBefore) as { key: number; n: number }[];
      expect(fromAggregates.map((b) => [b.key.foundationId ?? b.key.companyId ?? b.key.feedId, b.count])).toEqual(scanned.map((r) => [r.key, r.n]));
    }
    // Weekly buckets in a zone off UTC by 5:30, and in UTC: each bucket as counted by brute force.
    for (const offset of [0, 5.5 * 3_600_000]) {
      const boundaries = Array.from({ length: 14 }, (_, i) => START - offset + i * 7 * DAY);
      const [series] = await store.articleTimeline({ foundationIds: [cncf()] }, boundaries, null, 10, '2026-06-01');
      const all = bruteForce({ foundationIds: [cncf()] }).map((id) => store.db.prepare('SELECT published_at FROM articles WHERE id = ?').pluck().get(id) as number);
      const expected = boundaries.slice(0, -1).map((b, i) => all.filter((t) => t >= b && t < boundaries[i + 1]).length);
      expect(series.counts).toEqual(expected);
      const byFoundation = await store.articleTimeline({}, boundaries, 'FOUNDATION', 10, '2026-06-01');
      const cncfSeries = byFoundation.find((s) => s.key?.foundationId === cncf())!;
      expect(cncfSeries.counts).toEqual(expected);
    }
  });
});

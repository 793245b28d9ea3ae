import type { ArticleCountBucket, ArticleDimension, ArticleFilter, ArticleSeries, DimensionKey } from '../store';
import { DAY_MS, DIM, type ArticleQueries, type Dim } from './article-queries';
import type { Db } from './open';
import { articleFilterSql, foundationSet } from './specs';
import { inList, jsonList, type Statements } from './statements';

/**
 * Grouped article queries for dashboards: counts per key of a dimension, and counts per time bucket.
 * Each bucket counts the articles that `listArticles` would return for the filter narrowed to the key,
 * so counts and lists always agree.
 */

interface DimensionSql {
  /** Joins that give each article its keys (the same article may have several: it counts once per key). */
  join: string;
  joinParams: unknown[];
  /** The key columns, aliased as the DimensionKey fields. */
  keys: string[];
}

function dimensionSql(by: ArticleDimension, filter: ArticleFilter, activeOn: string): DimensionSql {
  switch (by) {
    case 'FOUNDATION':
      // article_foundations holds each (article, foundation) pair once, through the feed or a mention.
      return { join: 'JOIN article_foundations d ON d.article_id = a.id', joinParams: [], keys: ['d.foundation_id AS foundationId'] };
    case 'COMPANY':
      return { join: 'JOIN article_company_mentions d ON d.article_id = a.id', joinParams: [], keys: ['d.company_id AS companyId'] };
    case 'FEED':
      return { join: '', joinParams: [], keys: ['a.feed_id AS feedId'] };
    case 'TIER': {
      // The tiers of the mentioned companies' memberships active on the date; with memberOf, only
      // that foundation's (and its tiers').
      const memberOf = filter.memberOf;
      const foundation = memberOf ? `AND d.foundation_id IN ${foundationSet(filter.includeSubfoundations)}` : '';
      const tiers = memberOf?.tiers ? `AND ${inList('d.tier')}` : '';
      return {
        join: `JOIN article_company_mentions dm ON dm.article_id = a.id
          JOIN memberships d ON d.company_id = dm.company_id AND d.tier IS NOT NULL
            AND COALESCE(d.joined_on, d.stated_on) <= ? AND (d.left_on IS NULL OR d.left_on > ?) ${foundation} ${tiers}`,
        joinParams: [
          memberOf?.activeOn ?? activeOn,
          memberOf?.activeOn ?? activeOn,
          ...(memberOf ? [jsonList([memberOf.foundationId])] : []),
          ...(memberOf?.tiers ? [jsonList(memberOf.tiers)] : []),
        ],
        keys: ['d.foundation_id AS foundationId', 'd.tier AS tier'],
      };
    }
  }
}

type KeyRow = DimensionKey & { n: number };

function keyOf(row: Record<string, unknown>): DimensionKey {
  const key: DimensionKey = {};
  if (row.foundationId != null) key.foundationId = row.foundationId as number;
  if (row.companyId != null) key.companyId = row.companyId as number;
  if (row.feedId != null) key.feedId = row.feedId as number;
  if (row.tier != null) key.tier = row.tier as string;
  return key;
}

const DIMENSION_CODE: Record<Exclude<ArticleDimension, 'TIER'>, Dim> = { FOUNDATION: DIM.foundation, COMPANY: DIM.company, FEED: DIM.feed };

function keyOfDim(dim: Dim, key: number): DimensionKey {
  return dim === DIM.foundation ? { foundationId: key } : dim === DIM.company ? { companyId: key } : { feedId: key };
}

/**
 * Which per-day aggregate answers a breakdown exactly: with `by`, a filter of nothing but dates (a
 * bucket of Y among the articles of X would need X and Y together); without, the filter's one key.
 */
function aggregatePlan(queries: ArticleQueries, filter: ArticleFilter, by: ArticleDimension | null): { dim: Dim; key: number | null } | null {
  if (by === 'TIER') return null;
  const single = queries.aggregateKey(filter);
  if (single === null) return null;
  if (by === null) return single;
  return single.dim === DIM.all ? { dim: DIMENSION_CODE[by], key: null } : null;
}

/** Counts per key from a scan of the filter's articles: exact for any filter, as costly as the articles. */
function scanCountsBy(statements: Statements, filter: ArticleFilter, by: ArticleDimension, limit: number, activeOn: string): ArticleCountBucket[] {
  const f = articleFilterSql(filter);
  const d = dimensionSql(by, filter, activeOn);
  const keyColumns = d.keys.map((k) => k.split(' AS ')[0]);
  const sql = `SELECT ${d.keys.join(', ')}, COUNT(DISTINCT a.id) AS n FROM ${f.from} ${d.join} ${f.where}
    GROUP BY ${keyColumns.join(', ')} ORDER BY n DESC, ${keyColumns.join(', ')} LIMIT ?`;
  const rows = statements.get(sql).all(...d.joinParams, ...f.params, limit) as KeyRow[];
  return rows.map((row) => ({ key: keyOf(row as unknown as Record<string, unknown>), count: row.n }));
}

export function countArticlesBy(
  statements: Statements,
  queries: ArticleQueries,
  filter: ArticleFilter,
  by: ArticleDimension,
  limit: number,
  activeOn: string,
): ArticleCountBucket[] {
  const plan = aggregatePlan(queries, filter, by);
  if (plan === null) return scanCountsBy(statements, filter, by, limit, activeOn);
  const counts = new Map<number, number>();
  const add = (key: number, n: number) => counts.set(key, (counts.get(key) ?? 0) + n);
  const { publishedAfter: after, publishedBefore: before } = filter;
  if (after === undefined && before === undefined) {
    // Primary key of article_totals: one row per key.
    for (const row of statements.get('SELECT key, n FROM article_totals WHERE dim = ? AND n > 0').all(plan.dim) as { key: number; n: number }[]) add(row.key, row.n);
  } else {
    const lo = after ?? -8.64e15;
    const hi = before ?? 8.64e15;
    const firstDay = Math.ceil(lo / DAY_MS);
    const endDay = Math.floor(hi / DAY_MS);
    if (firstDay < endDay) {
      // Index article_counts_day (dim, day): whole days of every key.
      const sql = 'SELECT key, SUM(n) AS n FROM article_counts WHERE dim = ? AND day >= ? AND day < ? GROUP BY key';
      for (const row of statements.get(sql).all(plan.dim, firstDay, endDay) as { key: number; n: number }[]) add(row.key, row.n);
    }
    // The partial days at either end (or the whole range, under a day), from the articles.
    const partial = firstDay < endDay ? [[lo, firstDay * DAY_MS], [endDay * DAY_MS, hi]] : [[lo, hi]];
    for (const [from, to] of partial) {
      if (!(from < to)) continue;
      for (const bucket of scanCountsBy(statements, { publishedAfter: from, publishedBefore: to }, by, 1_000_000, activeOn)) {
        add((bucket.key.foundationId ?? bucket.key.companyId ?? bucket.key.feedId)!, bucket.count);
      }
    }
  }
  return [...counts]
    .filter(([, n]) => n > 0)
    .sort((x, y) => y[1] - x[1] || x[0] - y[0])
    .slice(0, limit)
    .map(([key, count]) => ({ key: keyOfDim(plan.dim, key), count }));
}

/** Registers fw_bucket(token, ms): the index of the bucket holding an instant (binary search). */
export class Bucketer {
  private readonly tables = new Map<number, readonly number[]>();
  private nextToken = 1;

  constructor(db: Db) {
    db.function('fw_bucket', { deterministic: true }, (token: unknown, ms: unknown) => {
      const boundaries = this.tables.get(Number(token));
      if (!boundaries) return null;
      let low = 0;
      let high = boundaries.length - 2;
      const t = Number(ms);
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (boundaries[mid] <= t) low = mid;
        else high = mid - 1;
      }
      return low;
    });
  }

  /**
   * Runs `work` with `bucket(ms)`: the SQL (and its parameters) of the bucket an instant falls in.
   * For up to CASE_MAX_BUCKETS buckets, a CASE over the boundaries, which SQLite evaluates itself;
   * beyond, fw_bucket's binary search, one call into JavaScript per row (a year of weekly counts
   * per foundation is 20,000 rows at 1,000,000 articles: 5 ms of calls).
   */
  with<T>(boundaries: readonly number[], work: (bucket: (ms: string) => BucketSql) => T): T {
    const buckets = boundaries.length - 1;
    if (buckets <= CASE_MAX_BUCKETS) {
      return work((ms) => {
        if (buckets <= 1) return { sql: '0', params: [] };
        const whens: string[] = [];
        for (let i = 1; i < buckets; i++) whens.push(`WHEN ${ms} < ? THEN ${i - 1}`);
        return { sql: `CASE ${whens.join(' ')} ELSE ${buckets - 1} END`, params: boundaries.slice(1, buckets) };
      });
    }
    const token = this.nextToken++;
    this.tables.set(token, boundaries);
    try {
      return work((ms) => ({ sql: `fw_bucket(?, ${ms})`, params: [token] }));
    } finally {
      this.tables.delete(token);
    }
  }
}

/** SQL for a bucket index, with the parameters of its placeholders. */
export interface BucketSql {
  sql: string;
  params: number[];
}

/** Above this many buckets, a CASE costs more per row than a call into JavaScript. */
const CASE_MAX_BUCKETS = 64;

export function articleTimeline(
  statements: Statements,
  bucketer: Bucketer,
  queries: ArticleQueries,
  filter: ArticleFilter,
  boundaries: readonly number[],
  by: ArticleDimension | null,
  limit: number,
  activeOn: string,
): ArticleSeries[] {
  const buckets = boundaries.length - 1;
  const series = new Map<string, ArticleSeries>();
  const add = (key: DimensionKey | null, bucket: number, n: number) => {
    const id = JSON.stringify(key);
    let s = series.get(id);
    if (!s) series.set(id, (s = { key, counts: new Array(buckets).fill(0), total: 0 }));
    s.counts[bucket] += n;
    s.total += n;
  };
  const plan = aggregatePlan(queries, filter, by);
  if (plan === null) {
    scanTimeline(statements, bucketer, filter, boundaries, by, activeOn, add);
  } else {
    // Whole UTC days from article_counts; a day that a boundary cuts (a time zone off UTC, a range
    // starting mid-day) is counted from its articles.
    const lo = Math.max(filter.publishedAfter ?? -8.64e15, boundaries[0]);
    const hi = Math.min(filter.publishedBefore ?? 8.64e15, boundaries[buckets]);
    const cuts = [...boundaries.filter((b) => b >= boundaries[0] && b <= boundaries[buckets]), lo, hi];
    const splitDays = [...new Set(cuts.filter((b) => b % DAY_MS !== 0).map((b) => Math.floor(b / DAY_MS)))];
    const firstDay = Math.floor(lo / DAY_MS);
    const endDay = Math.ceil(hi / DAY_MS);
    if (lo < hi) {
      // Primary key (dim, key, day): each key's range of days (article_totals lists the keys), read
      // in key order and summed per bucket here, a day's bucket looked up rather than found per row
      // (through the index on (dim, day) each row cost a seek into the table for its count).
      const sql =
        plan.key !== null
          ? 'SELECT key, day, n FROM article_counts WHERE dim = ? AND key = ? AND day >= ? AND day < ?'
          : `SELECT c.key, c.day, c.n FROM article_totals t CROSS JOIN article_counts c ON c.dim = t.dim AND c.key = t.key
             WHERE t.dim = ? AND c.day >= ? AND c.day < ?`;
      const params = plan.key !== null ? [plan.dim, plan.key, firstDay, endDay] : [plan.dim, firstDay, endDay];
      const rows = statements.get(sql).raw().all(...params) as [number, number, number][];
      const bucketOfDay = new Int32Array(endDay - firstDay);
      for (let day = firstDay, b = 0; day < endDay; day++) {
        while (b < buckets - 1 && boundaries[b + 1] <= day * DAY_MS) b++;
        bucketOfDay[day - firstDay] = b;
      }
      const split = new Set(splitDays);
      const sums = new Map<number, number[]>();
      for (const [key, day, n] of rows) {
        if (n === 0 || split.has(day)) continue;
        let counts = sums.get(key);
        if (!counts) sums.set(key, (counts = new Array<number>(buckets).fill(0)));
        counts[bucketOfDay[day - firstDay]] += n;
      }
      for (const [key, counts] of sums) {
        const k = by === null ? null : keyOfDim(plan.dim, key);
        counts.forEach((n, bucket) => n > 0 && add(k, bucket, n));
      }
      for (const day of splitDays) {
        const from = Math.max(lo, day * DAY_MS);
        const to = Math.min(hi, (day + 1) * DAY_MS);
        if (from < to) scanTimeline(statements, bucketer, { ...filter, publishedAfter: from, publishedBefore: to }, boundaries, by, activeOn, add);
      }
    }
  }
  if (!by) return [series.get('null') ?? { key: null, counts: new Array(buckets).fill(0), total: 0 }];
  return [...series.values()].sort((x, y) => y.total - x.total || JSON.stringify(x.key).localeCompare(JSON.stringify(y.key))).slice(0, limit);
}

/** Counts per bucket (and key) from a scan of the filter's articles within the boundaries. */
function scanTimeline(
  statements: Statements,
  bucketer: Bucketer,
  filter: ArticleFilter,
  boundaries: readonly number[],
  by: ArticleDimension | null,
  activeOn: string,
  add: (key: DimensionKey | null, bucket: number, n: number) => void,
): void {
  const buckets = boundaries.length - 1;
  const f = articleFilterSql({
    ...filter,
    publishedAfter: Math.max(filter.publishedAfter ?? -Infinity, boundaries[0]),
    publishedBefore: Math.min(filter.publishedBefore ?? Infinity, boundaries[buckets]),
  });
  const d = by ? dimensionSql(by, filter, activeOn) : { join: '', joinParams: [], keys: [] as string[] };
  const keyColumns = d.keys.map((k) => k.split(' AS ')[0]);
  const rows = bucketer.with(boundaries, (bucketOf) => {
    const bucket = bucketOf('a.published_at');
    const sql = `SELECT ${bucket.sql} AS bucket, ${[...d.keys, 'COUNT(DISTINCT a.id) AS n'].join(', ')}
      FROM ${f.from} ${d.join} ${f.where} GROUP BY ${['bucket', ...keyColumns].join(', ')}`;
    return statements.get(sql).all(...bucket.params, ...d.joinParams, ...f.params) as (Record<string, unknown> & { bucket: number; n: number })[];
  });
  for (const row of rows) add(by ? keyOf(row) : null, row.bucket, row.n);
}

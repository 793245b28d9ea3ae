import type { ArticleCountBucket, ArticleDimension, ArticleFilter, ArticleSeries, DimensionKey } from '../store';
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
      // The view gives each (article, foundation) pair once, through the feed or a mention.
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

export function countArticlesBy(
  statements: Statements,
  filter: ArticleFilter,
  by: ArticleDimension,
  limit: number,
  activeOn: string,
): ArticleCountBucket[] {
  const f = articleFilterSql(filter);
  const d = dimensionSql(by, filter, activeOn);
  const keyColumns = d.keys.map((k) => k.split(' AS ')[0]);
  const sql = `SELECT ${d.keys.join(', ')}, COUNT(DISTINCT a.id) AS n FROM ${f.from} ${d.join} ${f.where}
    GROUP BY ${keyColumns.join(', ')} ORDER BY n DESC, ${keyColumns.join(', ')} LIMIT ?`;
  const rows = statements.get(sql).all(...d.joinParams, ...f.params, limit) as KeyRow[];
  return rows.map((row) => ({ key: keyOf(row as unknown as Record<string, unknown>), count: row.n }));
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

  /** Runs `work` with a token naming these boundaries for fw_bucket. */
  with<T>(boundaries: readonly number[], work: (token: number) => T): T {
    const token = this.nextToken++;
    this.tables.set(token, boundaries);
    try {
      return work(token);
    } finally {
      this.tables.delete(token);
    }
  }
}

export function articleTimeline(
  statements: Statements,
  bucketer: Bucketer,
  filter: ArticleFilter,
  boundaries: readonly number[],
  by: ArticleDimension | null,
  limit: number,
  activeOn: string,
): ArticleSeries[] {
  const buckets = boundaries.length - 1;
  const f = articleFilterSql({
    ...filter,
    publishedAfter: Math.max(filter.publishedAfter ?? -Infinity, boundaries[0]),
    publishedBefore: Math.min(filter.publishedBefore ?? Infinity, boundaries[buckets]),
  });
  const d = by ? dimensionSql(by, filter, activeOn) : { join: '', joinParams: [], keys: [] as string[] };
  const keyColumns = d.keys.map((k) => k.split(' AS ')[0]);
  const rows = bucketer.with(boundaries, (token) => {
    const sql = `SELECT fw_bucket(?, a.published_at) AS bucket, ${[...d.keys, 'COUNT(DISTINCT a.id) AS n'].join(', ')}
      FROM ${f.from} ${d.join} ${f.where} GROUP BY ${['bucket', ...keyColumns].join(', ')}`;
    return statements.get(sql).all(token, ...d.joinParams, ...f.params) as (Record<string, unknown> & { bucket: number; n: number })[];
  });
  const series = new Map<string, ArticleSeries>();
  for (const row of rows) {
    const key = by ? keyOf(row) : null;
    const id = JSON.stringify(key);
    let s = series.get(id);
    if (!s) series.set(id, (s = { key, counts: new Array(buckets).fill(0), total: 0 }));
    s.counts[row.bucket] += row.n;
    s.total += row.n;
  }
  if (!by) return [series.get('null') ?? { key: null, counts: new Array(buckets).fill(0), total: 0 }];
  return [...series.values()].sort((x, y) => y.total - x.total || JSON.stringify(x.key).localeCompare(JSON.stringify(y.key))).slice(0, limit);
}

import type { Page, PageEdge, PageRequest, SortKey } from '../paging';
import type { ArticleCount, ArticleFilter, ArticleOrderField } from '../store';
import type { ArticleRecord } from '../types';
import { runPage, type KeyColumn, type ListSpec } from './keyset';
import { SNIPPET, toFts5 } from './fts';
import { ARTICLE_LIST_COLUMNS, articleConditions, articleKeys, articleSpec, memberOfCompaniesSql, type DrivenBy } from './specs';
import { inList, jsonList, type Statements } from './statements';

/**
 * How article lists and counts are answered so that their cost depends on the page, not on the
 * archive (migration 0004 lays the data out for it):
 *
 * - A list in date order with a foundation, company, feed or memberOf filter is driven by index
 *   ranges in date order: one range per key (article_foundations_foundation,
 *   article_company_mentions_company, articles_feed_published), each read for one page at most, and
 *   merged. The rest of the filter is checked per article by primary key. Of several such filters,
 *   the one with the fewest articles (article_totals) drives.
 * - A search ranks the newest `searchMaxCandidates` articles that match the whole filter (by when they
 *   were stored: FTS5 reads its doclists in rowid order and stops there) rather than every match:
 *   relevance among recent news, traded for never ranking an old article above SEARCH_MAX_CANDIDATES
 *   newer matches. Rows and snippets are read for the page only.
 * - A count is exact from the per-day aggregates (article_counts, article_totals) when the filter is
 *   a date range and at most one foundation, company or feed; otherwise articles are counted up to
 *   `countMax`, past which the count is a lower bound.
 */
export interface ArticleQueryOptions {
  countMax: number;
  searchMaxCandidates: number;
}

export const DAY_MS = 86_400_000;

/** Dimension codes of article_counts / article_totals (migration 0004). */
export const DIM = { all: 0, foundation: 1, company: 2, feed: 3 } as const;
export type Dim = (typeof DIM)[keyof typeof DIM];

/** Merging more ranges than this costs more than the general plan would. */
const MAX_DRIVER_KEYS = 200;

interface Driver {
  by: DrivenBy;
  dim: Dim;
  keys: number[];
}

const num = (expr: string): KeyColumn => ({ expr, type: 'number' });

export class ArticleQueries {
  constructor(
    private readonly statements: Statements,
    private readonly options: ArticleQueryOptions,
  ) {}

  list(filter: ArticleFilter, page: PageRequest<ArticleOrderField>): Page<ArticleRecord> {
    if (filter.search !== undefined) return this.searchPage(filter, page);
    const driver = page.orderBy === 'PUBLISHED_AT' ? this.driver(filter) : null;
    if (driver === null) return runPage(this.statements, articleSpec(filter, page.orderBy), page);
    if (driver.keys.length === 0) return { edges: [], hasNextPage: false, hasPreviousPage: false };
    if (driver.keys.length === 1) return runPage(this.statements, drivenSpec(filter, driver, driver.keys[0]), page);
    // Several ranges: each gives the ids of its first page (from the index alone when nothing else
    // is checked), the merge picks the page, and only the page's rows are read.
    const ids = mergePages(
      driver.keys.map((key) => runPage(this.statements, drivenIdSpec(filter, driver, key), page)),
      page,
      (id) => id,
    );
    return this.withRows(ids);
  }

  /** The rows of a page of ids, in its order (an article deleted meanwhile is left out). */
  private withRows(ids: Page<number>, extra?: (id: number) => Partial<ArticleRecord>): Page<ArticleRecord> {
    if (ids.edges.length === 0) return { ...ids, edges: [] };
    const list = jsonList(ids.edges.map((e) => e.node));
    const rows = this.statements.get(`SELECT ${ARTICLE_LIST_COLUMNS} FROM articles a WHERE ${inList('a.id')}`).all(list) as ArticleRecord[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const edges: PageEdge<ArticleRecord>[] = [];
    for (const edge of ids.edges) {
      const row = byId.get(edge.node);
      if (row) edges.push({ key: edge.key, node: extra ? { ...row, ...extra(edge.node) } : row });
    }
    return { ...ids, edges };
  }

  count(filter: ArticleFilter): ArticleCount {
    const aggregate = this.aggregateKey(filter);
    if (aggregate) return { count: this.countFromAggregates(aggregate.dim, aggregate.key, filter.publishedAfter, filter.publishedBefore), exact: true };
    return this.cappedCount(filter);
  }

  /**
   * The one (dimension, key) whose per-day counts answer this filter exactly, or null. Exact sums
   * need a single key: two foundations' counts overlap where an article belongs to both.
   */
  aggregateKey(filter: ArticleFilter): { dim: Dim; key: number } | null {
    if (filter.search !== undefined || filter.memberOf !== undefined || filter.hasCompanies !== undefined || filter.language !== undefined) return null;
    const dims: { dim: Dim; keys: readonly number[] }[] = [];
    if (filter.foundationIds !== undefined) dims.push({ dim: DIM.foundation, keys: this.foundationIds(filter) });
    if (filter.companyIds !== undefined) dims.push({ dim: DIM.company, keys: filter.companyIds });
    if (filter.feedIds !== undefined) dims.push({ dim: DIM.feed, keys: filter.feedIds });
    if (dims.length === 0) return { dim: DIM.all, key: 0 };
    if (dims.length > 1 || new Set(dims[0].keys).size !== 1) return null;
    return { dim: dims[0].dim, key: dims[0].keys[0] };
  }

  /**
   * Articles of one key published in [after, before): whole UTC days from article_counts (all time
   * from article_totals), the partial days at either end counted from the key's index range.
   */
  countFromAggregates(dim: Dim, key: number, after: number | undefined, before: number | undefined): number {
    if (after === undefined && before === undefined) {
      // Primary key (dim, key).
      return (this.statements.get('SELECT n FROM article_totals WHERE dim = ? AND key = ?').pluck().get(dim, key) as number | undefined) ?? 0;
    }
    const lo = after ?? -Infinity;
    const hi = before ?? Infinity;
    if (!(lo < hi)) return 0;
    const firstDay = Number.isFinite(lo) ? Math.ceil(lo / DAY_MS) : -Infinity;
    const endDay = Number.isFinite(hi) ? Math.floor(hi / DAY_MS) : Infinity;
    if (firstDay >= endDay) return this.countRange(dim, key, lo, hi);
    // Primary key (dim, key, day): a range of days.
    const days = this.statements
      .get('SELECT COALESCE(SUM(n), 0) FROM article_counts WHERE dim = ? AND key = ? AND day >= ? AND day < ?')
      .pluck()
      .get(dim, key, Number.isFinite(firstDay) ? firstDay : -1e15, Number.isFinite(endDay) ? endDay : 1e15) as number;
    let partial = 0;
    if (Number.isFinite(lo) && lo < firstDay * DAY_MS) partial += this.countRange(dim, key, lo, firstDay * DAY_MS);
    if (Number.isFinite(hi) && endDay * DAY_MS < hi) partial += this.countRange(dim, key, endDay * DAY_MS, hi);
    return days + partial;
  }

  /** Articles of one key in [lo, hi), counted from its index range (used for less than a day). */
  private countRange(dim: Dim, key: number, lo: number, hi: number): number {
    const sql = {
      [DIM.all]: 'SELECT COUNT(*) FROM articles WHERE ? = 0 AND published_at >= ? AND published_at < ?', // articles_published
      [DIM.foundation]: 'SELECT COUNT(*) FROM article_foundations WHERE foundation_id = ? AND published_at >= ? AND published_at < ?', // article_foundations_foundation
      [DIM.company]: 'SELECT COUNT(*) FROM article_company_mentions WHERE company_id = ? AND published_at >= ? AND published_at < ?', // article_company_mentions_company
      [DIM.feed]: 'SELECT COUNT(*) FROM articles WHERE feed_id = ? AND published_at >= ? AND published_at < ?', // articles_feed_published
    }[dim];
    return this.statements.get(sql).pluck().get(key, Math.max(lo, -8.64e15), Math.min(hi, 8.64e15)) as number;
  }

  /** Counts up to countMax + 1 matching articles: exact below the cap, a lower bound at it. */
  private cappedCount(filter: ArticleFilter): ArticleCount {
    const cap = this.options.countMax;
    let from: string;
    let where: string[];
    let params: unknown[];
    const driver = filter.search === undefined ? this.driver(filter) : null;
    if (driver && driver.keys.length === 0) return { count: 0, exact: true };
    if (driver) {
      const d = DRIVERS[driver.dim];
      const c = articleConditions(filter, driver.by, d.published);
      // Nothing else to check: the index range alone.
      from = c.where.length === 0 ? d.range : d.from;
      where = [inList(d.key), ...c.where];
      params = [jsonList(driver.keys), ...c.params];
    } else {
      const spec = articleSpec(filter, 'PUBLISHED_AT');
      ({ from, where, params } = spec);
    }
    let id = driver ? DRIVERS[driver.dim].id : 'a.id';
    // A search and nothing else: the full-text index alone.
    if (filter.search !== undefined && where.length === 1) [from, id] = ['articles_fts', 'rowid'];
    const distinct = driver !== null && driver.keys.length > 1 ? 'DISTINCT' : '';
    const sql = `SELECT COUNT(*) FROM (SELECT ${distinct} ${id} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} LIMIT ?)`;
    const n = this.statements.get(sql).pluck().get(...params, cap + 1) as number;
    return n > cap ? { count: cap, exact: false } : { count: n, exact: true };
  }

  /** The filter's foundations, with every foundation below them when it includes subfoundations. */
  foundationIds(filter: ArticleFilter): number[] {
    const ids = filter.foundationIds ?? [];
    if (!filter.includeSubfoundations || ids.length === 0) return [...new Set(ids)];
    // Index foundations_parent, one level at a time.
    return this.statements
      .get(
        `WITH RECURSIVE sub(id) AS (SELECT value FROM json_each(?) UNION SELECT f.id FROM foundations f JOIN sub ON f.parent_id = sub.id)
         SELECT id FROM sub ORDER BY id`,
      )
      .pluck()
      .all(jsonList(ids)) as number[];
  }

  /** The index ranges that drive a date-ordered list: the filter part with the fewest articles. */
  private driver(filter: ArticleFilter): Driver | null {
    const candidates: Driver[] = [];
    if (filter.foundationIds !== undefined) candidates.push({ by: 'foundation', dim: DIM.foundation, keys: this.foundationIds(filter) });
    if (filter.companyIds !== undefined) candidates.push({ by: 'company', dim: DIM.company, keys: [...new Set(filter.companyIds)] });
    if (filter.feedIds !== undefined) candidates.push({ by: 'feed', dim: DIM.feed, keys: [...new Set(filter.feedIds)] });
    if (filter.memberOf !== undefined) {
      const m = memberOfCompaniesSql(filter.memberOf, filter.includeSubfoundations);
      candidates.push({ by: 'memberOf', dim: DIM.company, keys: this.statements.get(m.sql).pluck().all(...m.params) as number[] });
    }
    const usable = candidates.filter((c) => c.keys.length <= MAX_DRIVER_KEYS);
    if (usable.length === 0) return null;
    if (usable.some((c) => c.keys.length === 0)) return usable.find((c) => c.keys.length === 0)!;
    // Only with a choice to make are the ranges' sizes worth reading.
    if (usable.length === 1) return usable[0];
    let best = usable[0];
    let bestSize = Infinity;
    for (const c of usable) {
      // Primary key (dim, key).
      const size = this.statements
        .get(`SELECT COALESCE(SUM(n), 0) FROM article_totals WHERE dim = ? AND ${inList('key')}`)
        .pluck()
        .get(c.dim, jsonList(c.keys)) as number;
      if (size < bestSize) [best, bestSize] = [c, size];
    }
    return best;
  }

  /**
   * A search page: the newest `searchMaxCandidates` articles that match (FTS5 walks its doclists in
   * rowid order and stops there; the rest of the filter is checked on the way), ranked or dated
   * outside, then the page's rows and snippets. Only ids and sort keys go through the sort, never
   * the articles' text.
   */
  private searchPage(filter: ArticleFilter, page: PageRequest<ArticleOrderField>): Page<ArticleRecord> {
    const match = toFts5(filter.search!);
    const c = articleConditions(filter);
    articleKeys(page.orderBy, filter); // refuses RELEVANCE without a search, as every plan does
    const keys: KeyColumn[] =
      page.orderBy === 'RELEVANCE' ? [num('-c.rank'), num('c.id')] : page.orderBy === 'FETCHED_AT' ? [num('c.fetchedAt'), num('c.id')] : [num('c.publishedAt'), num('c.id')];
    const spec: ListSpec<{ id: number }, number> = {
      select: 'c.id AS id',
      // By relevance with nothing checked but the match, the articles' rows are not read at all
      // (a third of the ranking's time for 1,000 candidates).
      from:
        page.orderBy === 'RELEVANCE' && c.where.length === 1
          ? `(SELECT rowid AS id, rank FROM articles_fts WHERE ${c.where[0]} ORDER BY rowid DESC LIMIT ?) c`
          : `(SELECT articles_fts.rowid AS id, articles_fts.rank AS rank, a.published_at AS publishedAt, a.fetched_at AS fetchedAt
          FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE ${c.where.join(' AND ')}
          ORDER BY articles_fts.rowid DESC LIMIT ?) c`,
      fromParams: [...c.params, this.options.searchMaxCandidates],
      where: [],
      params: [],
      keys,
      map: (row) => row.id,
    };
    const ids = runPage(this.statements, spec, page);
    // One row at a time: FTS5 seeks `rowid = ?` within the match, where `rowid IN (...)` would walk
    // every match of the query to find the page's rows (measured 2.6 ms against 7.1 ms for 20 rows).
    const snippet = this.statements.get(`SELECT ${SNIPPET} FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?`).pluck();
    return this.withRows(ids, (id) => ({ snippet: (snippet.get(match, id) as string | undefined) ?? null }));
  }
}

/**
 * The index range of each driving dimension: its table joined to articles (`from`) or alone
 * (`range`, when nothing else is checked: the index covers key, date and id), key, date and id.
 */
const DRIVERS: Record<Dim, { from: string; range: string; key: string; published: string; id: string }> = {
  // CROSS JOIN keeps the index range as the outer loop: rows come out in its order, so a page stops early.
  [DIM.all]: { from: 'articles a', range: 'articles a', key: '0', published: 'a.published_at', id: 'a.id' },
  [DIM.foundation]: {
    from: 'article_foundations d CROSS JOIN articles a ON a.id = d.article_id',
    range: 'article_foundations d',
    key: 'd.foundation_id',
    published: 'd.published_at',
    id: 'd.article_id',
  },
  [DIM.company]: {
    from: 'article_company_mentions d CROSS JOIN articles a ON a.id = d.article_id',
    range: 'article_company_mentions d',
    key: 'd.company_id',
    published: 'd.published_at',
    id: 'd.article_id',
  },
  [DIM.feed]: { from: 'articles a', range: 'articles a', key: 'a.feed_id', published: 'a.published_at', id: 'a.id' },
};

/** One key's range of a driven list, as ids: from the index alone when nothing else is checked. */
function drivenIdSpec(filter: ArticleFilter, driver: Driver, key: number): ListSpec<{ id: number }, number> {
  const d = DRIVERS[driver.dim];
  const c = articleConditions(filter, driver.by, d.published);
  return {
    select: `${d.id} AS id`,
    from: c.where.length === 0 ? d.range : d.from,
    where: [`${d.key} = ?`, ...c.where],
    params: [key, ...c.params],
    keys: [num(d.published), num(d.id)],
    map: (row) => row.id,
  };
}

/** One key's range of a driven list: the rest of the filter as conditions, the range's own sort key. */
function drivenSpec(filter: ArticleFilter, driver: Driver, key: number): ListSpec<ArticleRecord, ArticleRecord> {
  const d = DRIVERS[driver.dim];
  const c = articleConditions(filter, driver.by, d.published);
  return {
    select: ARTICLE_LIST_COLUMNS,
    from: d.from,
    where: [`${d.key} = ?`, ...c.where],
    params: [key, ...c.params],
    keys: [num(d.published), num(d.id)],
    map: (row) => row,
  };
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}

/**
 * The page of the union of several ranges' pages (each in the requested order, each holding the
 * first `limit` rows of its range): every row of the union's page is among its own range's first
 * `limit`, so the merge is exact. An article in several ranges appears once.
 */
export function mergePages<T>(pages: Page<T>[], page: PageRequest, idOf: (node: T) => number): Page<T> {
  const seen = new Set<number>();
  const all: PageEdge<T>[] = [];
  for (const p of pages) {
    for (const edge of p.edges) {
      const id = idOf(edge.node);
      if (seen.has(id)) continue;
      seen.add(id);
      all.push(edge);
    }
  }
  const sign = page.direction === 'ASC' ? 1 : -1;
  all.sort((x, y) => sign * compareKeys(x.key, y.key));
  const more = all.length > page.limit;
  if (page.backward) {
    return {
      edges: all.slice(Math.max(0, all.length - page.limit)),
      hasPreviousPage: more || pages.some((p) => p.hasPreviousPage),
      hasNextPage: page.before !== undefined,
    };
  }
  return {
    edges: all.slice(0, page.limit),
    hasNextPage: more || pages.some((p) => p.hasNextPage),
    hasPreviousPage: page.after !== undefined,
  };
}

/**
 * The listing queries of each entity, as ListSpecs: which columns, which joins, which conditions for
 * a filter, and which sort key for an ordering. Each names the index it is meant to use.
 */
import type {
  ArticleFilter,
  ArticleOrderField,
  CompanyFilter,
  CompanyOrderField,
  FeedFilter,
  FeedOrderField,
  FoundationFilter,
  FoundationOrderField,
  MembershipFilter,
  MembershipOrderField,
  MembershipParent,
} from '../store';
import type {
  ArticleRecord,
  CompanyRecord,
  FeedRecord,
  FoundationRecord,
  MembershipRecord,
} from '../types';
import type { KeyColumn, ListSpec, Partition } from './keyset';
import { BadInputError } from '../../errors';
import { RANK, SNIPPET, toFts5 } from './fts';
import { inList, jsonList, likePattern } from './statements';

export const FOUNDATION_COLUMNS = `f.id AS id, f.slug AS slug, f.name AS name, f.short_name AS shortName,
  f.description AS description, f.homepage AS homepage, f.parent_id AS parentId,
  f.created_at AS createdAt, f.updated_at AS updatedAt`;

export const COMPANY_COLUMNS = `c.id AS id, c.slug AS slug, c.name AS name, c.homepage AS homepage,
  c.parent_id AS parentId, c.created_at AS createdAt, c.updated_at AS updatedAt`;

export const MEMBERSHIP_COLUMNS = `m.id AS id, m.foundation_id AS foundationId, m.company_id AS companyId,
  m.tier AS tier, m.joined_on AS joinedOn, m.left_on AS leftOn, m.stated_on AS statedOn,
  m.source_url AS sourceUrl, m.note AS note`;

/** A feed's status is derived, never stored, so it cannot disagree with the fetch state. */
export const FEED_STATUS = `CASE WHEN fd.disabled_at IS NOT NULL THEN 'DISABLED'
  WHEN fd.last_fetched_at IS NULL THEN 'NEW'
  WHEN fd.error_count > 0 THEN 'FAILING' ELSE 'OK' END`;

export const FEED_COLUMNS = `fd.id AS id, fd.url AS url, fd.foundation_id AS foundationId, fd.title AS title,
  fd.site_url AS siteUrl, fd.description AS description, fd.language AS language, fd.origin AS origin,
  ${FEED_STATUS} AS status, fd.disabled_at AS disabledAt, fd.last_fetched_at AS lastFetchedAt,
  fd.last_success_at AS lastSuccessAt, fd.next_fetch_at AS nextFetchAt, fd.error_count AS errorCount,
  fd.last_error AS lastError, fd.last_error_class AS lastErrorClass, fd.etag AS etag,
  fd.last_modified AS lastModified, fd.fetch_interval_ms AS fetchIntervalMs, fd.created_at AS createdAt,
  fd.updated_at AS updatedAt`;

/** An article without its full text: what list pages read (the text is fetched by id when a query asks for it). */
export const ARTICLE_LIST_COLUMNS = `a.id AS id, a.feed_id AS feedId, a.identity AS identity, a.url AS url,
  a.canonical_url AS canonicalUrl, a.story_id AS storyId, a.title AS title, a.summary AS summary,
  a.author AS author, a.language AS language,
  a.image_url AS imageUrl, a.published_at AS publishedAt, a.date_source AS dateSource,
  a.fetched_at AS fetchedAt, a.updated_at AS updatedAt`;

export const ARTICLE_COLUMNS = `${ARTICLE_LIST_COLUMNS}, a.content_html AS contentHtml, a.content_text AS contentText`;

const identity = <T>(row: T) => row;
const id = (expr: string): KeyColumn => ({ expr, type: 'number' });
const text = (expr: string): KeyColumn => ({ expr, type: 'string' });

/** Accumulates AND-ed conditions with their parameters, in order. */
export class Conditions {
  readonly where: string[] = [];
  readonly params: unknown[] = [];

  add(sql: string, ...params: unknown[]): this {
    this.where.push(sql);
    this.params.push(...params);
    return this;
  }

  /** `expr IN (...)` when a list is given (an empty list matches nothing, as asked). */
  list(expr: string, values: readonly (string | number)[] | undefined): this {
    return values === undefined ? this : this.add(inList(expr), jsonList(values));
  }
}

export function foundationSpec(filter: FoundationFilter, order: FoundationOrderField): ListSpec<FoundationRecord, FoundationRecord> {
  const c = new Conditions().list('f.parent_id', filter.parentIds);
  if (filter.topLevel !== undefined) c.add(filter.topLevel ? 'f.parent_id IS NULL' : 'f.parent_id IS NOT NULL');
  if (filter.search) {
    const like = likePattern(filter.search);
    c.add(
      `(f.name LIKE ? ESCAPE '\\' OR f.short_name LIKE ? ESCAPE '\\' OR f.slug LIKE ? ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM foundation_aliases fa WHERE fa.foundation_id = f.id AND fa.alias LIKE ? ESCAPE '\\'))`,
      like, like, like, like,
    );
  }
  return {
    select: FOUNDATION_COLUMNS,
    from: 'foundations f',
    ...c,
    // Index foundations_name (name COLLATE NOCASE, id); SLUG uses the slug's unique index.
    keys: order === 'SLUG' ? [text('f.slug'), id('f.id')] : [text('f.name COLLATE NOCASE'), id('f.id')],
    map: identity,
  };
}

function membershipConditions(c: Conditions, filter: MembershipFilter): Conditions {
  c.list('m.foundation_id', filter.foundationIds).list('m.company_id', filter.companyIds).list('m.tier', filter.tiers);
  if (filter.activeOn !== undefined) {
    // Started by then (the joining date, or at least the date a source stated it) and not left yet.
    c.add('COALESCE(m.joined_on, m.stated_on) <= ? AND (m.left_on IS NULL OR m.left_on > ?)', filter.activeOn, filter.activeOn);
  }
  return c;
}

export function companySpec(filter: CompanyFilter, order: CompanyOrderField): ListSpec<CompanyRecord, CompanyRecord> {
  const c = new Conditions();
  if (filter.search) {
    const like = likePattern(filter.search);
    c.add(
      `(c.name LIKE ? ESCAPE '\\' OR c.slug LIKE ? ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM company_aliases ca WHERE ca.company_id = c.id AND ca.alias LIKE ? ESCAPE '\\'))`,
      like, like, like,
    );
  }
  if (filter.foundationIds !== undefined || filter.tiers !== undefined || filter.activeOn !== undefined) {
    // Index memberships_company (company_id, foundation_id).
    const m = membershipConditions(new Conditions(), {
      foundationIds: filter.foundationIds,
      tiers: filter.tiers,
      activeOn: filter.activeOn,
    });
    c.add(`EXISTS (SELECT 1 FROM memberships m WHERE m.company_id = c.id AND ${m.where.join(' AND ')})`, ...m.params);
  }
  return {
    select: COMPANY_COLUMNS,
    from: 'companies c',
    ...c,
    keys: order === 'SLUG' ? [text('c.slug'), id('c.id')] : [text('c.name COLLATE NOCASE'), id('c.id')],
    map: identity,
  };
}

export function membershipSpec(filter: MembershipFilter, order: MembershipOrderField): ListSpec<MembershipRecord, MembershipRecord> {
  const c = membershipConditions(new Conditions(), filter);
  return {
    select: MEMBERSHIP_COLUMNS,
    from: 'memberships m JOIN companies c ON c.id = m.company_id',
    ...c,
    keys: order === 'STATED_ON' ? [text('m.stated_on'), id('m.id')] : [text('c.name COLLATE NOCASE'), id('m.id')],
    map: identity,
  };
}

export function membershipPartition(parent: MembershipParent, parentIds: readonly number[]): Partition {
  return { expr: parent === 'foundation' ? 'm.foundation_id' : 'm.company_id', parentIds };
}

export function feedSpec(filter: FeedFilter, order: FeedOrderField): ListSpec<FeedRecord, FeedRecord> {
  const c = new Conditions().list('fd.foundation_id', filter.foundationIds).list(`(${FEED_STATUS})`, filter.statuses);
  return {
    select: FEED_COLUMNS,
    from: 'feeds fd',
    ...c,
    keys: order === 'CREATED_AT' ? [id('fd.created_at'), id('fd.id')] : [text('fd.url'), id('fd.id')],
    map: identity,
  };
}

export function feedPartition(foundationIds: readonly number[]): Partition {
  return { expr: 'fd.foundation_id', parentIds: foundationIds };
}

/** Foundation ids, or those ids and every foundation below them (recursive CTE over parent_id). */
export function foundationSet(includeSubfoundations: boolean | undefined): string {
  return includeSubfoundations
    ? `(WITH RECURSIVE sub(id) AS (SELECT value FROM json_each(?) UNION SELECT f.id FROM foundations f JOIN sub ON f.parent_id = sub.id) SELECT id FROM sub)`
    : '(SELECT value FROM json_each(?))';
}

/** Which part of an article filter an index range already applies (the driver of a plan), left out of the conditions. */
export type DrivenBy = 'foundation' | 'company' | 'feed' | 'memberOf';

/** Companies that were members of the filter's foundation (at one of its tiers) on its date: `ms` rows. */
function memberOfSql(memberOf: NonNullable<ArticleFilter['memberOf']>, includeSubfoundations: boolean | undefined) {
  const tiers = memberOf.tiers === undefined ? '' : `AND ${inList('ms.tier')}`;
  return {
    // Index memberships_foundation_tier.
    where: `ms.foundation_id IN ${foundationSet(includeSubfoundations)} ${tiers}
      AND COALESCE(ms.joined_on, ms.stated_on) <= ? AND (ms.left_on IS NULL OR ms.left_on > ?)`,
    params: [
      jsonList([memberOf.foundationId]),
      ...(memberOf.tiers === undefined ? [] : [jsonList(memberOf.tiers)]),
      memberOf.activeOn,
      memberOf.activeOn,
    ],
  };
}

/** The company ids of memberOf: a few rows of memberships, read before the article query is planned. */
export function memberOfCompaniesSql(memberOf: NonNullable<ArticleFilter['memberOf']>, includeSubfoundations: boolean | undefined) {
  const m = memberOfSql(memberOf, includeSubfoundations);
  return { sql: `SELECT DISTINCT ms.company_id FROM memberships ms WHERE ${m.where} ORDER BY 1`, params: m.params };
}

/**
 * The conditions of an article filter on `articles a` (plus `articles_fts` when searching). Each is
 * checked per article by primary key (EXISTS on (article_id, ...)), never by building the set of every
 * matching article: the plan's driver (an index range in date order, or the search) decides which
 * articles are looked at, and `drivenBy` names the parts of the filter it already applies.
 * `dateColumn` is where the date range applies (the driver's own published_at, to be an index range).
 */
export function articleConditions(filter: ArticleFilter, drivenBy?: DrivenBy, dateColumn = 'a.published_at'): Conditions {
  const c = new Conditions();
  if (filter.feedIds !== undefined && drivenBy !== 'feed') c.list('a.feed_id', filter.feedIds);
  if (filter.foundationIds !== undefined && drivenBy !== 'foundation') {
    // Primary key (article_id, foundation_id).
    c.add(
      `EXISTS (SELECT 1 FROM article_foundations x WHERE x.article_id = a.id AND x.foundation_id IN ${foundationSet(filter.includeSubfoundations)})`,
      jsonList(filter.foundationIds),
    );
  }
  if (filter.companyIds !== undefined && drivenBy !== 'company') {
    // Primary key (article_id, company_id).
    c.add(`EXISTS (SELECT 1 FROM article_company_mentions x WHERE x.article_id = a.id AND ${inList('x.company_id')})`, jsonList(filter.companyIds));
  }
  if (filter.memberOf !== undefined && drivenBy !== 'memberOf') {
    const m = memberOfSql(filter.memberOf, filter.includeSubfoundations);
    c.add(
      `EXISTS (SELECT 1 FROM article_company_mentions x JOIN memberships ms ON ms.company_id = x.company_id WHERE x.article_id = a.id AND ${m.where})`,
      ...m.params,
    );
  }
  if (filter.hasCompanies !== undefined) {
    c.add(`${filter.hasCompanies ? '' : 'NOT '}EXISTS (SELECT 1 FROM article_company_mentions acm WHERE acm.article_id = a.id)`);
  }
  if (filter.language !== undefined) {
    const language = filter.language.toLowerCase();
    c.add("(a.language = ? OR a.language LIKE ? ESCAPE '\\')", language, `${language.replace(/[\\%_]/g, (x) => `\\${x}`)}-%`);
  }
  if (filter.publishedAfter !== undefined) c.add(`${dateColumn} >= ?`, filter.publishedAfter);
  if (filter.publishedBefore !== undefined) c.add(`${dateColumn} < ?`, filter.publishedBefore);
  if (filter.search !== undefined) c.add('articles_fts MATCH ?', toFts5(filter.search));
  return c;
}

/** FROM for articles: joined to the full-text index when searching (the index drives: it comes first). */
function articleFrom(filter: ArticleFilter): string {
  return filter.search === undefined ? 'articles a' : 'articles_fts JOIN articles a ON a.id = articles_fts.rowid';
}

/** The sort key of an ordering: indexes articles_published / articles_fetched, or FTS5's rank. */
export function articleKeys(order: ArticleOrderField, filter: ArticleFilter): KeyColumn[] {
  if (order === 'RELEVANCE' && filter.search === undefined) throw new BadInputError('ordering by RELEVANCE needs `filter.search`');
  // Most relevant first in DESC order: bm25 is lower for better matches.
  if (order === 'RELEVANCE') return [id(`-${RANK}`), id('a.id')];
  return order === 'FETCHED_AT' ? [id('a.fetched_at'), id('a.id')] : [id('a.published_at'), id('a.id')];
}

/** The general plan of an article list: the filter as conditions on articles, in the order's index. */
export function articleSpec(filter: ArticleFilter, order: ArticleOrderField): ListSpec<ArticleRecord, ArticleRecord> {
  const keys = articleKeys(order, filter);
  return { select: ARTICLE_LIST_COLUMNS, from: articleFrom(filter), ...articleConditions(filter), keys, map: identity };
}

/** The SQL of a filter for grouped queries: FROM and WHERE with their parameters. */
export function articleFilterSql(filter: ArticleFilter): { from: string; where: string; params: unknown[] } {
  const c = articleConditions(filter);
  return { from: articleFrom(filter), where: c.where.length ? `WHERE ${c.where.join(' AND ')}` : '', params: c.params };
}

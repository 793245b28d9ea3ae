/**
 * The listing queries of each entity, as ListSpecs: which columns, which joins, which conditions for
 * a filter, and which sort key for an ordering. Each names the index it is meant to use.
 */
import type {
  ArticleFilter,
  ArticleOrderField,
  ArticleParent,
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

export const ARTICLE_COLUMNS = `a.id AS id, a.feed_id AS feedId, a.identity AS identity, a.url AS url,
  a.canonical_url AS canonicalUrl, a.story_id AS storyId, a.title AS title, a.summary AS summary,
  a.content_html AS contentHtml, a.content_text AS contentText, a.author AS author, a.language AS language,
  a.image_url AS imageUrl, a.published_at AS publishedAt, a.date_source AS dateSource,
  a.fetched_at AS fetchedAt, a.updated_at AS updatedAt`;

const identity = <T>(row: T) => row;
const id = (expr: string): KeyColumn => ({ expr, type: 'number' });
const text = (expr: string): KeyColumn => ({ expr, type: 'string' });

/** Accumulates AND-ed conditions with their parameters, in order. */
class Conditions {
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

/** The conditions of an article filter (on `articles a`, plus `articles_fts` when searching). */
function articleConditions(filter: ArticleFilter): Conditions {
  const c = new Conditions()
    // Index articles_feed_published.
    .list('a.feed_id', filter.feedIds);
  if (filter.foundationIds !== undefined) {
    // Through the feed (feeds_foundation, then articles_feed_published) or a mention
    // (article_foundation_mentions_foundation).
    c.add(
      `a.id IN (SELECT article_id FROM article_foundations WHERE foundation_id IN ${foundationSet(filter.includeSubfoundations)})`,
      jsonList(filter.foundationIds),
    );
  }
  if (filter.companyIds !== undefined) {
    c.add(`a.id IN (SELECT article_id FROM article_company_mentions WHERE ${inList('company_id')})`, jsonList(filter.companyIds));
  }
  if (filter.memberOf !== undefined) {
    const m = filter.memberOf;
    const tiers = m.tiers === undefined ? '' : `AND ${inList('ms.tier')}`;
    // Index memberships_foundation_tier, then article_company_mentions_company.
    c.add(
      `a.id IN (SELECT acm.article_id FROM memberships ms JOIN article_company_mentions acm ON acm.company_id = ms.company_id
        WHERE ms.foundation_id IN ${foundationSet(filter.includeSubfoundations)} ${tiers}
          AND COALESCE(ms.joined_on, ms.stated_on) <= ? AND (ms.left_on IS NULL OR ms.left_on > ?))`,
      jsonList([m.foundationId]),
      ...(m.tiers === undefined ? [] : [jsonList(m.tiers)]),
      m.activeOn,
      m.activeOn,
    );
  }
  if (filter.hasCompanies !== undefined) {
    c.add(`${filter.hasCompanies ? '' : 'NOT '}EXISTS (SELECT 1 FROM article_company_mentions acm WHERE acm.article_id = a.id)`);
  }
  if (filter.language !== undefined) {
    const language = filter.language.toLowerCase();
    c.add("(a.language = ? OR a.language LIKE ? ESCAPE '\\')", language, `${language.replace(/[\\%_]/g, (x) => `\\${x}`)}-%`);
  }
  if (filter.publishedAfter !== undefined) c.add('a.published_at >= ?', filter.publishedAfter);
  if (filter.publishedBefore !== undefined) c.add('a.published_at < ?', filter.publishedBefore);
  if (filter.search !== undefined) c.add('articles_fts MATCH ?', toFts5(filter.search));
  return c;
}

/** FROM for articles: joined to the full-text index when searching, and to the parent for nested connections. */
function articleFrom(filter: ArticleFilter, parent?: ArticleParent): string {
  const from = ARTICLE_PARENT_JOIN[parent ?? 'feed'];
  return filter.search === undefined ? from : `${from} JOIN articles_fts ON articles_fts.rowid = a.id`;
}

export function articleSpec(
  filter: ArticleFilter,
  order: ArticleOrderField,
  parent?: ArticleParent,
): ListSpec<ArticleRecord, ArticleRecord> {
  const c = articleConditions(filter);
  if (order === 'RELEVANCE' && filter.search === undefined) throw new BadInputError('ordering by RELEVANCE needs `filter.search`');
  const keys =
    order === 'RELEVANCE'
      ? // Most relevant first in DESC order: bm25 is lower for better matches.
        [id(`-${RANK}`), id('a.id')]
      : // Indexes articles_published / articles_fetched: (published_at, id), (fetched_at, id).
        order === 'FETCHED_AT'
        ? [id('a.fetched_at'), id('a.id')]
        : [id('a.published_at'), id('a.id')];
  return {
    select: filter.search === undefined ? ARTICLE_COLUMNS : `${ARTICLE_COLUMNS}, ${SNIPPET} AS snippet`,
    from: articleFrom(filter, parent),
    ...c,
    keys,
    map: identity,
  };
}

/** The SQL of a filter for grouped queries: FROM and WHERE with their parameters. */
export function articleFilterSql(filter: ArticleFilter): { from: string; where: string; params: unknown[] } {
  const c = articleConditions(filter);
  return { from: articleFrom(filter), where: c.where.length ? `WHERE ${c.where.join(' AND ')}` : '', params: c.params };
}

/** For nested article connections: the join that gives each article its parent (`p`). */
const ARTICLE_PARENT_JOIN: Record<ArticleParent, string> = {
  feed: 'articles a',
  foundation: 'articles a JOIN article_foundations p ON p.article_id = a.id',
  company: 'articles a JOIN article_company_mentions p ON p.article_id = a.id',
};

export function articlePartition(parent: ArticleParent, parentIds: readonly number[]): Partition {
  const expr = parent === 'feed' ? 'a.feed_id' : parent === 'foundation' ? 'p.foundation_id' : 'p.company_id';
  return { expr, parentIds };
}

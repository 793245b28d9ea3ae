import type { ReferenceData } from '../reference/schema';
import type { SearchNode } from '../search/search-query';
import type { Page, PageRequest } from './paging';
import type {
  ArticleFoundationLink,
  ArticleRecord,
  CompanyRecord,
  EnclosureRecord,
  EntityDictionary,
  FeedRecord,
  FeedStatus,
  FetchLogRecord,
  FetchOutcome,
  FoundationRecord,
  MembershipRecord,
  MentionRecord,
  Mentions,
  SavedFetch,
} from './types';

/**
 * The one seam between Foundation Wire and its database.
 *
 * Methods are named by intent and return Promises, so that another implementation (PostgreSQL with
 * read replicas) can sit beside the SQLite one without changing callers. Work that must be atomic
 * is one method that owns its transaction; callers never hold a transaction across awaits.
 *
 * Batch lookups (`get*`, `list*Of*`) take ids and return results aligned with them (null or [] for
 * unknown ids): the shape DataLoader wants. Filters take ids; the API layer resolves slugs first.
 */
export interface Store {
  /** Checks that the database answers (health endpoint). */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Inserts or updates foundations, companies, aliases, tiers, memberships and feeds from the file, in one transaction. */
  loadReferenceData(data: ReferenceData): Promise<ReferenceLoadResult>;

  getFoundations(ids: readonly number[]): Promise<(FoundationRecord | null)[]>;
  getFoundationsBySlug(slugs: readonly string[]): Promise<(FoundationRecord | null)[]>;
  listFoundations(filter: FoundationFilter, page: PageRequest<FoundationOrderField>): Promise<Page<FoundationRecord>>;
  countFoundations(filter: FoundationFilter): Promise<number>;
  listChildFoundationsOf(parentIds: readonly number[]): Promise<FoundationRecord[][]>;
  listTiersOf(foundationIds: readonly number[]): Promise<string[][]>;
  listFoundationAliasesOf(foundationIds: readonly number[]): Promise<string[][]>;

  getCompanies(ids: readonly number[]): Promise<(CompanyRecord | null)[]>;
  getCompaniesBySlug(slugs: readonly string[]): Promise<(CompanyRecord | null)[]>;
  listCompanies(filter: CompanyFilter, page: PageRequest<CompanyOrderField>): Promise<Page<CompanyRecord>>;
  countCompanies(filter: CompanyFilter): Promise<number>;
  listSubsidiariesOf(parentIds: readonly number[]): Promise<CompanyRecord[][]>;
  listCompanyAliasesOf(companyIds: readonly number[]): Promise<string[][]>;

  getMemberships(ids: readonly number[]): Promise<(MembershipRecord | null)[]>;
  listMemberships(filter: MembershipFilter, page: PageRequest<MembershipOrderField>): Promise<Page<MembershipRecord>>;
  countMemberships(filter: MembershipFilter): Promise<number>;
  /** One page per foundation or company, in one round trip (nested connections). */
  listMembershipsOf(
    parent: MembershipParent,
    parentIds: readonly number[],
    filter: MembershipFilter,
    page: PageRequest<MembershipOrderField>,
  ): Promise<Page<MembershipRecord>[]>;
  countMembershipsOf(parent: MembershipParent, parentIds: readonly number[], filter: MembershipFilter): Promise<number[]>;

  getFeeds(ids: readonly number[]): Promise<(FeedRecord | null)[]>;
  listFeeds(filter: FeedFilter, page: PageRequest<FeedOrderField>): Promise<Page<FeedRecord>>;
  countFeeds(filter: FeedFilter): Promise<number>;
  listFeedsOf(foundationIds: readonly number[], filter: FeedFilter, page: PageRequest<FeedOrderField>): Promise<Page<FeedRecord>[]>;
  countFeedsOf(foundationIds: readonly number[], filter: FeedFilter): Promise<number[]>;
  countArticlesOfFeeds(feedIds: readonly number[]): Promise<number[]>;

  getArticles(ids: readonly number[]): Promise<(ArticleRecord | null)[]>;
  listArticles(filter: ArticleFilter, page: PageRequest<ArticleOrderField>): Promise<Page<ArticleRecord>>;
  /** Exact where an index or aggregate answers; otherwise counted up to a cap and then a lower bound (`exact: false`). */
  countArticles(filter: ArticleFilter): Promise<ArticleCount>;
  /** One page per foundation, company or feed, in one round trip (nested connections). */
  listArticlesOf(
    parent: ArticleParent,
    parentIds: readonly number[],
    filter: ArticleFilter,
    page: PageRequest<ArticleOrderField>,
  ): Promise<Page<ArticleRecord>[]>;
  countArticlesOf(parent: ArticleParent, parentIds: readonly number[], filter: ArticleFilter): Promise<ArticleCount[]>;
  /** The foundations of each article: its feed's, then those it mentions (most mentioned first). */
  listFoundationLinksOf(articleIds: readonly number[]): Promise<ArticleFoundationLink[][]>;
  /** The companies each article mentions, most mentioned first. */
  listCompanyMentionsOf(articleIds: readonly number[]): Promise<MentionRecord[][]>;
  listEnclosuresOf(articleIds: readonly number[]): Promise<EnclosureRecord[][]>;
  /** The other articles of each article's story (same canonical URL, other feeds), oldest first. */
  listStoryArticlesOf(articleIds: readonly number[]): Promise<ArticleRecord[][]>;

  // Dashboards

  /**
   * Article counts per key of a dimension, largest first (ties by key), at most `limit` buckets.
   * `activeOn` ('YYYY-MM-DD') dates the memberships of the TIER dimension when the filter has no memberOf.
   */
  countArticlesBy(filter: ArticleFilter, by: ArticleDimension, limit: number, activeOn: string): Promise<ArticleCountBucket[]>;
  /**
   * Article counts per time bucket: `boundaries` are the bucket starts plus the end of the last (ms);
   * articles outside [first, last) are not counted. With `by`, one series per key, the `limit`
   * largest; without, one series.
   */
  articleTimeline(
    filter: ArticleFilter,
    boundaries: readonly number[],
    by: ArticleDimension | null,
    limit: number,
    activeOn: string,
  ): Promise<ArticleSeries[]>;
  /** For each company, the companies most often mentioned in the same articles, with how many. */
  listCoMentionedCompaniesOf(companyIds: readonly number[], limit: number): Promise<{ companyId: number; count: number }[][]>;

  // Live updates and caching

  /** The newest article id (0 when there is none). */
  latestArticleId(): Promise<number>;
  /** Ids of articles stored after `afterId`, in order, at most `limit`. */
  listArticleIdsAfter(afterId: number, limit: number): Promise<number[]>;
  /** Which of these articles match the filter. */
  filterArticleIds(filter: ArticleFilter, articleIds: readonly number[]): Promise<number[]>;
  /** A number that changes whenever articles or their mentions change (in any process). */
  articlesVersion(): Promise<number>;

  // Ingestion

  // Every method taking a feed URL compares it as normalizeFeedUrl (feed-url.ts) gives it, so any
  // spelling of a feed's URL finds it; text that is not an http(s) URL is no feed.
  getFeedByUrl(url: string): Promise<FeedRecord | null>;
  /** Adds an operator's feed at its normalised URL; refuses (BadInputError) a URL that is not http(s) or already a feed. */
  addFeed(input: { url: string; foundationId: number | null; title: string | null }): Promise<FeedRecord>;
  /**
   * Removes an operator's feed with its articles. A feed from the reference data is disabled
   * instead, since the next start would add it again.
   */
  removeFeed(url: string): Promise<'deleted' | 'disabled' | 'not_found'>;
  setFeedDisabled(url: string, disabled: boolean): Promise<FeedRecord | null>;
  /** Enabled feeds due by this time (never fetched first, then the most overdue), or every enabled feed. */
  listFeedsToFetch(selection: { dueBy: number } | { all: true }, limit: number): Promise<FeedRecord[]>;
  /** The earliest next fetch time among enabled feeds, null when none is scheduled. */
  nextScheduledFetch(): Promise<number | null>;
  /**
   * Saves one fetch attempt: its articles (inserted, updated when changed, untouched when not), each
   * whole with its mentions and enclosures, in short transactions (a big feed in several, so no write
   * lock is held long), then the feed's fetch state (validators, next fetch time, errors, title, a
   * permanent redirect) and the log line, last, in the final one. When it fails part-way, the saved
   * articles stay and the feed's state is unchanged: the next fetch is a full one and completes the
   * save (dedup finds the saved articles unchanged). The counts cover the whole save.
   */
  saveFetchOutcome(feedId: number, outcome: FetchOutcome): Promise<SavedFetch>;
  listRecentFetchesOf(feedIds: readonly number[], limit: number): Promise<FetchLogRecord[][]>;

  // Entity linking

  loadEntityDictionary(): Promise<EntityDictionary>;
  /** Articles' texts in id order after `afterId`, for relinking in batches. */
  listArticleTexts(afterId: number, limit: number): Promise<{ id: number; title: string; contentText: string | null }[]>;
  /** Replaces the mentions of each given article, all in one transaction. */
  replaceMentions(entries: readonly { articleId: number; mentions: Mentions }[]): Promise<void>;
}

export interface ReferenceLoadResult {
  foundations: UpsertCount;
  companies: UpsertCount;
  memberships: UpsertCount;
  feeds: UpsertCount;
  aliases: { inserted: number };
  tiers: { inserted: number };
  /** Aliases that the database already gives to another entity (an operator's choice wins). */
  conflicts: string[];
}

export interface UpsertCount {
  inserted: number;
  updated: number;
  unchanged: number;
}

export type FoundationOrderField = 'NAME' | 'SLUG';
export type CompanyOrderField = 'NAME' | 'SLUG';
export type MembershipOrderField = 'COMPANY_NAME' | 'STATED_ON';
export type FeedOrderField = 'URL' | 'CREATED_AT';
export type ArticleOrderField = 'PUBLISHED_AT' | 'FETCHED_AT' | 'RELEVANCE';

export type MembershipParent = 'foundation' | 'company';
export type ArticleParent = 'foundation' | 'company' | 'feed';

export interface FoundationFilter {
  /** Name, short name, slug or alias contains this text (case-insensitive). */
  search?: string;
  /** Only direct children of these foundations. */
  parentIds?: readonly number[];
  /** true: only foundations without a parent; false: only those with one. */
  topLevel?: boolean;
}

export interface CompanyFilter {
  /** Name, slug or alias contains this text (case-insensitive). */
  search?: string;
  /** Companies with a membership in one of these foundations (and, with `tiers`, at one of these tiers). */
  foundationIds?: readonly number[];
  tiers?: readonly string[];
  /** Only memberships active on this date ('YYYY-MM-DD') count. */
  activeOn?: string;
}

export interface MembershipFilter {
  foundationIds?: readonly number[];
  companyIds?: readonly number[];
  /** Tier names, case-insensitive. */
  tiers?: readonly string[];
  /** Started (joined, or else stated) on or before this date and not left by then ('YYYY-MM-DD'). */
  activeOn?: string;
}

export interface FeedFilter {
  foundationIds?: readonly number[];
  statuses?: readonly FeedStatus[];
}

export interface ArticleFilter {
  /** Articles of these foundations: through their feed or by mentioning them. */
  foundationIds?: readonly number[];
  /** With `foundationIds` (and `memberOf`): the foundations they host count too, at any depth. */
  includeSubfoundations?: boolean;
  /** Articles mentioning one of these companies. */
  companyIds?: readonly number[];
  feedIds?: readonly number[];
  /** Published at or after (ms since epoch). */
  publishedAfter?: number;
  /** Published strictly before (ms since epoch). */
  publishedBefore?: number;
  /** Full-text search over title and text. */
  search?: SearchNode;
  /** Articles mentioning a company that was a member of the foundation (at one of the tiers) on the date. */
  memberOf?: { foundationId: number; tiers?: readonly string[]; activeOn: string };
  /** true: only articles mentioning at least one company; false: only those mentioning none. */
  hasCompanies?: boolean;
  /** The feed's language, e.g. "en" (also matches "en-us") or "en-us". */
  language?: string;
}

/** How many articles match a filter, and whether that is the exact number or a lower bound (a capped count). */
export interface ArticleCount {
  count: number;
  exact: boolean;
}

/** What article counts and time series are broken down by. */
export type ArticleDimension = 'FOUNDATION' | 'COMPANY' | 'FEED' | 'TIER';

/** The key of one bucket: the field of its dimension is set. */
export interface DimensionKey {
  foundationId?: number;
  companyId?: number;
  feedId?: number;
  /** With TIER: the tier of `foundationId`. */
  tier?: string;
}

export interface ArticleCountBucket {
  key: DimensionKey;
  count: number;
}

export interface ArticleSeries {
  /** Null when the series is not broken down. */
  key: DimensionKey | null;
  /** One count per bucket of the boundaries given. */
  counts: number[];
  total: number;
}

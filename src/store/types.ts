/**
 * The records the store returns. They mirror the tables, with camelCase names, numeric ids and
 * timestamps in milliseconds since the epoch (UTC). Calendar dates are 'YYYY-MM-DD' strings.
 */

export interface FoundationRecord {
  id: number;
  slug: string;
  name: string;
  shortName: string | null;
  description: string | null;
  homepage: string | null;
  parentId: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface CompanyRecord {
  id: number;
  slug: string;
  name: string;
  homepage: string | null;
  parentId: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface MembershipRecord {
  id: number;
  foundationId: number;
  companyId: number;
  tier: string | null;
  joinedOn: string | null;
  leftOn: string | null;
  statedOn: string;
  sourceUrl: string;
  note: string | null;
}

export type FeedStatus = 'NEW' | 'OK' | 'FAILING' | 'DISABLED';
export type FeedOrigin = 'reference' | 'operator';

export interface FeedRecord {
  id: number;
  url: string;
  foundationId: number | null;
  title: string | null;
  siteUrl: string | null;
  description: string | null;
  language: string | null;
  origin: FeedOrigin;
  status: FeedStatus;
  disabledAt: number | null;
  lastFetchedAt: number | null;
  lastSuccessAt: number | null;
  nextFetchAt: number | null;
  errorCount: number;
  lastError: string | null;
  lastErrorClass: string | null;
  /** Validators of the last response, for the next conditional GET. */
  etag: string | null;
  lastModified: string | null;
  /** The interval computed from the feed's posting rate at its last successful fetch. */
  fetchIntervalMs: number | null;
  createdAt: number;
  updatedAt: number;
}

export type DateSource = 'published' | 'updated' | 'first_seen';

export interface ArticleRecord {
  id: number;
  feedId: number;
  identity: string;
  url: string | null;
  canonicalUrl: string | null;
  storyId: number | null;
  title: string;
  summary: string | null;
  /** The full text: absent (undefined) in list pages, which leave it out (up to 10 KB an article); `getArticles` reads it. */
  contentHtml?: string | null;
  contentText?: string | null;
  author: string | null;
  language: string | null;
  imageUrl: string | null;
  publishedAt: number;
  dateSource: DateSource;
  fetchedAt: number;
  updatedAt: number;
  /**
   * When the article was found by a search: an excerpt with the matched terms between U+0001 and
   * U+0002 markers. Null otherwise.
   */
  snippet?: string | null;
}

/** A mention of a company or foundation in an article. */
export interface MentionRecord {
  articleId: number;
  entityId: number;
  mentionCount: number;
  inTitle: boolean;
}

/** How an article belongs to a foundation: through its feed, or by mentioning it. */
export interface ArticleFoundationLink {
  articleId: number;
  foundationId: number;
  viaFeed: boolean;
  mentionCount: number;
  inTitle: boolean;
}

export interface EnclosureRecord {
  url: string;
  type: string | null;
  length: number | null;
}

export type FetchResultKind = 'new' | 'updated' | 'unchanged' | 'not_modified' | 'error';

/** One attempt to fetch a feed, as kept in its fetch log. */
export interface FetchLogRecord {
  id: number;
  feedId: number;
  startedAt: number;
  durationMs: number;
  httpStatus: number | null;
  result: FetchResultKind;
  itemsSeen: number;
  newCount: number;
  updatedCount: number;
  errorClass: string | null;
  errorMessage: string | null;
}

/** An entity's names, for entity linking. */
export interface EntityNames {
  id: number;
  name: string;
  shortName?: string | null;
  aliases: readonly string[];
}

export interface EntityDictionary {
  companies: readonly EntityNames[];
  foundations: readonly EntityNames[];
}

export interface MentionCount {
  id: number;
  count: number;
  inTitle: boolean;
}

export interface Mentions {
  companies: MentionCount[];
  foundations: MentionCount[];
}

/** An article as ingestion hands it to the store: a record without what the store assigns. */
export type ArticleInput = Omit<ArticleRecord, 'id' | 'feedId' | 'storyId' | 'fetchedAt' | 'updatedAt' | 'snippet'> & {
  contentHtml: string | null;
  contentText: string | null;
  contentHash: string;
  enclosures: EnclosureRecord[];
  mentions: Mentions;
};

interface AttemptBase {
  startedAt: number;
  durationMs: number;
  httpStatus: number | null;
  /** When the scheduler should fetch the feed again. */
  nextFetchAt: number;
}

/** Everything one fetch attempt changes, saved by one store call (in bounded transactions, the feed's state last). */
export type FetchOutcome =
  | (AttemptBase & {
      kind: 'fetched';
      etag: string | null;
      lastModified: string | null;
      /** The feed's new URL after a permanent redirect. */
      movedTo: string | null;
      info: { title: string | null; siteUrl: string | null; language: string | null };
      fetchIntervalMs: number;
      itemsSeen: number;
      articles: ArticleInput[];
    })
  | (AttemptBase & { kind: 'not_modified'; etag: string | null; lastModified: string | null; movedTo: string | null })
  | (AttemptBase & { kind: 'failed'; errorClass: string; errorMessage: string });

export interface SavedFetch {
  result: FetchResultKind;
  newArticleIds: number[];
  newCount: number;
  updatedCount: number;
  unchangedCount: number;
  /** The feed after the save (new URL, error count, next fetch time). */
  feed: FeedRecord;
}

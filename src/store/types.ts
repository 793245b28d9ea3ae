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
  contentHtml: string | null;
  contentText: string | null;
  author: string | null;
  language: string | null;
  imageUrl: string | null;
  publishedAt: number;
  dateSource: DateSource;
  fetchedAt: number;
  updatedAt: number;
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

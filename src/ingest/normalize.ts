import crypto from 'node:crypto';
import type { ArticleInput, DateSource } from '../store/types';
import { parseFeedDate } from './dates';
import { excerpt, htmlToText, sanitizeContent } from './html';
import type { ParsedFeed, ParsedItem } from './parse';

/**
 * One article as it will be stored (the store's ArticleInput), before its identity is settled across
 * the whole feed and its mentions are found.
 */
export type NormalizedArticle = Omit<ArticleInput, 'identity' | 'mentions'> & {
  /** Identity candidates, in order of preference (see dedup.ts). */
  guid: string | null;
  link: string | null;
  /** Hash of title and text: the identity of last resort. */
  textHash: string;
};

export interface FeedInfo {
  title: string | null;
  siteUrl: string | null;
  language: string | null;
}

/** Dates further ahead than this are clock errors or scheduled posts: they are clamped to the fetch time. */
const FUTURE_TOLERANCE_MS = 86_400_000;

/**
 * Query parameters that identify a campaign or a click, not a page. Removing them gives the URL under
 * which one story is recognized across feeds.
 */
const TRACKING_PARAMETER = /^(utm_[a-z_]+|fbclid|gclid|gclsrc|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|ref_src|s_cid|_ga|_gl)$/i;

function resolve(url: string | null | undefined, base: string | null): string | null {
  if (!url) return null;
  try {
    const resolved = new URL(url.trim(), base ?? undefined);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.toString() : null;
  } catch {
    return null;
  }
}

/**
 * The URL without tracking parameters or fragment. The parameters that stay are kept exactly as
 * written (re-serializing them would give one page two canonical URLs).
 */
export function canonicalize(url: string | null): string | null {
  if (!url) return null;
  const canonical = new URL(url);
  canonical.hash = '';
  const kept = canonical.search
    .slice(1)
    .split('&')
    .filter((pair) => {
      if (pair === '') return false;
      const name = pair.split('=')[0];
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed escape is kept as written
      }
      return !TRACKING_PARAMETER.test(decoded);
    });
  canonical.search = kept.length ? `?${kept.join('&')}` : '';
  return canonical.toString();
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * ParsedFeed to articles: absolute and canonical URLs, sanitized HTML, plain text and summary, a
 * date with where it came from, and hashes for identity and change detection.
 */
export function normalizeFeed(feed: ParsedFeed, context: { feedUrl: string; fetchedAt: number }): { info: FeedInfo; articles: NormalizedArticle[] } {
  // xml:base of the document, else the document's own URL (RFC 3986 §5.1).
  const documentBase = resolve(feed.base, context.feedUrl) ?? context.feedUrl;
  const siteUrl = resolve(feed.siteUrl, documentBase);
  const language = feed.language?.trim().toLowerCase() || null;
  return {
    info: { title: feed.title ? htmlToText(feed.title) || null : null, siteUrl, language },
    articles: feed.items.map((item) =>
      normalizeItem(item, { documentBase, hasXmlBase: feed.base !== null, siteUrl, language, fetchedAt: context.fetchedAt }),
    ),
  };
}

function normalizeItem(
  item: ParsedItem,
  context: { documentBase: string; hasXmlBase: boolean; siteUrl: string | null; language: string | null; fetchedAt: number },
): NormalizedArticle {
  // Relative references resolve against the item's xml:base, else the feed's xml:base, else the
  // feed's link, else the document's own URL.
  const base =
    resolve(item.base, context.documentBase) ?? (context.hasXmlBase ? context.documentBase : context.siteUrl) ?? context.documentBase;
  const url = resolve(item.link, base);
  const contentHtml = item.contentHtml ? sanitizeContent(item.contentHtml, base) || null : null;
  const contentText = contentHtml ? htmlToText(contentHtml) || null : null;
  const summarySource = item.summaryHtml ? htmlToText(sanitizeContent(item.summaryHtml, base)) : contentText;
  const summary = summarySource ? excerpt(summarySource) : null;
  const title = (item.title ? htmlToText(item.title).replace(/\s+/g, ' ') : '') || (contentText ? excerpt(contentText, 80) : '') || 'Untitled';

  const published = parseFeedDate(item.published);
  const updated = parseFeedDate(item.updated);
  const dateSource: DateSource = published !== null ? 'published' : updated !== null ? 'updated' : 'first_seen';
  let publishedAt = published ?? updated ?? context.fetchedAt;
  if (publishedAt > context.fetchedAt + FUTURE_TOLERANCE_MS) publishedAt = context.fetchedAt;
  if (dateSource === 'first_seen') publishedAt = context.fetchedAt;

  const enclosures = item.enclosures.flatMap((e) => {
    const enclosureUrl = resolve(e.url, base);
    return enclosureUrl ? [{ url: enclosureUrl, type: e.type, length: e.length }] : [];
  });
  const imageUrl = resolve(item.imageUrl, base);
  const author = item.author ? htmlToText(item.author) || null : null;
  const article = {
    guid: item.guid?.trim() || null,
    link: url,
    textHash: sha256(`${title}\n${contentText ?? ''}`).slice(0, 32),
    url,
    canonicalUrl: canonicalize(url),
    title,
    summary,
    contentHtml,
    contentText,
    author,
    language: context.language,
    imageUrl,
    publishedAt,
    dateSource,
  };
  // The date as the feed gives it: a first-seen or clamped date changes at every fetch, and must
  // not make an unchanged item look changed.
  const contentHash = sha256(JSON.stringify([title, url, contentHtml, summary, author, imageUrl, published ?? updated, enclosures]));
  return { ...article, enclosures, contentHash };
}

import type { NormalizedArticle } from './normalize';

export interface IdentifiedArticle extends NormalizedArticle {
  /** The article's key inside its feed; the store's unique (feed_id, identity) enforces it. */
  identity: string;
}

/**
 * Settles each item's identity inside its feed, in one place:
 * 1. the guid (RSS guid, Atom id), else the link, else a hash of title and text;
 * 2. when several items share a guid but are different items (Miniflux#4197: feeds that give every
 *    item the same guid), the link joins the guid, and when that is shared too, the text hash;
 * 3. items that are still equal in identity are true duplicates: the first one is kept.
 * Returns the unique articles and how many duplicates were dropped.
 */
export function identify(articles: NormalizedArticle[]): { articles: IdentifiedArticle[]; duplicates: number } {
  const base = (a: NormalizedArticle) => (a.guid ? `guid:${a.guid}` : a.link ? `link:${a.link}` : `hash:${a.textHash}`);
  const groups = new Map<string, NormalizedArticle[]>();
  for (const article of articles) {
    const key = base(article);
    groups.set(key, [...(groups.get(key) ?? []), article]);
  }
  const identities = new Map<NormalizedArticle, string>();
  for (const [key, group] of groups) {
    let keyed = group.map((article) => ({ article, identity: key }));
    if (new Set(group.map((a) => a.contentHash)).size > 1) {
      if (key.startsWith('guid:')) {
        keyed = keyed.map(({ article, identity }) => ({ article, identity: article.link ? `${identity}|link:${article.link}` : identity }));
      }
      keyed = keyed.map(({ article, identity }) => {
        const same = keyed.filter((k) => k.identity === identity);
        const differ = new Set(same.map((k) => k.article.contentHash)).size > 1;
        return { article, identity: differ ? `${identity}|hash:${article.textHash}` : identity };
      });
    }
    for (const { article, identity } of keyed) identities.set(article, identity);
  }
  const seen = new Set<string>();
  const unique: IdentifiedArticle[] = [];
  for (const article of articles) {
    const identity = identities.get(article)!;
    if (seen.has(identity)) continue;
    seen.add(identity);
    unique.push({ ...article, identity });
  }
  return { articles: unique, duplicates: articles.length - unique.length };
}

import type { ParsedFeed, ParsedItem } from '../../src/ingest/parse';

/** A parsed item with every field empty, to spread test values over. */
export const emptyItem: ParsedItem = {
  guid: null,
  link: null,
  title: null,
  contentHtml: null,
  summaryHtml: null,
  author: null,
  published: null,
  updated: null,
  base: null,
  enclosures: [],
  imageUrl: null,
};

/** A parsed RSS feed of the given items (partial items over `emptyItem`). */
export function parsedFeed(items: Partial<ParsedItem>[], feed: Partial<ParsedFeed> = {}): ParsedFeed {
  return {
    format: 'rss',
    title: null,
    siteUrl: null,
    language: null,
    base: null,
    repairs: [],
    ...feed,
    items: items.map((item) => ({ ...emptyItem, ...item })),
  };
}

import { identify } from '../../src/ingest/dedup';
import { normalizeFeed, type NormalizedArticle } from '../../src/ingest/normalize';
import type { ParsedItem } from '../../src/ingest/parse';
import { parsedFeed } from '../helpers/parsed';

const FETCHED_AT = Date.UTC(2024, 5, 1, 12);


/** Articles as normalize makes them (real text and content hashes), from partial items. */
function articles(...items: Partial<ParsedItem>[]): NormalizedArticle[] {
  return normalizeFeed(
    parsedFeed(items, { title: 'Feed', siteUrl: 'https://example.org/' }),
    { feedUrl: 'https://example.org/feed.xml', fetchedAt: FETCHED_AT },
  ).articles;
}

/** The text hash normalize gives an item (what identities of last resort are made of). */
const textHashOf = (item: Partial<ParsedItem>) => articles(item)[0].textHash;

/** [identity, title] of each article kept, and the number of duplicates. */
function identities(input: NormalizedArticle[]) {
  const { articles: kept, duplicates } = identify(input);
  return { kept: kept.map((a) => [a.identity, a.title]), duplicates };
}

describe('identify', () => {
  it('keeps items with unique guids under their guid', () => {
    const input = articles(
      { guid: 'g1', link: 'https://example.org/1', title: 'One' },
      { guid: 'g2', link: 'https://example.org/2', title: 'Two' },
      { guid: 'g3', link: 'https://example.org/1', title: 'Three' }, // a shared link does not matter when guids differ
    );
    expect(identities(input)).toEqual({
      kept: [
        ['guid:g1', 'One'],
        ['guid:g2', 'Two'],
        ['guid:g3', 'Three'],
      ],
      duplicates: 0,
    });
  });

  it('returns the articles unchanged apart from their identity', () => {
    const input = articles({ guid: 'g1', link: 'https://example.org/1', title: 'One', contentHtml: '<p>Body</p>' });
    expect(identify(input).articles).toEqual([{ ...input[0], identity: 'guid:g1' }]);
  });

  it('does not collapse three different items sharing one guid: guid|link', () => {
    const input = articles(
      { guid: 'same', link: 'https://example.org/1', title: 'One' },
      { guid: 'same', link: 'https://example.org/2', title: 'Two' },
      { guid: 'same', link: 'https://example.org/3', title: 'Three' },
    );
    expect(identities(input)).toEqual({
      kept: [
        ['guid:same|link:https://example.org/1', 'One'],
        ['guid:same|link:https://example.org/2', 'Two'],
        ['guid:same|link:https://example.org/3', 'Three'],
      ],
      duplicates: 0,
    });
  });

  it('tells apart items sharing guid and link by their text hash: guid|link|hash', () => {
    const one = { guid: 'same', link: 'https://example.org/post', title: 'One', contentHtml: '<p>First</p>' };
    const two = { guid: 'same', link: 'https://example.org/post', title: 'Two', contentHtml: '<p>First</p>' };
    const input = articles(one, two);
    expect(identities(input)).toEqual({
      kept: [
        [`guid:same|link:https://example.org/post|hash:${textHashOf(one)}`, 'One'],
        [`guid:same|link:https://example.org/post|hash:${textHashOf(two)}`, 'Two'],
      ],
      duplicates: 0,
    });
    expect(textHashOf(one)).not.toBe(textHashOf(two));
  });

  it('adds the hash only where guid and link are both shared', () => {
    const a = { guid: 'same', link: 'https://example.org/a', title: 'A' };
    const b1 = { guid: 'same', link: 'https://example.org/b', title: 'B one' };
    const b2 = { guid: 'same', link: 'https://example.org/b', title: 'B two' };
    expect(identities(articles(a, b1, b2))).toEqual({
      kept: [
        ['guid:same|link:https://example.org/a', 'A'],
        [`guid:same|link:https://example.org/b|hash:${textHashOf(b1)}`, 'B one'],
        [`guid:same|link:https://example.org/b|hash:${textHashOf(b2)}`, 'B two'],
      ],
      duplicates: 0,
    });
  });

  it('keeps a guid-sharing item without a link under guid alone', () => {
    const input = articles({ guid: 'same', link: 'https://example.org/1', title: 'One' }, { guid: 'same', title: 'No link' });
    expect(identities(input)).toEqual({
      kept: [
        ['guid:same|link:https://example.org/1', 'One'],
        ['guid:same', 'No link'],
      ],
      duplicates: 0,
    });
  });

  it.each<[string, Partial<ParsedItem>]>([
    ['with a guid', { guid: 'g1', link: 'https://example.org/1', title: 'One', contentHtml: '<p>Body</p>', published: '2024-05-01T00:00:00Z' }],
    ['without a guid', { link: 'https://example.org/1', title: 'One', contentHtml: '<p>Body</p>' }],
    ['without guid and link', { title: 'One', contentHtml: '<p>Body</p>' }],
  ])('drops a true duplicate %s: the first is kept, duplicates: 1', (_name, item) => {
    const input = articles(item, { guid: 'other', title: 'Other' }, item);
    const { articles: kept, duplicates } = identify(input);
    expect(duplicates).toBe(1);
    expect(kept).toHaveLength(2);
    expect(kept[0]).toEqual({ ...input[0], identity: identify([input[0]]).articles[0].identity });
    expect(kept[1].title).toBe('Other');
  });

  it('drops several copies of one item among different items sharing its guid', () => {
    const a = { guid: 'same', link: 'https://example.org/a', title: 'A' };
    const b = { guid: 'same', link: 'https://example.org/b', title: 'B' };
    expect(identities(articles(a, b, a, a, b))).toEqual({
      kept: [
        ['guid:same|link:https://example.org/a', 'A'],
        ['guid:same|link:https://example.org/b', 'B'],
      ],
      duplicates: 3,
    });
  });

  it('identifies items without a guid by their link', () => {
    const input = articles({ link: 'https://example.org/1', title: 'One' }, { link: 'https://example.org/2', title: 'Two' });
    expect(identities(input)).toEqual({
      kept: [
        ['link:https://example.org/1', 'One'],
        ['link:https://example.org/2', 'Two'],
      ],
      duplicates: 0,
    });
  });

  it('identifies items without a guid by their absolute link (relative links resolved first)', () => {
    expect(identities(articles({ link: '/1', title: 'One' }))).toEqual({ kept: [['link:https://example.org/1', 'One']], duplicates: 0 });
  });

  it('tells apart different items without a guid sharing a link by their text hash', () => {
    const one = { link: 'https://example.org/news', title: 'One' };
    const two = { link: 'https://example.org/news', title: 'Two' };
    expect(identities(articles(one, two))).toEqual({
      kept: [
        [`link:https://example.org/news|hash:${textHashOf(one)}`, 'One'],
        [`link:https://example.org/news|hash:${textHashOf(two)}`, 'Two'],
      ],
      duplicates: 0,
    });
  });

  it('identifies items without guid and link by the hash of title and text', () => {
    const one = { title: 'One', contentHtml: '<p>First</p>' };
    const two = { title: 'One', contentHtml: '<p>Second</p>' };
    const input = articles(one, two);
    expect(identities(input)).toEqual({
      kept: [
        [`hash:${textHashOf(one)}`, 'One'],
        [`hash:${textHashOf(two)}`, 'One'],
      ],
      duplicates: 0,
    });
  });

  it('gives the same identities whatever the fetch time (first_seen dates are not part of it)', () => {
    const items = [{ title: 'Undated', contentHtml: '<p>x</p>' }, { guid: 'same', link: 'https://example.org/1', title: 'A' }, { guid: 'same', link: 'https://example.org/2', title: 'B' }];
    const later = normalizeFeed(
      parsedFeed(items, { title: 'Feed', siteUrl: 'https://example.org/' }),
      { feedUrl: 'https://example.org/feed.xml', fetchedAt: FETCHED_AT + 86_400_000 },
    ).articles;
    expect(identities(later)).toEqual(identities(articles(...items)));
  });

  it('returns nothing for no articles', () => {
    expect(identify([])).toEqual({ articles: [], duplicates: 0 });
  });

  // An identity depends on the other items of the same fetch: the store recognizes the article under its refined
  // identity (tests/ingest/refresh-feed.test.ts, "keeps one article when its guid starts being shared").
  it('refines an item\'s identity when another item with its guid appears', () => {
    const a = { guid: 'g', link: 'https://example.org/a', title: 'A' };
    const b = { guid: 'g', link: 'https://example.org/b', title: 'B' };
    expect(identities(articles(a)).kept).toEqual([['guid:g', 'A']]);
    expect(identities(articles(a, b)).kept[0]).toEqual(['guid:g|link:https://example.org/a', 'A']);
  });
});

import { canonicalize, normalizeFeed, type NormalizedArticle } from '../../src/ingest/normalize';
import { parseFeed, type ParsedFeed, type ParsedItem } from '../../src/ingest/parse';
import { emptyItem, parsedFeed } from '../helpers/parsed';

const FEED_URL = 'https://feeds.example.com/path/feed.xml';
const FETCHED_AT = Date.UTC(2024, 5, 1, 12, 0, 0); // 2024-06-01T12:00:00Z
const HOUR = 3_600_000;


/** A parsed feed holding the given items (fields not given are empty). */
const parsed = (items: Partial<ParsedItem>[], feed: Partial<ParsedFeed> = {}): ParsedFeed => parsedFeed(items, { title: 'Feed', ...feed });

/** The one article normalized from one item. */
function normalize(item: Partial<ParsedItem>, feed: Partial<ParsedFeed> = {}, fetchedAt = FETCHED_AT): NormalizedArticle {
  const { articles } = normalizeFeed(parsed([{ title: 'Title', ...item }], feed), { feedUrl: FEED_URL, fetchedAt });
  expect(articles).toHaveLength(1);
  return articles[0];
}

/** The sanitized HTML of an item whose content is `html`, in a feed at https://example.org/blog/. */
const sanitized = (html: string) => normalize({ link: 'https://example.org/blog/post', contentHtml: html }, { siteUrl: 'https://example.org/blog/' }).contentHtml;

describe('normalizeFeed', () => {
  describe('absolute URLs', () => {
    it.each<[string, Partial<ParsedItem>, Partial<ParsedFeed>, string]>([
      ['item xml:base (relative, against the feed xml:base)', { link: 'one.html', base: 'posts/' }, { base: 'https://example.org/blog/', siteUrl: 'https://example.org/' }, 'https://example.org/blog/posts/one.html'],
      ['absolute item xml:base', { link: 'one.html', base: 'https://other.example/a/b/' }, { siteUrl: 'https://example.org/' }, 'https://other.example/a/b/one.html'],
      ['only the feed xml:base', { link: 'post.html' }, { base: 'https://example.org/blog/' }, 'https://example.org/blog/post.html'],
      ['a relative feed xml:base (against the feed URL)', { link: 'post.html' }, { base: '../blog/' }, 'https://feeds.example.com/blog/post.html'],
      ['only an absolute feed link', { link: '/2024/post' }, { siteUrl: 'https://example.org/blog/' }, 'https://example.org/2024/post'],
      ['only an absolute feed link (path-relative link)', { link: 'post' }, { siteUrl: 'https://example.org/blog/' }, 'https://example.org/blog/post'],
      ['neither: the feed URL', { link: 'post.html' }, {}, 'https://feeds.example.com/path/post.html'],
      ['an absolute link, whatever the bases', { link: 'https://elsewhere.example/x' }, { base: 'https://example.org/blog/' }, 'https://elsewhere.example/x'],
    ])('resolves a relative item link with %s', (_name, item, feed, url) => {
      const article = normalize(item, feed);
      expect(article.url).toBe(url);
      expect(article.link).toBe(url);
    });

    it('prefers the feed xml:base to the feed link', () => {
      const article = normalize({ link: 'post.html' }, { base: 'https://cdn.example.net/blog/', siteUrl: 'https://example.org/' });
      expect(article.url).toBe('https://cdn.example.net/blog/post.html');
    });

    it.each([
      ['a javascript: link', 'javascript:alert(1)'],
      ['a mailto: link', 'mailto:someone@example.org'],
      ['an unparsable link', 'http://exa mple.org:99999/'],
    ])('drops %s', (_name, link) => {
      const article = normalize({ link });
      expect(article).toMatchObject({ url: null, link: null, canonicalUrl: null });
    });

    it('makes a relative <img src> and <a href> in content absolute against the item base', () => {
      const article = normalize({ link: 'post', base: 'https://example.org/blog/2024/', contentHtml: '<p><img src="img/pic.jpg" alt="Pic"> <a href="/about">About</a></p>' });
      expect(article.contentHtml).toBe('<p><img src="https://example.org/blog/2024/img/pic.jpg" alt="Pic" /> <a href="https://example.org/about">About</a></p>');
    });

    it('makes enclosure and image URLs absolute', () => {
      const article = normalize(
        { link: 'post', enclosures: [{ url: 'ep1.mp3', type: 'audio/mpeg', length: 10 }, { url: 'javascript:alert(1)', type: null, length: null }], imageUrl: '/thumb.jpg' },
        { siteUrl: 'https://example.org/pod/' },
      );
      expect(article.enclosures).toEqual([{ url: 'https://example.org/pod/ep1.mp3', type: 'audio/mpeg', length: 10 }]);
      expect(article.imageUrl).toBe('https://example.org/thumb.jpg');
    });

    it('reads the feed info: plain title, absolute site URL, lower-case language', () => {
      const { info } = normalizeFeed(parsed([], { title: 'News &amp; <b>Views</b>', siteUrl: '/', language: ' en-US ' }), { feedUrl: FEED_URL, fetchedAt: FETCHED_AT });
      expect(info).toEqual({ title: 'News & Views', siteUrl: 'https://feeds.example.com/', language: 'en-us' });
    });
  });

  describe('canonicalUrl', () => {
    it.each([
      ['https://example.org/p?id=3&utm_source=x&utm_medium=y&fbclid=z&gclid=q&mc_cid=w#frag', 'https://example.org/p?id=3'],
      ['https://example.org/p?utm_source=rss&utm_medium=feed&utm_campaign=c#comments', 'https://example.org/p'],
      ['https://example.org/p?UTM_SOURCE=x&id=3', 'https://example.org/p?id=3'],
      ['https://example.org/p?utm_source=x&id=3&page=2&utm_medium=y', 'https://example.org/p?id=3&page=2'],
      ['https://example.org/p?id=3#section-2', 'https://example.org/p?id=3'],
      ['https://example.org/p?id=3', 'https://example.org/p?id=3'],
      ['https://example.org/p', 'https://example.org/p'],
      ['https://example.org/p?ref=home&source=rss', 'https://example.org/p?ref=home&source=rss'], // not tracking parameters
    ])('canonicalize(%s) is %s', (url, canonical) => {
      expect(canonicalize(url)).toBe(canonical);
    });

    it('is the item URL without tracking parameters or fragment', () => {
      const article = normalize({ link: '/p?id=3&utm_source=x&fbclid=y#top' }, { siteUrl: 'https://example.org/' });
      expect(article.url).toBe('https://example.org/p?id=3&utm_source=x&fbclid=y#top');
      expect(article.canonicalUrl).toBe('https://example.org/p?id=3');
    });

    it.each([
      ['https://example.org/p?path=a/b&utm_source=x', 'https://example.org/p?path=a/b'],
      ['https://example.org/p?a=b:c&fbclid=1', 'https://example.org/p?a=b:c'],
      ['https://example.org/p?q=a%20b&utm_medium=x', 'https://example.org/p?q=a%20b'],
      ['https://example.org/p?flag&utm_source=x', 'https://example.org/p?flag'],
    ])('leaves the other parameters as written: canonicalize(%s) is %s', (url, canonical) => {
      expect(canonicalize(url)).toBe(canonical);
      expect(canonicalize(url)).toBe(canonicalize(canonical));
    });
  });

  describe('sanitizing', () => {
    it.each([
      ['<script>', '<p>Hi<script>alert(1)</script> there</p>', '<p>Hi there</p>'],
      ['<style>', '<style>p { display: none }</style><p>Text</p>', '<p>Text</p>'],
      ['onerror=', '<img src="https://example.org/a.png" onerror="alert(1)">', '<img src="https://example.org/a.png" />'],
      ['onclick= and style=', '<p onclick="steal()" style="color:red">x</p>', '<p>x</p>'],
      ['a javascript: href', '<a href="javascript:alert(1)">js</a>', '<a>js</a>'],
      ['a JavaScript: href with entities and spaces', '<a href=" jav&#x09;ascript:alert(1)">js</a>', '<a>js</a>'],
      ['a data: img src', '<p>a<img src="data:image/png;base64,AAAA">b</p>', '<p>ab</p>'],
      ['a data: href', '<a href="data:text/html,<script>alert(1)</script>">x</a>', '<a>x</a>'],
      ['an <object>/<embed>', '<object data="x.swf"><embed src="x.swf"></object><p>ok</p>', '<p>ok</p>'],
      ['a <form>', '<form action="https://evil.example/"><input name="q"><button>Go</button></form><p>ok</p>', 'Go<p>ok</p>'],
      ['a YouTube iframe (kept)', '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315" allowfullscreen></iframe>', '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315" allowfullscreen></iframe>'],
      ['a Vimeo iframe (kept)', '<iframe src="https://player.vimeo.com/video/123"></iframe>', '<iframe src="https://player.vimeo.com/video/123"></iframe>'],
      ['a 1x1 tracking pixel', '<p>Text<img src="https://t.example/p.gif" width="1" height="1"></p>', '<p>Text</p>'],
      ['a 1px x 0px tracking pixel', '<p>Text<img src="https://t.example/p.gif" width="1px" height="0"></p>', '<p>Text</p>'],
      ['a feedburner ~r/ pixel', '<p>Text<img src="https://feeds.feedburner.com/~r/Example/~4/abcdef" height="1" width="1" alt=""/></p>', '<p>Text</p>'],
      ['a feedburner ~r/ pixel without size', '<p>Text<img src="http://feeds.feedburner.com/~r/Example/~4/abcdef"></p>', '<p>Text</p>'],
      ['a normal <img> (kept, absolute)', '<p><img src="pic.jpg" alt="Pic" width="640" height="480"></p>', '<p><img src="https://example.org/blog/pic.jpg" alt="Pic" width="640" height="480" /></p>'],
    ])('removes or keeps %s', (_name, html, expected) => {
      expect(sanitized(html)).toBe(expected);
    });

    it('drops the src of an iframe from another host (evil.example)', () => {
      const html = sanitized('<p>Watch</p><iframe src="https://evil.example/x"></iframe><iframe src="https://www.youtube.com/embed/abc"></iframe>');
      expect(html).not.toContain('evil.example');
      expect(html).toContain('<iframe src="https://www.youtube.com/embed/abc"></iframe>');
    });

    it('drops an iframe from another host entirely', () => {
      expect(sanitized('<p>Watch</p><iframe src="https://evil.example/x"></iframe>')).toBe('<p>Watch</p>');
    });

    it('returns null for content that sanitizes to nothing', () => {
      expect(normalize({ contentHtml: '<script>alert(1)</script>' })).toMatchObject({ contentHtml: null, contentText: null, summary: null });
    });
  });

  describe('text, summary and title', () => {
    it('makes contentText without tags and with entities decoded, paragraphs as blank lines', () => {
      const article = normalize({ contentHtml: '<h2>Caf&eacute; &amp; bar</h2><p>Two&nbsp;words &lt;here&gt;<br>next line</p><ul><li>one</li><li>two</li></ul>' });
      expect(article.contentText).toBe('Café & bar\n\nTwo words <here>\n\nnext line\n\none\n\ntwo');
      expect(article.summary).toBe('Café & bar Two words <here> next line one two');
    });

    it('cuts the summary at a word boundary, ≤ 301 characters with "…"', () => {
      const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
      const article = normalize({ contentHtml: `<p>${words}</p>` });
      expect(article.summary!.length).toBeLessThanOrEqual(301);
      expect(article.summary!.endsWith('…')).toBe(true);
      const kept = article.summary!.slice(0, -1);
      expect(words.startsWith(`${kept} `)).toBe(true); // whole words only
      expect(kept.length).toBeGreaterThan(250);
    });

    it('cuts a summary without spaces at 300 characters', () => {
      const article = normalize({ contentHtml: `<p>${'x'.repeat(400)}</p>` });
      expect(article.summary).toBe(`${'x'.repeat(300)}…`);
    });

    it('keeps a short summary whole, without "…"', () => {
      expect(normalize({ contentHtml: '<p>Short text.</p>' }).summary).toBe('Short text.');
    });

    it('takes the summary from the description when the feed also has full content', () => {
      const article = normalize({ contentHtml: '<p>Full text, much longer.</p>', summaryHtml: 'The <em>short</em> version' });
      expect(article).toMatchObject({ summary: 'The short version', contentText: 'Full text, much longer.' });
    });

    it.each([
      ['HTML tags', 'A <b>bold</b> <i>title</i>', 'A bold title'],
      ['entities', 'Caf&eacute; &amp; Bar &#8212; &quot;x&quot;', 'Café & Bar — "x"'],
      ['escaped markup shown as text', 'Why &lt;div&gt; is fine', 'Why <div> is fine'],
      ['a script', 'Title<script>alert(1)</script>', 'Title'],
      ['spaces and tabs', '  A \t title  ', 'A title'],
    ])('makes a title with %s plain text', (_name, title, expected) => {
      expect(normalize({ title }).title).toBe(expected);
    });

    it.each([
      ['a line break', 'Release 1.2\n    is out', 'Release 1.2 is out'],
      ['a <br>', 'One<br>Two', 'One Two'],
      ['a <p>', '<p>One</p><p>Two</p>', 'One Two'],
    ])('makes a title with %s one line', (_name, title, expected) => {
      expect(normalize({ title }).title).toBe(expected);
    });

    it('falls back to the start of the text for a missing title (≤ 81 characters, whole words)', () => {
      const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
      const article = normalize({ title: null, contentHtml: `<p>${words}</p>` });
      expect(article.title).toBe('word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11…');
      expect(article.title.length).toBeLessThanOrEqual(81);
    });

    it.each([
      ['an empty title', ''],
      ['a title of tags only', '<img src="x.png">'],
    ])('falls back to the text for %s', (_name, title) => {
      expect(normalize({ title, contentHtml: '<p>The text.</p>' }).title).toBe('The text.');
    });

    it('is "Untitled" with neither title nor text', () => {
      expect(normalize({ title: null, link: 'https://example.org/x' }).title).toBe('Untitled');
    });

    it('makes the author plain text', () => {
      expect(normalize({ author: 'Jane <b>Doe</b> &amp; co' }).author).toBe('Jane Doe & co');
    });
  });

  describe('dates', () => {
    it.each<[string, Partial<ParsedItem>, number, string]>([
      ['published wins over updated', { published: '2024-05-01T10:00:00Z', updated: '2024-05-20T10:00:00Z' }, Date.UTC(2024, 4, 1, 10), 'published'],
      ['only updated', { updated: '2024-05-20T10:00:00Z' }, Date.UTC(2024, 4, 20, 10), 'updated'],
      ['an unreadable published, a readable updated', { published: 'someday', updated: 'Mon, 20 May 2024 10:00:00 GMT' }, Date.UTC(2024, 4, 20, 10), 'updated'],
      ['none: first seen at the fetch time', {}, FETCHED_AT, 'first_seen'],
      ['only unreadable dates: first seen', { published: 'yesterday', updated: 'soon' }, FETCHED_AT, 'first_seen'],
      ['a date in 2099: clamped to the fetch time', { published: '2099-01-01T00:00:00Z' }, FETCHED_AT, 'published'],
      ['a date 2 hours ahead: kept', { published: new Date(FETCHED_AT + 2 * HOUR).toISOString() }, FETCHED_AT + 2 * HOUR, 'published'],
      ['a date 23 hours ahead: kept', { published: new Date(FETCHED_AT + 23 * HOUR).toISOString() }, FETCHED_AT + 23 * HOUR, 'published'],
      ['a date 25 hours ahead: clamped', { published: new Date(FETCHED_AT + 25 * HOUR).toISOString() }, FETCHED_AT, 'published'],
    ])('%s', (_name, item, publishedAt, dateSource) => {
      expect(normalize(item)).toMatchObject({ publishedAt, dateSource });
    });

    it('reads an Atom entry with only <updated> as dated by its update (through parseFeed)', async () => {
      const feed = await parseFeed(
        `<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>E</title><id>urn:1</id><link href="https://example.org/1"/><updated>2024-05-20T10:00:00+02:00</updated></entry></feed>`,
      );
      const [article] = normalizeFeed(feed, { feedUrl: FEED_URL, fetchedAt: FETCHED_AT }).articles;
      expect(article).toMatchObject({ publishedAt: Date.UTC(2024, 4, 20, 8), dateSource: 'updated' });
    });
  });

  describe('hashes', () => {
    const item: Partial<ParsedItem> = { guid: 'g1', link: 'https://example.org/1', title: 'One', contentHtml: '<p>Body</p>', published: '2024-05-01T10:00:00Z' };

    it('gives the same contentHash and textHash for the same input', () => {
      const a = normalize(item);
      const b = normalize({ ...item });
      expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(a.textHash).toMatch(/^[0-9a-f]{32}$/);
      expect(b.contentHash).toBe(a.contentHash);
      expect(b.textHash).toBe(a.textHash);
    });

    it.each<[string, Partial<ParsedItem>]>([
      ['the content', { contentHtml: '<p>Body, edited</p>' }],
      ['the title', { title: 'One (updated)' }],
      ['the link', { link: 'https://example.org/1b' }],
      ['the date', { published: '2024-05-02T10:00:00Z' }],
      ['the author', { author: 'Ann' }],
      ['an enclosure', { enclosures: [{ url: 'https://example.org/a.mp3', type: 'audio/mpeg', length: 1 }] }],
    ])('changes the contentHash when %s changes', (_name, change) => {
      expect(normalize({ ...item, ...change }).contentHash).not.toBe(normalize(item).contentHash);
    });

    it('changes the textHash with the title or text, not with the link or date', () => {
      const base = normalize(item).textHash;
      expect(normalize({ ...item, contentHtml: '<p>Other</p>' }).textHash).not.toBe(base);
      expect(normalize({ ...item, title: 'Other' }).textHash).not.toBe(base);
      expect(normalize({ ...item, link: 'https://example.org/2', published: '2024-05-02T10:00:00Z' }).textHash).toBe(base);
    });

    it('does not change the contentHash of a first_seen item when only the fetch time changes', () => {
      const undated = { ...item, published: null };
      const first = normalize(undated, {}, FETCHED_AT);
      const later = normalize(undated, {}, FETCHED_AT + 24 * HOUR);
      expect(later.publishedAt).not.toBe(first.publishedAt);
      expect(later.contentHash).toBe(first.contentHash);
    });

    it('does not change the contentHash of a dated item when only the fetch time changes', () => {
      expect(normalize(item, {}, FETCHED_AT + 24 * HOUR).contentHash).toBe(normalize(item, {}, FETCHED_AT).contentHash);
    });

    it('does not change the contentHash of an item with a clamped future date when only the fetch time changes', () => {
      const future = { ...item, published: '2099-01-01T00:00:00Z' };
      expect(normalize(future, {}, FETCHED_AT + 24 * HOUR).contentHash).toBe(normalize(future, {}, FETCHED_AT).contentHash);
    });
  });
});

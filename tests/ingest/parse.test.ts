import { declaresEntities, ParseError, parseFeed, type ParsedFeed, type ParsedItem } from '../../src/ingest/parse';
import { fixture } from '../helpers/feed-server';
import { emptyItem } from '../helpers/parsed';

/** An RSS 2.0 document with the given channel body. */
const rss = (body: string) => `<rss version="2.0"><channel><title>T</title><link>https://example.org/</link>${body}</channel></rss>`;
/** A simple RSS item. */
const item = (n: number) => `<item><title>Item ${n}</title><link>https://example.org/${n}</link><guid>g${n}</guid><description>Desc ${n}</description></item>`;


/** [title, link, contentHtml] of each item: what the leniency tables compare. */
const summary = (feed: ParsedFeed) => feed.items.map((i) => [i.title, i.link, i.contentHtml]);

/** The error parseFeed rejects with (fails the test when it resolves). */
async function failure(text: string): Promise<Error> {
  try {
    await parseFeed(text);
  } catch (err) {
    return err as Error;
  }
  throw new Error('parseFeed resolved, a ParseError was expected');
}

describe('parseFeed', () => {
  describe('formats', () => {
    it('reads RSS 2.0 with content:encoded, dc:creator, guid, enclosure and media:thumbnail', async () => {
      const text = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>Example &amp; Co</title>
    <link>https://example.org/</link>
    <language>en-US</language>
    <item>
      <title>First post</title>
      <link>https://example.org/first</link>
      <guid isPermaLink="false">tag:example.org,2024:1</guid>
      <description>Short summary</description>
      <content:encoded><![CDATA[<p>Full <b>content</b></p>]]></content:encoded>
      <dc:creator>Jane Doe</dc:creator>
      <pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate>
      <enclosure url="https://example.org/ep1.mp3" type="audio/mpeg" length="12345"/>
      <media:thumbnail url="https://example.org/thumb.jpg" width="75" height="50"/>
    </item>
    <item>
      <title>Permalink guid only</title>
      <guid>https://example.org/second</guid>
      <description>Second</description>
    </item>
  </channel>
</rss>`;
      expect(await parseFeed(text)).toEqual<ParsedFeed>({
        format: 'rss',
        title: 'Example & Co',
        siteUrl: 'https://example.org/',
        language: 'en-US',
        base: null,
        repairs: [],
        items: [
          {
            ...emptyItem,
            guid: 'tag:example.org,2024:1',
            link: 'https://example.org/first',
            title: 'First post',
            contentHtml: '<p>Full <b>content</b></p>',
            summaryHtml: 'Short summary',
            author: 'Jane Doe',
            published: 'Tue, 10 Jun 2003 04:00:00 GMT',
            enclosures: [{ url: 'https://example.org/ep1.mp3', type: 'audio/mpeg', length: 12345 }],
            imageUrl: 'https://example.org/thumb.jpg',
          },
          {
            ...emptyItem,
            guid: 'https://example.org/second',
            link: 'https://example.org/second', // a permalink guid stands in for the missing <link>
            title: 'Permalink guid only',
            contentHtml: 'Second',
          },
        ],
      });
    });

    it('reads RSS 1.0 (RDF) with dc:date', async () => {
      const text = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/rss">
    <title>RDF feed</title>
    <link>https://example.org/</link>
    <description>d</description>
  </channel>
  <item rdf:about="https://example.org/a">
    <title>A</title>
    <link>https://example.org/a</link>
    <description>Desc A</description>
    <dc:date>2003-06-10T04:00:00Z</dc:date>
    <dc:creator>Bob</dc:creator>
  </item>
</rdf:RDF>`;
      expect(await parseFeed(text)).toEqual<ParsedFeed>({
        format: 'rdf',
        title: 'RDF feed',
        siteUrl: 'https://example.org/',
        language: null,
        base: null,
        repairs: [],
        items: [
          {
            ...emptyItem,
            guid: 'https://example.org/a',
            link: 'https://example.org/a',
            title: 'A',
            contentHtml: 'Desc A',
            author: 'Bob',
            published: '2003-06-10T04:00:00Z',
          },
        ],
      });
    });

    it('reads RSS 0.91 (with its DOCTYPE)', async () => {
      const text = `<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>http://example.org/</link><description>x</description><language>en</language>
<item><title>Old item</title><link>http://example.org/old</link><description>Old desc</description></item>
</channel></rss>`;
      expect(await parseFeed(text)).toEqual<ParsedFeed>({
        format: 'rss',
        title: 'Old',
        siteUrl: 'http://example.org/',
        language: 'en',
        base: null,
        repairs: [],
        items: [{ ...emptyItem, link: 'http://example.org/old', title: 'Old item', contentHtml: 'Old desc' }],
      });
    });

    it('reads Atom 1.0: published/updated, xml:base on feed and entry, rel=alternate vs rel=enclosure', async () => {
      const text = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/blog/" xml:lang="fr">
  <title>Atom feed</title>
  <link href="https://example.org/" rel="alternate"/>
  <link href="https://example.org/feed.atom" rel="self"/>
  <id>urn:feed</id>
  <updated>2024-01-02T00:00:00Z</updated>
  <entry xml:base="posts/">
    <title type="html">Entry &lt;b&gt;one&lt;/b&gt;</title>
    <id>urn:uuid:1</id>
    <link rel="enclosure" href="audio.mp3" type="audio/mpeg" length="999"/>
    <link rel="alternate" href="one.html"/>
    <published>2024-01-01T10:00:00Z</published>
    <updated>2024-01-02T10:00:00Z</updated>
    <author><name>Ann</name></author>
    <summary>Sum</summary>
    <content type="html">&lt;p&gt;Body&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Two</title>
    <id>urn:uuid:2</id>
    <link href="two.html"/>
    <updated>2024-01-03T10:00:00+02:00</updated>
    <summary>Only summary</summary>
  </entry>
</feed>`;
      expect(await parseFeed(text)).toEqual<ParsedFeed>({
        format: 'atom',
        title: 'Atom feed',
        siteUrl: 'https://example.org/',
        language: 'fr', // xml:lang of the feed element
        base: 'https://example.org/blog/',
        repairs: [],
        items: [
          {
            ...emptyItem,
            guid: 'urn:uuid:1',
            link: 'one.html', // rel="alternate", not the enclosure listed before it; resolved later, in normalize
            title: 'Entry <b>one</b>',
            contentHtml: '<p>Body</p>',
            summaryHtml: 'Sum',
            author: 'Ann',
            published: '2024-01-01T10:00:00Z',
            updated: '2024-01-02T10:00:00Z',
            base: 'posts/',
            enclosures: [{ url: 'audio.mp3', type: 'audio/mpeg', length: 999 }],
          },
          {
            ...emptyItem,
            guid: 'urn:uuid:2',
            link: 'two.html', // a link without rel is rel="alternate"
            title: 'Two',
            contentHtml: 'Only summary',
            // Only <updated>: no publication date (rss-parser copies <updated> into its pubDate).
            published: null,
            updated: '2024-01-03T10:00:00+02:00',
          },
        ],
      });
    });

    it('reads Atom 0.3: issued and modified', async () => {
      const text = `<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Atom 0.3</title>
  <link rel="alternate" type="text/html" href="https://example.org/"/>
  <modified>2004-01-02T00:00:00Z</modified>
  <entry>
    <title>Old entry</title>
    <link rel="alternate" type="text/html" href="https://example.org/e1"/>
    <id>tag:example.org,2004:1</id>
    <issued>2004-01-01T00:00:00Z</issued>
    <modified>2004-01-02T00:00:00Z</modified>
    <summary>S</summary>
    <content type="text/html" mode="escaped">&lt;p&gt;C&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Modified only</title>
    <link rel="alternate" type="text/html" href="https://example.org/e2"/>
    <id>tag:example.org,2004:2</id>
    <modified>2004-02-02T00:00:00Z</modified>
  </entry>
</feed>`;
      expect(await parseFeed(text)).toEqual<ParsedFeed>({
        format: 'atom',
        title: 'Atom 0.3',
        siteUrl: 'https://example.org/',
        language: null,
        base: null,
        repairs: [],
        items: [
          {
            ...emptyItem,
            guid: 'tag:example.org,2004:1',
            link: 'https://example.org/e1',
            title: 'Old entry',
            contentHtml: '<p>C</p>',
            summaryHtml: 'S',
            published: '2004-01-01T00:00:00Z',
            updated: '2004-01-02T00:00:00Z',
          },
          { ...emptyItem, guid: 'tag:example.org,2004:2', link: 'https://example.org/e2', title: 'Modified only', updated: '2004-02-02T00:00:00Z' },
        ],
      });
    });

    it('reads an <rss> without a version as RSS 2.0', async () => {
      const feed = await parseFeed(`<rss><channel><title>No version</title><item><title>T</title><guid>https://example.org/t</guid></item></channel></rss>`);
      expect(feed).toEqual<ParsedFeed>({
        format: 'rss',
        title: 'No version',
        siteUrl: null,
        language: null,
        base: null,
        repairs: [],
        items: [{ ...emptyItem, guid: 'https://example.org/t', link: 'https://example.org/t', title: 'T' }],
      });
    });

    it.each([
      ['<rss version="2.0"></rss>'],
      ['<?xml version="1.0"?>\n<rss version="2.0"/>'],
      ['<rss version="2.0">\n  <!-- nothing yet -->\n</rss>'],
    ])('reads an <rss> without a <channel> as a feed with no items: %j', async (text) => {
      expect(await parseFeed(text)).toEqual<ParsedFeed>({ format: 'rss', title: null, siteUrl: null, language: null, base: null, items: [], repairs: [] });
    });

    it('reads an RSS channel with no items', async () => {
      const feed = await parseFeed(rss(''));
      expect(feed.items).toEqual([]);
      expect(feed.title).toBe('T');
    });
  });

  describe('leniency', () => {
    const oneItem = [['Item 1', 'https://example.org/1', 'Desc 1']];
    const twoItems = [...oneItem, ['Item 2', 'https://example.org/2', 'Desc 2']];

    it.each([
      ['a leading newline and spaces before <?xml', `\n  \n<?xml version="1.0"?>\n${rss(item(1))}`, oneItem, []],
      ['a comment before the XML declaration', `<!-- cached by WP Super Cache -->\n<?xml version="1.0" encoding="UTF-8"?>\n${rss(item(1))}`, oneItem, []],
      ['PHP warnings before the XML declaration', `Warning: something in /var/www/x.php on line 3\n<?xml version="1.0"?>${rss(item(1))}`, oneItem, []],
      ['a missing final </rss>', `<?xml version="1.0"?>${rss(item(1) + item(2)).replace('</rss>', '')}`, twoItems, ['truncated']],
      ['a final </rss without ">"', `<?xml version="1.0"?>${rss(item(1) + item(2)).replace('</rss>', '</rss')}`, twoItems, ['truncated']],
      ['a stray end tag', rss(`${item(1)}</p>${item(2)}`), twoItems, ['unbalanced elements']],
      ['an unclosed <category>', rss(`<item><title>Item 1</title><category>news<link>https://example.org/1</link><description>Desc 1</description></item>`), oneItem, ['unbalanced elements']],
    ])('reads a feed with %s', async (_name, text, items, repairs) => {
      const feed = await parseFeed(text);
      expect(summary(feed)).toEqual(items);
      expect(feed.repairs).toEqual(repairs);
    });

    it('decodes &nbsp; and &eacute; (HTML entities undeclared in XML) to their characters', async () => {
      const feed = await parseFeed(rss(`<item><title>Caf&eacute;&nbsp;Bar &mdash; 5&euro;</title><link>https://example.org/1</link><description>a&nbsp;b &copy; &amp; &lt;</description></item>`));
      expect(summary(feed)).toEqual([['Caf\u00e9\u00a0Bar \u2014 5\u20ac', 'https://example.org/1', 'a\u00a0b \u00a9 & <']]);
    });

    it('leaves entities inside CDATA as they are (they are HTML there)', async () => {
      const feed = await parseFeed(rss(`<item><title>Caf&eacute;</title><link>https://example.org/1</link><description><![CDATA[a&nbsp;b AT&T]]></description></item>`));
      expect(summary(feed)).toEqual([['Café', 'https://example.org/1', 'a&nbsp;b AT&T']]);
    });

    it('reads bare ampersands ("AT&T") as text, in elements and attributes', async () => {
      const feed = await parseFeed(
        rss(`<item><title>AT&T and R&D</title><link>https://example.org/?a=1&b=2</link><description>Q&A</description><enclosure url="https://example.org/a.mp3?x=1&y=2" type="audio/mpeg"/></item>`),
      );
      expect(summary(feed)).toEqual([['AT&T and R&D', 'https://example.org/?a=1&b=2', 'Q&A']]);
      expect(feed.items[0].enclosures).toEqual([{ url: 'https://example.org/a.mp3?x=1&y=2', type: 'audio/mpeg', length: null }]);
      expect(feed.repairs).toEqual(['entities']);
    });

    it('keeps an unknown entity as text', async () => {
      const feed = await parseFeed(rss(`<item><title>x &foo; y</title><link>https://example.org/1</link></item>`));
      expect(feed.items[0].title).toBe('x &foo; y');
    });

    it('reads a feed with a <br> left open inside a description, and the items after it', async () => {
      const feed = await parseFeed(rss(`<item><title>BR</title><link>https://example.org/1</link><description>line one<br>line two</description></item>${item(2)}`));
      expect(feed.items.map((i) => [i.title, i.link])).toEqual([
        ['BR', 'https://example.org/1'],
        ['Item 2', 'https://example.org/2'],
      ]);
      expect(feed.items[1].contentHtml).toBe('Desc 2');
      // Wrapping the description's HTML in CDATA makes the open <br> harmless: no repair is needed.
      expect(feed.repairs).toEqual([]);
    });

    it('keeps the <br> left open inside a description (contentHtml "line one<br/>line two")', async () => {
      const feed = await parseFeed(rss(`<item><title>BR</title><link>https://example.org/1</link><description>line one<br>line two</description></item>`));
      expect(feed.items[0].contentHtml).toMatch(/^line one<br\s*\/?>line two$/);
    });

    it('keeps well-formed markup written unescaped inside a description', async () => {
      const feed = await parseFeed(rss(`<item><title>B</title><link>https://example.org/1</link><description>Hello <b>world</b>, again</description></item>`));
      expect(feed.items[0].contentHtml).toBe('Hello <b>world</b>, again');
    });

    it('keeps the items before a cut in the middle of an item', async () => {
      const full = rss(item(1) + item(2));
      const text = full.slice(0, full.indexOf('<item><title>Item 2') + '<item><title>Item 2</title><li'.length);
      const feed = await parseFeed(text);
      expect(summary(feed)).toEqual([
        ['Item 1', 'https://example.org/1', 'Desc 1'],
        ['Item 2', null, null],
      ]);
      expect(feed.repairs).toEqual(['truncated']);
    });

    it('reads an Atom feed embedded in an XHTML page', async () => {
      const text = `<?xml version="1.0"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Page</title></head><body><p>Hi</p>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Embedded</title>
<entry><title>E1</title><id>urn:e1</id><link href="https://example.org/e1"/><published>2024-01-01T00:00:00Z</published></entry>
</feed></body></html>`;
      expect(await parseFeed(text)).toEqual<ParsedFeed>({
        format: 'atom',
        title: 'Embedded',
        siteUrl: null,
        language: null,
        base: null,
        repairs: ['embedded feed'],
        items: [{ ...emptyItem, guid: 'urn:e1', link: 'https://example.org/e1', title: 'E1', published: '2024-01-01T00:00:00Z' }],
      });
    });

    it.each([
      ['a localized <published>', '<published>24 de setembro de 2018</published>', '24 de setembro de 2018', null],
      ['an unreadable <updated>', '<updated>not a date</updated>', null, 'not a date'],
      ['a blank <published>', '<published> </published><updated>2024-01-01T00:00:00Z</updated>', null, '2024-01-01T00:00:00Z'],
    ])('reads an Atom entry with %s instead of rejecting the feed', async (_name, dates, published, updated) => {
      const feed = await parseFeed(
        `<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>E</title><id>urn:1</id><link href="https://example.org/1"/>${dates}</entry></feed>`,
      );
      expect(feed.items.map((i) => [i.published, i.updated])).toEqual([[published, updated]]);
    });
  });

  describe('errors', () => {
    it.each([
      ['an HTML page', '<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>Hello</p></body></html>', /^parse: the document is not RSS or Atom \(its root element is <html>\)$/],
      ['an XHTML page without a feed', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>', /^parse: the document is not RSS or Atom/],
      ['plain text', 'Hello, this is not XML at all.', /^parse: unable to read the feed/],
      ['a document truncated inside CDATA', '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</title><description><![CDATA[<p>Some text that is cut', /^parse: unable to read the feed/],
      ['a document truncated inside a comment', `<rss version="2.0"><channel><title>T</title>${item(1)}<!-- unfinished`, /^parse: unable to read the feed/],
      ['a document truncated before any item', '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://example.org/</link><descrip', /^parse: the document is truncated before its first item$/],
      ['a document truncated after the channel title', '<rss version="2.0"><channel><title>T</title>', /^parse: the document is truncated before its first item$/],
      ['an empty string', '', /^parse: /],
      ['only whitespace', '  \n\t ', /^parse: /],
    ])('rejects %s with a ParseError', async (_name, text, message) => {
      const err = await failure(text);
      expect(err).toBeInstanceOf(ParseError);
      expect(err).toMatchObject({ code: 'PARSE_FAILED', errorClass: 'parse', name: 'ParseError' });
      expect(err.message).toMatch(message);
    });

    const lol = (n: number) => `&lol${n - 1};`.repeat(10);
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol0 "lol">
${Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${lol(i + 1)}">`).join('\n')}
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://example.org/1</link><description>&lol9;</description></item></channel></rss>`;

    it('rejects a billion-laughs document fast, without expanding its entities', async () => {
      const started = performance.now();
      const err = await failure(laughs);
      expect(performance.now() - started).toBeLessThan(250);
      expect(err).toBeInstanceOf(ParseError);
      expect(err.message).toMatch(/^parse: /);
      expect(err.message).not.toContain('lollol');
    });

    it('rejects a document declaring an external entity (XXE)', async () => {
      const err = await failure(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>&xxe;</title>${item(1)}</channel></rss>`);
      expect(err).toBeInstanceOf(ParseError);
      expect(err.message).toMatch(/^parse: /);
    });

    describe('entity declarations, wherever they are', () => {
      const REFUSED = 'parse: the document declares its own XML entities (<!ENTITY>), which are refused: they are how entity-expansion attacks work';
      const declaring = '<!DOCTYPE rss [<!ENTITY lol "lol">]>';

      it('refuses a billion-laughs DOCTYPE after a 70 KB comment, with the same error as at the start', async () => {
        // The check used to read only the first 64 KiB.
        const late = `<!--${'x'.repeat(70_000)}-->\n${laughs.replace('<?xml version="1.0"?>\n', '')}`;
        expect((await failure(laughs)).message).toBe(REFUSED);
        const err = await failure(late);
        expect(err).toBeInstanceOf(ParseError);
        expect(err.message).toBe(REFUSED);
      });

      it.each([
        ['after 200 KB of comments and whitespace', `${'<!-- padding -->\n'.repeat(12_500)}${declaring}${rss(item(1))}`],
        ['inside the body, where no DOCTYPE may be', rss(`${declaring}${item(1)}`)],
        ['in lower case', `<!doctype rss [<!entity lol "lol">]>${rss(item(1))}`],
        ['as a parameter entity', `<!DOCTYPE rss [<!ENTITY % pe "<!ELEMENT x ANY>">]>${rss(item(1))}`],
        ['after other declarations', `<!DOCTYPE rss [<!ELEMENT rss ANY><!ATTLIST rss version CDATA "2.0"><!ENTITY lol "lol">]>${rss(item(1))}`],
        ['after a comment in the internal subset', `<!DOCTYPE rss [<!-- harmless --><!ENTITY lol "lol">]>${rss(item(1))}`],
        ['after a SYSTEM literal holding "<!--" (text, not a comment)', `<!DOCTYPE rss [<!NOTATION n SYSTEM "<!--"><!ENTITY lol "lol"><!NOTATION m SYSTEM "-->">]>${rss(item(1))}`],
        ['after a literal holding "]>" (not the end of the subset)', `<!DOCTYPE rss [<!NOTATION n SYSTEM "]>"><!ENTITY lol "lol">]>${rss(item(1))}`],
        ['after an external ID holding "[" and ">"', `<!DOCTYPE rss SYSTEM "https://example.org/a[b>.dtd" [<!ENTITY lol "lol">]>${rss(item(1))}`],
        ['after a declaration left open', `<!DOCTYPE rss [<!ELEMENT rss ANY <!ENTITY lol "lol">]>${rss(item(1))}`],
        ['after a comment that never ends (read on as text, in case a parser recovers)', `<!-- unclosed\n${declaring}${rss(item(1))}`],
        ['inside a literal of another declaration (no feed needs one; a lenient parser might see it)', `<!DOCTYPE rss [<!ATTLIST rss a CDATA "x><!ENTITY lol "lol">]>${rss(item(1))}`],
        ['inside a SYSTEM literal', `<!DOCTYPE rss [<!NOTATION n SYSTEM "<!ENTITY lol>">]>${rss(item(1))}`],
      ])('refuses an entity declaration %s', async (_name, text) => {
        const err = await failure(text);
        expect(err).toBeInstanceOf(ParseError);
        expect(err.message).toBe(REFUSED);
      });

      it('reads a newsletter that quotes DTDs in CDATA sections and in a comment (entity-talk-in-cdata.xml)', async () => {
        const feed = await parseFeed(fixture('entity-talk-in-cdata.xml').toString('utf8'));
        expect(feed.items.map((i) => i.title)).toEqual(['What a billion-laughs payload looks like', 'External entities (XXE)']);
        expect(feed.items[0].contentHtml).toContain('<!ENTITY lol "lol">');
        expect(feed.items[1].contentHtml).toContain('<!ENTITY xxe SYSTEM "file:///etc/passwd">');
      });

      it.each([
        ['with "<!ENTITY" in a CDATA section of an item', rss(`<item><title>Item 1</title><link>https://example.org/1</link><guid>g1</guid><description><![CDATA[${declaring}]]></description></item>`)],
        ['with "<!ENTITY" in a comment in the body', rss(`<!-- ${declaring} -->${item(1)}`)],
        ['with "<!ENTITY" in a comment before a DOCTYPE that declares none', `<!-- <!ENTITY lol "lol"> -->\n<!DOCTYPE rss [<!ELEMENT rss ANY>]>\n${rss(item(1))}`],
        ['with "<!ENTITY" in a comment inside the internal subset', `<!DOCTYPE rss [<!-- <!ENTITY lol "lol"> --><!ELEMENT rss ANY>]>${rss(item(1))}`],
        ['with "<!ENTITY" in a processing instruction', `<?note ${declaring} ?>${rss(item(1))}`],
        ['with a DOCTYPE whose SYSTEM literal holds "<!--" (text, not a comment)', `<!DOCTYPE rss [<!NOTATION n SYSTEM "<!-- not a comment">]>${rss(item(1))}`],
        ['with "<!ENTITY" escaped in a title', rss(item(1).replace('Desc 1', 'About &lt;!ENTITY lol "lol"&gt;'))],
      ])('reads a feed %s: it declares nothing', async (_name, text) => {
        const feed = await parseFeed(text);
        expect(feed.items.map((i) => [i.title, i.link])).toEqual([['Item 1', 'https://example.org/1']]);
      });

      // 5 MB each. A check that rescans from every "<!" would take hours on these (assertions are on
      // the result only; jest's timeout is the clock).
      it.each([
        ['"<!--" × 1.25 M (a comment that never ends, again and again)', '<!--'.repeat(1_250_000), false],
        ['"<!" × 2.5 M', '<!'.repeat(2_500_000), false],
        ['"<!--<!" × 830 K', '<!--<!'.repeat(833_333), false],
        ['"<![CDATA[<?" × 450 K', '<![CDATA[<?'.repeat(450_000), false],
        ['an internal subset of "<!" × 2.5 M', `<!DOCTYPE rss [${'<!'.repeat(2_500_000)}`, false],
        ['"<!DOCTYPE [" × 450 K', '<!DOCTYPE ['.repeat(450_000), false],
        ['an internal subset of unclosed quotes and "<!"', `<!DOCTYPE rss [<!ATTLIST "${'"<!'.repeat(1_600_000)}`, false],
        ['"<!--" × 1.25 M, then a declaration', `${'<!--'.repeat(1_250_000)}${declaring}`, true],
        ['closed comments × 400 K, then a declaration', `${'<!-- x -->\n<!'.repeat(400_000)}${declaring}`, true],
      ])('scans %s in one pass', (_name, text, declares) => {
        expect(text.length).toBeGreaterThan(4_000_000);
        expect(declaresEntities(text)).toBe(declares);
      });

      it('refuses 5 MB of "<!" fragments as unreadable, not as entity declarations', async () => {
        const err = await failure('<!'.repeat(2_500_000));
        expect(err).toBeInstanceOf(ParseError);
        expect(err.message).toMatch(/^parse: unable to read the feed/);
      });
    });
  });

  describe('5 MB of a fragment that a repair pass read again from every occurrence of it', () => {
    // Each of these took from many minutes to hours when an opener that never closes sent a lazy
    // regex to the end of the document again and again, or each stray end tag copied the whole
    // text (src/ingest/xml-repair.ts): the same shapes at 160 KB took 0.2 to 17 s, now 10 to 30 ms.
    // Assertions are on the result only; the figures are in no test.
    const MB5 = 5_000_000;
    const fill = (fragment: string) => fragment.repeat(Math.ceil(MB5 / fragment.length));
    const feed = rss(item(1) + item(2));
    const twoItems = [
      ['Item 1', 'https://example.org/1', 'Desc 1'],
      ['Item 2', 'https://example.org/2', 'Desc 2'],
    ];

    it.each([
      ['"<!--" × 1.25 M after </rss>', `${feed}${fill('<!--')}`, []],
      ['"<![CDATA[" × 555 K after </rss>', `${feed}${fill('<![CDATA[')}`, []],
      ['"<?" × 2.5 M after </rss>', `${feed}${fill('<?')}`, []],
      ['"<description>" × 385 K after </rss>', `${feed}${fill('<description>')}`, []],
      ['"<description " × 385 K after </rss>', `${feed}${fill('<description ')}`, []],
      ['"<content:encoded>" × 295 K after </rss>', `${feed}${fill('<content:encoded>')}`, []],
      ['a DOCTYPE of 5 M spaces and "[" before it', `<!DOCTYPE${' '.repeat(MB5)}[${feed}`, ['embedded feed']],
      ['"</x>" × 1.25 M in its channel', rss(`${item(1)}${fill('</x>')}${item(2)}`), ['unbalanced elements']],
    ])('reads a feed with %s', async (_name, text, repairs) => {
      const parsed = await parseFeed(text);
      expect(summary(parsed)).toEqual(twoItems);
      expect(parsed.repairs).toEqual(repairs);
    });

    it.each([
      ['"<!--" × 1.25 M in its channel', rss(`${item(1)}${fill('<!--')}`)],
      ['"<![CDATA[" × 555 K in its channel', rss(`${item(1)}${fill('<![CDATA[')}`)],
      ['"<?" × 2.5 M in its channel', rss(`${item(1)}${fill('<?')}`)],
      ['a DOCTYPE of 5 M spaces and nothing else', `<!DOCTYPE${' '.repeat(MB5)}`],
    ])('rejects a document with %s as unreadable', async (_name, text) => {
      const err = await failure(text);
      expect(err).toBeInstanceOf(ParseError);
      expect(err.message).toMatch(/^parse: unable to read the feed/);
    });
  });
});

import { decodeHTML } from 'entities';
import Parser from 'rss-parser';
import { AppError, describeError } from '../errors';
import { prologEnd, repairStructure, replaceElements, replaceOutsideMarkup } from './xml-repair';

/** A feed, format-neutral: what normalize needs, raw (titles may hold HTML, dates are text). */
export interface ParsedFeed {
  format: 'rss' | 'atom' | 'rdf';
  title: string | null;
  siteUrl: string | null;
  language: string | null;
  /** xml:base of the document element, when given. */
  base: string | null;
  items: ParsedItem[];
  /** The repairs that were needed to read it (empty for a well-formed feed). */
  repairs: string[];
}

export interface ParsedEnclosure {
  url: string;
  type: string | null;
  length: number | null;
}

export interface ParsedItem {
  /** RSS guid, Atom id, or RDF rdf:about. */
  guid: string | null;
  link: string | null;
  title: string | null;
  /** The fullest content: content:encoded, Atom content, else the description/summary. */
  contentHtml: string | null;
  /** The description or summary when the feed also gives full content. */
  summaryHtml: string | null;
  author: string | null;
  /** Publication date as written (pubDate, published, dc:date, issued). */
  published: string | null;
  /** Update date as written (updated, modified). */
  updated: string | null;
  /** xml:base of the item. */
  base: string | null;
  enclosures: ParsedEnclosure[];
  imageUrl: string | null;
}

export class ParseError extends AppError {
  readonly errorClass = 'parse';
  constructor(message: string, options?: { cause?: unknown }) {
    super('PARSE_FAILED', `parse: ${message}`, options);
  }
}

const parser = new Parser({
  // An <rss> element without a version attribute is read as RSS 2.0.
  defaultRSS: 2,
  customFields: {
    feed: [['$', 'xmlAttrs', { keepArray: true }] as any],
    item: [
      ['$', 'xmlAttrs', { keepArray: true }],
      ['link', 'links', { keepArray: true }],
      ['enclosure', 'enclosures', { keepArray: true }],
      ['media:content', 'mediaContent', { keepArray: true }],
      ['media:thumbnail', 'mediaThumbnail', { keepArray: true }],
      ['media:group', 'mediaGroup', { keepArray: true }],
      ['itunes:image', 'itunesImage', { keepArray: true }],
      // Atom dates, renamed before parsing (see prepareForParser).
      'fw-published',
      'fw-updated',
      'fw-issued',
      'fw-modified',
    ] as any,
  },
});

type Raw = Record<string, any>;

const FEED_ROOTS = /^(rss|feed|rdf:RDF|RDF)$/;

/**
 * Text to ParsedFeed with rss-parser, lenient where real feeds are sloppy: junk before the first
 * element, undeclared HTML entities and bare ampersands, a feed wrapped in another document, and a
 * missing end are repaired, in that order, when the text does not parse as it is.
 */
export async function parseFeed(text: string): Promise<ParsedFeed> {
  // Entity declarations are how entity-expansion attacks (billion laughs) work; feeds do not need them.
  if (declaresEntities(text)) {
    throw new ParseError('the document declares its own XML entities (<!ENTITY>), which are refused: they are how entity-expansion attacks work');
  }
  const root = rootElementName(stripProlog(text));
  const cleaned = prepareForParser(stripProlog(text));
  if (root && !FEED_ROOTS.test(root) && !/<(rss|feed|rdf:RDF)[\s>]/.test(cleaned)) {
    throw new ParseError(`the document is not RSS or Atom (its root element is <${root}>)`);
  }
  // An <rss> element without a <channel> is a feed with nothing in it (rss-parser cannot read one).
  if (root === 'rss' && !/<channel[\s>]/.test(cleaned)) return { format: 'rss', title: null, siteUrl: null, language: null, base: null, items: [], repairs: [] };
  let firstError: unknown;
  try {
    if (root && FEED_ROOTS.test(root)) return toParsedFeed(await parser.parseString(cleaned), []);
  } catch (err) {
    firstError = err;
  }

  const repairs: string[] = [];
  let repaired = replaceOutsideMarkup(cleaned, fixEntities);
  if (repaired !== cleaned) repairs.push('entities');
  if (!root || !FEED_ROOTS.test(root)) {
    repaired = extractEmbeddedFeed(repaired);
    repairs.push('embedded feed');
  }
  const structure = repairStructure(repaired);
  if (structure === null) {
    throw new ParseError(`unable to read the feed: ${describeError(firstError ?? 'it ends inside a comment or CDATA section')}`);
  }
  if (structure.unclosed || structure.stray) repairs.push('unbalanced elements');
  if (structure.truncated) repairs.push('truncated');
  let feed: ParsedFeed;
  try {
    feed = toParsedFeed(await parser.parseString(structure.text), repairs);
  } catch (err) {
    throw new ParseError(`unable to read the feed: ${describeError(firstError ?? err)}`, { cause: err });
  }
  if (structure.truncated && feed.items.length === 0) {
    throw new ParseError('the document is truncated before its first item');
  }
  return feed;
}

/**
 * Whether a DOCTYPE anywhere in the text declares entities (`<!ENTITY` in its internal subset), read in
 * one pass from start to end, so a long comment before the DOCTYPE hides nothing and a huge document
 * costs one read. What is not markup is skipped the way an XML parser skips it: comments, CDATA
 * sections and processing instructions (XML 1.0 §2.5, §2.7, §2.6: "<!ENTITY" in an item's CDATA is
 * text, not a declaration), and, inside the DOCTYPE, quoted literals (§2.3: a SYSTEM literal may hold
 * "<!--" or "]>"), though one holding "<!ENTITY" is refused too: a strict parser would refuse most
 * such literals anyway, a lenient one might see a declaration, and no feed needs one. A comment,
 * CDATA section or PI that never ends is read on as text, in case a lenient parser recovers after
 * it; the missing closer is remembered, never searched twice.
 */
export function declaresEntities(text: string): boolean {
  const missing = new Set<string>();
  /** The index after the construct opened at `at` by `opener`, or after the opener when it never closes. */
  const skip = (at: number, opener: string, closer: string): number => {
    const close = missing.has(closer) ? -1 : text.indexOf(closer, at + opener.length);
    if (close >= 0) return close + closer.length;
    missing.add(closer);
    return at + opener.length;
  };
  /** From just after "<!DOCTYPE": the index after the DOCTYPE, or -1 when its internal subset declares an entity. */
  const doctype = (at: number): number => {
    at = markupEnd(text, at, '[');
    if (at < 0 || text[at] === '>') return at < 0 ? -1 : at + 1;
    if (text[at] !== '[') return at;
    for (at++; at < text.length; ) {
      const char = text[at];
      if (char === ']') return at + 1;
      if (char !== '<') at++;
      else if (text.startsWith('<!--', at)) at = skip(at, '<!--', '-->');
      else if (text.startsWith('<?', at)) at = skip(at, '<?', '?>');
      else if (startsWithWord(text, '<!ENTITY', at)) return -1;
      else {
        // Another declaration (<!ELEMENT>, <!ATTLIST>, <!NOTATION>) or stray markup.
        at = markupEnd(text, at + 1, null);
        if (at < 0) return -1;
        if (text[at] === '>') at++;
      }
    }
    return at;
  };
  for (let at = text.indexOf('<'); at >= 0; at = text.indexOf('<', at)) {
    if (text.startsWith('<!--', at)) at = skip(at, '<!--', '-->');
    else if (text.startsWith('<![CDATA[', at)) at = skip(at, '<![CDATA[', ']]>');
    else if (text.startsWith('<?', at)) at = skip(at, '<?', '?>');
    else if (startsWithWord(text, '<!DOCTYPE', at)) {
      at = doctype(at + '<!DOCTYPE'.length);
      if (at < 0) return true;
    } else at++;
  }
  return false;
}

/** Case-insensitive: an HTML-minded generator may write <!doctype> or <!entity>, and refusing costs nothing. */
function startsWithWord(text: string, word: string, at: number): boolean {
  return text.slice(at, at + word.length).toUpperCase() === word;
}

/**
 * From inside a markup declaration (§2.8: doctypedecl ::= '<!DOCTYPE' S Name (S ExternalID)? S?
 * ('[' intSubset ']' S?)? '>'), the index of the ">" that ends it (or of `stop`), quoted literals
 * skipped, or the text's length; -1 when a literal holds "<!ENTITY". It stops at a "<" too, which no
 * declaration holds outside its literals, so a declaration left open cannot swallow the one after it;
 * a quote that is never closed is taken as a character (and then no later one can close: the search
 * runs at most once per quote character).
 */
function markupEnd(text: string, at: number, stop: string | null): number {
  while (at < text.length) {
    const char = text[at];
    if (char === '"' || char === "'") {
      const close = text.indexOf(char, at + 1);
      if (close >= 0 && /<!ENTITY/i.test(text.slice(at + 1, close))) return -1;
      at = close < 0 ? at + 1 : close + 1;
    } else if (char === '>' || char === '<' || char === stop) return at;
    else at++;
  }
  return at;
}

/**
 * Works around two things rss-parser does with valid feeds:
 * - HTML written unescaped inside an RSS <description> or <content:encoded> ("a <b>b</b> c") becomes
 *   XML child elements, of which rss-parser keeps only the text: such content is wrapped in CDATA
 *   so it reaches us as the HTML it is (an unclosed <br> in it stops mattering, too);
 * - rss-parser turns an Atom entry's <published>/<updated> into ISO strings and throws on any it
 *   cannot read (one bad date would lose the feed), and fills pubDate from <updated>: they are
 *   renamed so that it leaves them alone, and src/ingest/dates.ts reads them.
 */
function prepareForParser(text: string): string {
  const prepared = replaceElements(text, ['description', 'content:encoded'], (name, attributes, inner, whole) =>
    /<[A-Za-z/!]/.test(inner) && !inner.includes('<![CDATA[')
      ? `<${name}${attributes ?? ''}><![CDATA[${inner.replace(/]]>/g, ']]]]><![CDATA[>')}]]></${name}>`
      : whole,
  );
  return replaceOutsideMarkup(prepared, (segment) => segment.replace(/<(\/?)(published|updated|issued|modified)(?=[\s>/])/g, '<$1fw-$2'));
}

/** Drops what may precede the document element: junk, whitespace, comments, the XML declaration, a DOCTYPE. */
function stripProlog(text: string): string {
  return text.slice(prologEnd(text));
}

function rootElementName(text: string): string | null {
  const match = /^<([A-Za-z_][\w:.-]*)/.exec(text);
  return match ? match[1] : null;
}

/** The first RSS or Atom element of a document that wraps one (an Atom feed inside an XHTML page). */
function extractEmbeddedFeed(text: string): string {
  const match = /<(rss|feed|rdf:RDF)[\s>]/.exec(text);
  if (!match) return text;
  const end = text.lastIndexOf(`</${match[1]}>`);
  return end > match.index ? text.slice(match.index, end + match[1].length + 3) : text.slice(match.index);
}

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/**
 * HTML named entities (&nbsp;) are undefined in XML: turn them into numeric references. An ampersand
 * that starts no entity at all ("AT&T") becomes &amp;.
 */
function fixEntities(segment: string): string {
  return segment.replace(/&(?:(#\d+|#x[0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]*));|&/g, (whole, numeric, name) => {
    if (numeric) return whole;
    if (name) {
      if (XML_ENTITIES.has(name)) return whole;
      const decoded = decodeHTML(whole);
      if (decoded !== whole) return [...decoded].map((c) => `&#${c.codePointAt(0)};`).join('');
      return `&amp;${name};`;
    }
    return '&amp;';
  });
}

const str = (value: unknown): string | null => {
  if (typeof value === 'string') return value.trim() || null;
  if (value && typeof value === 'object' && typeof (value as Raw)._ === 'string') return (value as Raw)._.trim() || null;
  return null;
};

function toParsedFeed(raw: Raw, repairs: string[]): ParsedFeed {
  const items: Raw[] = raw.items ?? [];
  const isAtom =
    /Atom|purl\.org\/atom/.test(String(raw.xmlAttrs?.xmlns ?? '')) ||
    items.some((i) => i.id !== undefined && i.guid === undefined && i['rdf:about'] === undefined);
  const isRdf = items.some((i) => i['rdf:about'] !== undefined);
  const format = isRdf ? 'rdf' : isAtom ? 'atom' : 'rss';
  return {
    format,
    title: str(raw.title),
    siteUrl: str(raw.link),
    language: str(raw.language) ?? str(raw.xmlAttrs?.['xml:lang']),
    base: str(raw.xmlAttrs?.['xml:base']),
    items: items.map(toParsedItem),
    repairs,
  };
}

function attrs(node: unknown): Raw {
  return node && typeof node === 'object' && (node as Raw).$ ? (node as Raw).$ : {};
}

function toParsedItem(raw: Raw): ParsedItem {
  const links: Raw[] = Array.isArray(raw.links) ? raw.links : [];
  const enclosures: ParsedEnclosure[] = [];
  for (const e of raw.enclosures ?? []) {
    const a = attrs(e);
    if (a.url) enclosures.push({ url: String(a.url), type: a.type ?? null, length: toLength(a.length) });
  }
  for (const l of links) {
    const a = attrs(l);
    if (a.rel === 'enclosure' && a.href) enclosures.push({ url: String(a.href), type: a.type ?? null, length: toLength(a.length) });
  }
  const fullContent = str(raw['content:encoded']) ?? str(raw.content);
  const description = raw['content:encoded'] ? str(raw.content) : null;
  const summary = str(raw.summary);
  return {
    guid: str(raw.guid) ?? str(raw.id) ?? str(raw['rdf:about']) ?? str(raw.xmlAttrs?.['rdf:about']),
    link: linkOf(raw, links),
    title: str(raw.title),
    contentHtml: fullContent ?? summary,
    summaryHtml: fullContent ? (description ?? summary) : null,
    author: str(raw.creator) ?? str(raw.author),
    published: str(raw['fw-published']) ?? str(raw['fw-issued']) ?? str(raw.pubDate) ?? str(raw.date),
    updated: str(raw['fw-updated']) ?? str(raw['fw-modified']),
    base: str(raw.xmlAttrs?.['xml:base']),
    enclosures,
    imageUrl: imageOf(raw, enclosures),
  };
}

/** The item's link: Atom's rel="alternate" (or first), else RSS <link>, else a permalink guid. */
function linkOf(raw: Raw, links: Raw[]): string | null {
  const alternate = links.find((l) => attrs(l).href && (attrs(l).rel ?? 'alternate') === 'alternate');
  if (alternate) return String(attrs(alternate).href).trim() || null;
  for (const l of links) {
    const text = str(l);
    if (text) return text;
  }
  const guid = raw.guid;
  if (guid && typeof guid === 'object' && attrs(guid).isPermaLink !== 'false' && /^https?:\/\//.test(str(guid) ?? '')) return str(guid);
  if (typeof guid === 'string' && /^https?:\/\//.test(guid)) return guid.trim();
  return null;
}

function imageOf(raw: Raw, enclosures: ParsedEnclosure[]): string | null {
  const groups: Raw[] = raw.mediaGroup ?? [];
  const thumbnails: Raw[] = [...(raw.mediaThumbnail ?? []), ...groups.flatMap((g) => g['media:thumbnail'] ?? [])];
  for (const t of thumbnails) if (attrs(t).url) return String(attrs(t).url);
  const contents: Raw[] = [...(raw.mediaContent ?? []), ...groups.flatMap((g) => g['media:content'] ?? [])];
  for (const c of contents) {
    const a = attrs(c);
    if (a.url && (a.medium === 'image' || /^image\//.test(a.type ?? ''))) return String(a.url);
  }
  const image = enclosures.find((e) => /^image\//.test(e.type ?? ''));
  if (image) return image.url;
  for (const i of raw.itunesImage ?? []) if (attrs(i).href) return String(attrs(i).href);
  return null;
}

function toLength(value: unknown): number | null {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

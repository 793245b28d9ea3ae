import { ForwardSearch, prologEnd, repairStructure, replaceElements, replaceOutsideMarkup } from '../../src/ingest/xml-repair';

/**
 * The regexes the scans replaced, kept as oracles: what they return is the behaviour to keep, and on
 * short text they are fast (on a long one with an opener that never closes they are quadratic).
 */
const oracle = {
  replaceOutsideMarkup(text: string, fix: (segment: string) => string): string {
    const protectedMarkup = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g;
    let out = '';
    let last = 0;
    for (let m = protectedMarkup.exec(text); m; m = protectedMarkup.exec(text)) {
      out += fix(text.slice(last, m.index)) + m[0];
      last = m.index + m[0].length;
    }
    return out + fix(text.slice(last));
  },
  replaceElements(text: string, names: string[], replace: (name: string, attributes: string | undefined, inner: string, whole: string) => string): string {
    return text.replace(new RegExp(`<(${names.join('|')})(\\s[^>]*)?>([\\s\\S]*?)<\\/\\1>`, 'g'), (whole, name, attributes, inner) => replace(name, attributes, inner, whole));
  },
  prologEnd(text: string): number {
    const start = text.indexOf('<');
    const rest = start >= 0 ? text.slice(start) : text;
    return text.length - rest.replace(/^(?:\s*(?:<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>))*\s*/i, '').length;
  },
};

const bracket = (segment: string) => `[${segment}]`;
/** Shows what replaceElements was given, so that a difference in any argument shows in the output. */
const show = (name: string, attributes: string | undefined, inner: string, whole: string) => `{${name}|${attributes ?? '-'}|${inner}|${whole}}`;

/** The pieces the documents below are made of: openers, closers, and what sits near them. */
const FRAGMENTS = ['<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '<!DOCTYPE', '<!doctype', '[', ']', '>', ' ', '\u00a0', 'x', '<description', '</description>', '<content:encoded', '</content:encoded>', '/'];

/** Every document of up to `length` fragments, then `count` longer ones picked by a fixed seed. */
function documents(length: number, count: number): string[] {
  let docs = [''];
  const all: string[] = [];
  for (let n = 0; n < length; n++) {
    docs = docs.flatMap((doc) => FRAGMENTS.map((f) => doc + f));
    all.push(...docs);
  }
  let seed = 42;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let i = 0; i < count; i++) all.push(Array.from({ length: 4 + random(9) }, () => FRAGMENTS[random(FRAGMENTS.length)]).join(''));
  return all;
}

const MB5 = 5_000_000;
/** About 5 MB of `fragment`, again and again. */
const fill = (fragment: string) => fragment.repeat(Math.ceil(MB5 / fragment.length));

describe('ForwardSearch', () => {
  it('answers what indexOf answers, for searches moving forward and back', () => {
    const text = 'a-->b-->c<!--d]]>';
    const search = new ForwardSearch(text);
    const froms = [...Array.from({ length: text.length + 2 }, (_, i) => i), 0, 5, 3, 12, 1];
    for (const from of froms) {
      for (const needle of ['-->', '<!--', ']]>', '?>']) expect([needle, from, search.indexOf(needle, from)]).toEqual([needle, from, text.indexOf(needle, from)]);
    }
  });
});

describe('replaceOutsideMarkup', () => {
  it.each([
    ['text only', 'a&b', '[a&b]'],
    ['a comment, a CDATA section and a PI', 'a<!--x-->b<![CDATA[y]]>c<?z?>d', '[a]<!--x-->[b]<![CDATA[y]]>[c]<?z?>[d]'],
    ['a comment that never ends (text, and so is what follows, up to markup that closes)', 'a<!-- b <?pi?> c', '[a<!-- b ]<?pi?>[ c]'],
    ['a comment closed only by "-->" inside its opener', 'a<!-->b', '[a<!-->b]'],
    ['a PI closed only by "?>" inside its opener', 'a<?>b', '[a<?>b]'],
    ['a trailing "<!-- x" after </rss>', '<rss>a</rss><!-- x', '[<rss>a</rss><!-- x]'],
    ['"<!--" inside a CDATA section', '<![CDATA[<!--]]>a-->', '[]<![CDATA[<!--]]>[a-->]'],
  ])('reads %s', (_name, text, expected) => {
    expect(replaceOutsideMarkup(text, bracket)).toBe(expected);
    expect(oracle.replaceOutsideMarkup(text, bracket)).toBe(expected);
  });

  it('agrees with the regex it replaces on every short document', () => {
    for (const doc of documents(3, 3000)) expect([doc, replaceOutsideMarkup(doc, bracket)]).toEqual([doc, oracle.replaceOutsideMarkup(doc, bracket)]);
  });

  it.each([
    ['"<!--" × 1.25 M', '<!--'],
    ['"<![CDATA[" × 555 K', '<![CDATA['],
    ['"<?" × 2.5 M', '<?'],
    ['"<!--<![CDATA[<?" × 333 K', '<!--<![CDATA[<?'],
  ])('reads 5 MB of %s, openers that never close, as one segment of text', (_name, fragment) => {
    const text = fill(fragment);
    expect(replaceOutsideMarkup(text, (segment) => `${segment.length}`)).toBe(`${text.length}`);
  });
});

describe('replaceElements', () => {
  const names = ['description', 'content:encoded'];

  it.each([
    ['an element', 'a<description>x</description>b', 'a{description|-|x|<description>x</description>}b'],
    ['attributes', '<description type="html">x</description>', '{description| type="html"|x|<description type="html">x</description>}'],
    ['the first end tag, not the matching one', '<description><description>x</description></description>', '{description|-|<description>x|<description><description>x</description>}</description>'],
    ['a start tag without end tag (left as it is)', '<description>x<content:encoded>y</content:encoded>', '<description>x{content:encoded|-|y|<content:encoded>y</content:encoded>}'],
    ['a start tag whose attributes run into the next one (the first ">" ends it)', '<description x<description>y</description>', '{description| x<description|y|<description x<description>y</description>}'],
    ['names that only begin with a name', '<descriptions>x</description><description/>', '<descriptions>x</description><description/>'],
  ])('reads %s', (_name, text, expected) => {
    expect(replaceElements(text, names, show)).toBe(expected);
    expect(oracle.replaceElements(text, names, show)).toBe(expected);
  });

  it('agrees with the regex it replaces on every short document', () => {
    for (const doc of documents(3, 3000)) expect([doc, replaceElements(doc, names, show)]).toEqual([doc, oracle.replaceElements(doc, names, show)]);
  });

  it.each([
    ['"<description>" × 385 K (no end tag)', '<description>'],
    ['"<description " × 385 K (no ">")', '<description '],
    ['"<content:encoded>x<description>" × 161 K', '<content:encoded>x<description>'],
  ])('leaves 5 MB of %s as it is', (_name, fragment) => {
    const text = fill(fragment);
    expect(replaceElements(text, names, show) === text).toBe(true);
  });
});

describe('prologEnd', () => {
  it.each([
    ['junk, comments, the XML declaration and a DOCTYPE', 'Warning: x\n<!-- a --> <?xml version="1.0"?>\n<!DOCTYPE rss [<!ELEMENT rss ANY>] >\n<rss>', '<rss>'],
    ['a DOCTYPE in lower case', '<!doctype rss><rss>', '<rss>'],
    ['a DOCTYPE whose subset holds "]" before its end', '<!DOCTYPE rss [ a] b ]\t>\n<rss>', '<rss>'],
    ['a comment that never ends', ' <!-- a <rss>', '<!-- a <rss>'],
    ['a DOCTYPE that never ends', '<!DOCTYPE rss [ <rss>', '<!DOCTYPE rss [ <rss>'],
    ['text without markup', '  hello', 'hello'],
  ])('skips %s', (_name, text, rest) => {
    expect(text.slice(prologEnd(text))).toBe(rest);
    expect(text.slice(oracle.prologEnd(text))).toBe(rest);
  });

  it('agrees with the regex it replaces on every short document', () => {
    for (const doc of documents(3, 3000)) expect([doc, prologEnd(doc)]).toEqual([doc, oracle.prologEnd(doc)]);
  });

  it.each([
    ['"<!DOCTYPE" and 5 M spaces', `<!DOCTYPE${' '.repeat(MB5)}`, 0],
    ['"<!DOCTYPE", 5 M spaces and "[" before the feed', `<!DOCTYPE${' '.repeat(MB5)}[<rss>`, 0],
    ['"<!DOCTYPE [" and "] " × 2.5 M', `<!DOCTYPE [${'] '.repeat(MB5 / 2)}`, 0],
    ['closed comments × 556 K', `${fill('<!--x-->\n')}<rss>`, Math.ceil(MB5 / 9) * 9],
  ])('reads a prolog of %s once', (_name, text, end) => {
    expect(prologEnd(text)).toBe(end);
  });
});

describe('repairStructure', () => {
  it.each([
    ['a well-formed document', '<rss><a>x</a><b/></rss>', { text: '<rss><a>x</a><b/></rss>', truncated: false, unclosed: 0, stray: 0 }],
    ['a stray end tag', '<rss></x><a></a></rss>', { text: '<rss><a></a></rss>', truncated: false, unclosed: 0, stray: 1 }],
    ['elements left open in their parent', '<a><br><i x="1"></a>', { text: '<a><br/><i x="1"/></a>', truncated: false, unclosed: 2, stray: 0 }],
    ['an end tag closing the innermost of two of its name', '<a><a><b></a></a>', { text: '<a><a><b/></a></a>', truncated: false, unclosed: 1, stray: 0 }],
    ['a document cut short', '<rss><channel><item></rss', { text: '<rss><channel><item></item></channel></rss>', truncated: true, unclosed: 0, stray: 0 }],
    ['"/" and dropped end tags out of order', '<p><u><i><b></i></x></p>', { text: '<p><u/><i><b/></i></p>', truncated: false, unclosed: 2, stray: 1 }],
  ])('repairs %s', (_name, text, expected) => {
    expect(repairStructure(text)).toEqual(expected);
  });

  it.each([
    ['a comment', '<rss><!-- x</rss>'],
    ['a CDATA section', '<rss><![CDATA[ x</rss>'],
    ['a declaration', '<rss><!DOCTYPE x'],
  ])('gives up on a document that ends inside %s', (_name, text) => {
    expect(repairStructure(text)).toBeNull();
  });

  // 5 MB each: the end-tag lookup used to read the whole stack of open elements, and each edit
  // copied the whole text, so each of these took minutes.
  it('drops 1.25 M stray end tags', () => {
    const repair = repairStructure(`<rss>${fill('</x>')}</rss>`);
    expect(repair).toEqual({ text: '<rss></rss>', truncated: false, unclosed: 0, stray: MB5 / 4 });
  });

  it('closes 1.25 M elements left open in their parent', () => {
    const repair = repairStructure(`<a>${fill('<br>')}</a>`)!;
    expect(repair.text === `<a>${'<br/>'.repeat(MB5 / 4)}</a>`).toBe(true);
    expect(repair).toMatchObject({ truncated: false, unclosed: MB5 / 4, stray: 0 });
  });

  it('drops 625 K stray end tags inside 625 K open elements, and closes those', () => {
    const repair = repairStructure(`${'<a>'.repeat(625_000)}${'</b>'.repeat(625_000)}`)!;
    expect(repair.text === `${'<a>'.repeat(625_000)}${'</a>'.repeat(625_000)}`).toBe(true);
    expect(repair).toMatchObject({ truncated: true, unclosed: 0, stray: 625_000 });
  });
});

/**
 * Small, careful repairs of XML text that a strict parser refuses. They work on the markup
 * structure only (tags, comments, CDATA sections), never on what an element means.
 *
 * Every pass reads the whole document, hostile input of up to FETCH_MAX_BODY_BYTES, on the thread
 * that also serves the API, so each must take time linear in its length. A lazy regex looking for a
 * closer that never comes (/<!--[\s\S]*?-->/ on "<!--" repeated) reads to the end from every
 * opener, which is quadratic: the scans below look closers up with indexOf through a ForwardSearch,
 * which asks each question at most once, and rebuild a text once rather than once per edit.
 */

/**
 * `text.indexOf(needle, from)` for a scan that moves forward, remembering each needle's last answer:
 * a needle first found at `at` from `from` is found there again from any point up to `at`, and one
 * absent after `from` is absent after any later point. So a closer that never comes is searched for
 * once, not once per opener, and while `from` only grows no character is read twice for one needle.
 */
export class ForwardSearch {
  private readonly last = new Map<string, { from: number; at: number }>();

  constructor(private readonly text: string) {}

  indexOf(needle: string, from: number): number {
    const last = this.last.get(needle);
    if (last && from >= last.from && (last.at < 0 || from <= last.at)) return last.at;
    const at = this.text.indexOf(needle, from);
    this.last.set(needle, { from, at });
    return at;
  }
}

/** Markup whose content is not markup: comments, CDATA sections and PIs (XML 1.0 §2.5, §2.7, §2.6). */
const PROTECTED: readonly (readonly [opener: string, closer: string])[] = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
];

/** The first of `needles` at or after `from`: its index and which one it is, or null when none is left. */
function nextOf<T extends string>(search: ForwardSearch, needles: readonly T[], from: number): { at: number; needle: T } | null {
  let next: { at: number; needle: T } | null = null;
  for (const needle of needles) {
    const at = search.indexOf(needle, from);
    if (at >= 0 && (next === null || at < next.at)) next = { at, needle };
  }
  return next;
}

/**
 * Applies `fix` to the text between markup that must not be touched (comments, CDATA, PIs). An
 * opener that never closes is text like any other (a trailing "<!-- x" after </rss> is left to the
 * parser, which reads past it), and so is what follows it, up to the next markup that does close.
 * The closer is looked for after the whole opener ("<!-->" does not close).
 */
export function replaceOutsideMarkup(text: string, fix: (segment: string) => string): string {
  const search = new ForwardSearch(text);
  const closerOf = new Map(PROTECTED);
  // Once a closer is missing after one opener it is missing after every later one: that kind of
  // markup is text from there on, and its openers are no longer looked for.
  const openers = PROTECTED.map(([opener]) => opener);
  let out = '';
  let last = 0;
  for (let next = nextOf(search, openers, 0); next; ) {
    const closer = closerOf.get(next.needle)!;
    const close = search.indexOf(closer, next.at + next.needle.length);
    if (close < 0) {
      openers.splice(openers.indexOf(next.needle), 1);
      next = nextOf(search, openers, next.at + 1);
      continue;
    }
    const end = close + closer.length;
    out += fix(text.slice(last, next.at)) + text.slice(next.at, end);
    last = end;
    next = nextOf(search, openers, end);
  }
  return out + fix(text.slice(last));
}

/**
 * Replaces each element named in `names` together with its content up to the first end tag of the
 * same name (`<name attributes>inner</name>`, not nested: the way a regex reads it, and the way
 * rss-parser needs unescaped HTML inside one handled), with what `replace` returns. An element with
 * no end tag, or a start tag with no ">", is left as it is; the scan goes on from just after its "<".
 * Elements inside comments and CDATA sections are found too.
 */
export function replaceElements(
  text: string,
  names: readonly string[],
  replace: (name: string, attributes: string | undefined, inner: string, whole: string) => string,
): string {
  const search = new ForwardSearch(text);
  // A start tag that finds no ">" after it, or no end tag after its ">", means no later start tag
  // of that name will: the name is no longer looked for.
  let looking = [...names];
  let starts = looking.map((name) => `<${name}`);
  let out = '';
  let last = 0;
  for (let next = nextOf(search, starts, 0); next; ) {
    const at = next.at;
    let element: Element | null = null;
    // In the order given, as a regex alternation tries them (one name may begin another).
    for (const name of looking) {
      const found = text.startsWith(name, at + 1) ? elementAt(text, at, name, search) : null;
      if (found === 'unclosed') {
        looking = looking.filter((n) => n !== name);
        starts = looking.map((n) => `<${n}`);
      } else if (found) {
        element = found;
        break;
      }
    }
    if (!element) {
      next = nextOf(search, starts, at + 1);
      continue;
    }
    out += text.slice(last, at) + replace(element.name, element.attributes, element.inner, text.slice(at, element.end));
    last = element.end;
    next = nextOf(search, starts, element.end);
  }
  return out + text.slice(last);
}

interface Element {
  name: string;
  attributes: string | undefined;
  inner: string;
  /** The index after its end tag. */
  end: number;
}

/**
 * The element `name` whose start tag opens at `at` (`<name>`, or `<name`, white space, attributes
 * and `>`), up to its first end tag; null when no such start tag is there, 'unclosed' when it or the
 * element never ends.
 */
function elementAt(text: string, at: number, name: string, search: ForwardSearch): Element | 'unclosed' | null {
  let tagEnd = at + 1 + name.length;
  let attributes: string | undefined;
  if (text[tagEnd] !== '>') {
    if (!/\s/.test(text[tagEnd] ?? '')) return null; // <descriptions>, <description/>
    const gt = search.indexOf('>', tagEnd);
    if (gt < 0) return 'unclosed';
    attributes = text.slice(tagEnd, gt);
    tagEnd = gt;
  }
  const endTag = `</${name}>`;
  const close = search.indexOf(endTag, tagEnd + 1);
  if (close < 0) return 'unclosed';
  return { name, attributes, inner: text.slice(tagEnd + 1, close), end: close + endTag.length };
}

const SPACE = /\s*/y;
const DOCTYPE = /<!DOCTYPE/iy;
const DOCTYPE_NAME_AND_ID = /[^[>]*/y;

/** The index after the white space (JavaScript's \s) at `at`. */
function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.test(text);
  return SPACE.lastIndex;
}

/**
 * Where the document element starts, past what may precede it: junk before the first "<", white
 * space, comments, PIs (the XML declaration) and a DOCTYPE, in any order. Junk between them, or one
 * that never ends, stops the scan there. Each part is read once (a DOCTYPE of a million spaces and no
 * ">" is read to the end once, not once per space).
 */
export function prologEnd(text: string): number {
  let at = Math.max(text.indexOf('<'), 0);
  for (;;) {
    const start = skipSpace(text, at);
    const end = prologPartEnd(text, start);
    if (end < 0) return start;
    at = end;
  }
}

/** The index after the comment, PI or DOCTYPE at `at`; -1 when none is there or it never ends. */
function prologPartEnd(text: string, at: number): number {
  for (const [opener, closer] of [PROTECTED[0], PROTECTED[2]]) {
    if (!text.startsWith(opener, at)) continue;
    const close = text.indexOf(closer, at + opener.length);
    return close < 0 ? -1 : close + closer.length;
  }
  DOCTYPE.lastIndex = at;
  if (!DOCTYPE.test(text)) return -1;
  return doctypeEnd(text, DOCTYPE.lastIndex);
}

/**
 * From just after "<!DOCTYPE", the index after the DOCTYPE: its name and external ID run to the
 * first "[" or ">" (quoted literals are not skipped: a "[" or ">" inside one ends them, as it did
 * before), an internal subset to the first "]" followed by white space and ">". -1 when it never ends.
 */
function doctypeEnd(text: string, at: number): number {
  DOCTYPE_NAME_AND_ID.lastIndex = at;
  DOCTYPE_NAME_AND_ID.test(text);
  at = DOCTYPE_NAME_AND_ID.lastIndex;
  if (text[at] === '>') return at + 1;
  if (text[at] !== '[') return -1;
  for (let close = text.indexOf(']', at + 1); close >= 0; close = text.indexOf(']', close + 1)) {
    const after = skipSpace(text, close + 1);
    if (text[after] === '>') return after + 1;
  }
  return -1;
}

export interface StructureRepair {
  text: string;
  /** End tags were appended: the document was cut short. */
  truncated: boolean;
  /** Elements left open inside their parent were closed where they opened (`<br>` → `<br/>`). */
  unclosed: number;
  /** End tags that closed nothing were dropped. */
  stray: number;
}

/**
 * Repairs the element structure the way forgiving feed readers do:
 * - an element still open when its parent closes is treated as empty: it is closed where it opened
 *   (`<description>a<br>b</description>`, or an `<itunes:category>` never closed);
 * - an end tag that matches no open element is dropped;
 * - a document cut short loses its unfinished last tag ("</rss" without ">") and gets end tags for
 *   the elements still open.
 * Returns null when the text ends inside a comment, CDATA section or declaration: closing those
 * would mean guessing content.
 */
export function repairStructure(text: string): StructureRepair | null {
  const open: { name: string; tagEnd: number }[] = [];
  /** Where in `open` each name is, innermost last: an end tag finds its element without reading the whole stack. */
  const openAt = new Map<string, number[]>();
  const selfClose: number[] = [];
  const drop: [number, number][] = [];
  const token = /<!--|<!\[CDATA\[|<\?|<!|<(\/?)([A-Za-z_][\w:.-]*)(?:\s[^<>]*?)?(\/?)>/g;
  let end = text.length;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    const [whole, slash, name, selfClosing] = m;
    if (name === undefined) {
      const closer = whole === '<!--' ? '-->' : whole === '<![CDATA[' ? ']]>' : whole === '<?' ? '?>' : '>';
      const close = text.indexOf(closer, m.index + whole.length);
      if (close < 0) return null;
      token.lastIndex = close + closer.length;
      continue;
    }
    if (selfClosing) continue;
    if (!slash) {
      let positions = openAt.get(name);
      if (!positions) openAt.set(name, (positions = []));
      positions.push(open.length);
      open.push({ name, tagEnd: m.index + whole.length - 1 });
      continue;
    }
    const positions = openAt.get(name);
    const at = positions?.length ? positions[positions.length - 1] : -1;
    if (at < 0) {
      drop.push([m.index, m.index + whole.length]);
      continue;
    }
    // Each element is pushed and spliced off once: closing costs what was opened, not the stack's depth.
    for (const inner of open.splice(at)) {
      openAt.get(inner.name)!.pop();
      if (inner.name !== name) selfClose.push(inner.tagEnd);
    }
  }
  let body = text.slice(0, end);
  // An unfinished tag at the very end ("</rss", "<item attr=").
  const partial = /<[^<>]*$/.exec(body);
  if (partial) {
    if (partial[0].startsWith('<!')) return null;
    body = body.slice(0, partial.index);
    end = partial.index;
  }
  // The edits never overlap (a "/" goes before the ">" of a start tag, a dropped end tag goes whole):
  // the text is rebuilt once, in order, rather than copied once per edit. The dropped end tags are
  // in order already; the "/"s are sorted as numbers.
  const slashes = Float64Array.from(selfClose.filter((at) => at < end)).sort();
  const dropped = drop.filter(([from]) => from < end);
  const pieces: string[] = [];
  let from = 0;
  for (let s = 0, d = 0; s < slashes.length || d < dropped.length; ) {
    if (d === dropped.length || (s < slashes.length && slashes[s] < dropped[d][0])) {
      pieces.push(body.slice(from, slashes[s]), '/');
      from = slashes[s++];
    } else {
      pieces.push(body.slice(from, dropped[d][0]));
      from = dropped[d++][1];
    }
  }
  pieces.push(body.slice(from));
  body = pieces.join('');
  const closers = open.filter((e) => e.tagEnd < end).reverse().map((e) => `</${e.name}>`).join('');
  return { text: body + closers, truncated: closers.length > 0 || partial !== null, unclosed: selfClose.length, stray: drop.length };
}

/**
 * Small, careful repairs of XML text that a strict parser refuses. They work on the markup
 * structure only (tags, comments, CDATA sections), never on what an element means.
 */

/** Applies `fix` to the text between markup that must not be touched (comments, CDATA, PIs). */
export function replaceOutsideMarkup(text: string, fix: (segment: string) => string): string {
  const protectedMarkup = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g;
  let out = '';
  let last = 0;
  for (let m = protectedMarkup.exec(text); m; m = protectedMarkup.exec(text)) {
    out += fix(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + fix(text.slice(last));
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
      open.push({ name, tagEnd: m.index + whole.length - 1 });
      continue;
    }
    const at = open.map((e) => e.name).lastIndexOf(name);
    if (at < 0) {
      drop.push([m.index, m.index + whole.length]);
      continue;
    }
    for (const inner of open.splice(at)) if (inner.name !== name) selfClose.push(inner.tagEnd);
  }
  let body = text.slice(0, end);
  // An unfinished tag at the very end ("</rss", "<item attr=").
  const partial = /<[^<>]*$/.exec(body);
  if (partial) {
    if (partial[0].startsWith('<!')) return null;
    body = body.slice(0, partial.index);
    end = partial.index;
  }
  const edits: { at: number; remove: number; insert: string }[] = [
    ...selfClose.filter((at) => at < end).map((at) => ({ at, remove: 0, insert: '/' })),
    ...drop.filter(([from]) => from < end).map(([from, to]) => ({ at: from, remove: to - from, insert: '' })),
  ].sort((x, y) => y.at - x.at);
  for (const edit of edits) body = body.slice(0, edit.at) + edit.insert + body.slice(edit.at + edit.remove);
  const closers = open.filter((e) => e.tagEnd < end).reverse().map((e) => `</${e.name}>`).join('');
  return { text: body + closers, truncated: closers.length > 0 || partial !== null, unclosed: selfClose.length, stray: drop.length };
}

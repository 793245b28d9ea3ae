import { isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';

export type EncodingSource = 'bom' | 'http' | 'xml' | 'detected' | 'default';

export interface Decoded {
  text: string;
  /** The encoding the bytes were read as. */
  encoding: string;
  /** What decided it. When a declaration was contradicted by the bytes, `detected`. */
  source: EncodingSource;
}

/**
 * Labels that name windows-1252 in practice: the WHATWG Encoding Standard maps "iso-8859-1",
 * "latin1" and "us-ascii" to windows-1252, because servers that say Latin-1 send its superset.
 */
const WINDOWS_1252_LABELS = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii', 'iso_8859-1', 'cp819', 'windows-1252', 'cp1252']);
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

function normalizeLabel(label: string | null | undefined): string | null {
  if (!label) return null;
  const lower = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (UTF8_LABELS.has(lower)) return 'utf-8';
  if (WINDOWS_1252_LABELS.has(lower)) return 'windows-1252';
  return iconv.encodingExists(lower) ? lower : null;
}

function charsetOfContentType(contentType: string | null): string | null {
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return match ? match[2] : null;
}

function charsetOfProlog(bytes: Buffer): string | null {
  // The prolog is ASCII in every ASCII-compatible encoding; comments may precede it in sloppy feeds.
  const head = bytes.subarray(0, 1024).toString('latin1');
  const match = /^\s*(?:<!--[\s\S]*?-->\s*)*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return match ? match[1] : null;
}

function byteOrderMark(bytes: Buffer): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  // UTF-16 without a BOM: ASCII characters ("<", whitespace) paired with zero bytes (XML 1.0 appendix F).
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return 'utf-16le';
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0) return 'utf-16be';
  return null;
}

const isUnicode = (encoding: string) => encoding === 'utf-8' || encoding.startsWith('utf-16') || encoding.startsWith('utf-32');
const hasNonAscii = (bytes: Buffer) => bytes.some((b) => b >= 0x80);

/**
 * Bytes to text, honoring in order a byte-order mark, the HTTP charset and the XML prolog, and
 * checking the choice against the bytes:
 * - valid UTF-8 is read as UTF-8 when it has non-ASCII bytes, whatever the declaration (valid,
 *   non-ASCII UTF-8 under a legacy label is a lying prolog or header, which is common; the other
 *   way round, legacy text is almost never valid UTF-8);
 * - bytes that are not valid UTF-8 are read as the candidate encoding whose text is the most
 *   plausible (see `chooseEncoding`): the declared ones, chardet's candidates, the common legacy
 *   encodings and UTF-8 itself. A declaration wins unless the bytes clearly contradict it.
 */
export function decodeFeed(bytes: Buffer, contentType: string | null): Decoded {
  const bom = byteOrderMark(bytes);
  if (bom) return finish(bytes, bom, 'bom');

  // A declared UTF-16 without a BOM or zero bytes is a copy-paste prolog over 8-bit text: ignored.
  const usable = (label: string | null) => (label && !label.startsWith('utf-16') && !label.startsWith('utf-32') ? label : null);
  const http = usable(normalizeLabel(charsetOfContentType(contentType)));
  const xml = usable(normalizeLabel(charsetOfProlog(bytes)));
  const declared = http ?? xml;
  const sourceOf = (encoding: string): EncodingSource => (encoding === http ? 'http' : encoding === xml ? 'xml' : 'detected');

  if (isUtf8(bytes)) {
    if (declared === null) return finish(bytes, 'utf-8', 'default');
    if (declared === 'utf-8') return finish(bytes, 'utf-8', sourceOf('utf-8'));
    if (hasNonAscii(bytes)) return finish(bytes, 'utf-8', 'detected');
    return finish(bytes, declared, sourceOf(declared));
  }
  const encoding = chooseEncoding(bytes, [http, xml].filter((label): label is string => label !== null));
  return finish(bytes, encoding, sourceOf(encoding));
}

/** How much a declaration (HTTP header or XML prolog) adds to the plausibility of its encoding. */
const DECLARED_BONUS = 0.25;
/** How much chardet's confidence (0 to 100) adds, divided by 100: a tie-breaker between equally plausible texts. */
const CHARDET_WEIGHT = 0.1;
/**
 * Candidates whatever chardet says (its statistics need more text than a short feed has: it does not
 * list windows-1251 for "Фонд"): the legacy encodings the HTML Standard suggests as defaults for the
 * world's locales (its table in "Determining the character encoding"), and KOI8-R, the other common
 * Russian one. windows-1252 first: the fallback for undeclared Western text.
 */
const LEGACY_DEFAULTS = [
  'windows-1252', 'windows-1250', 'windows-1251', 'koi8-r', 'windows-1253', 'windows-1254', 'windows-1255',
  'windows-1256', 'windows-1257', 'windows-1258', 'windows-874', 'gb18030', 'big5', 'shift_jis', 'euc-kr',
];
/** The evidence is read from at most this many bytes (see `evidenceSample`): enough words, bounded work. */
const SAMPLE_BYTES = 32_768;

/**
 * The encoding of bytes that are not valid UTF-8, decided with all the evidence. Each candidate (the
 * declared encodings, in order; chardet's ranked candidates; LEGACY_DEFAULTS; UTF-8 with replacement
 * characters) decodes a sample, and
 *
 *   score = plausibility of the text (-1 to 1, see `plausibility`)
 *         + 0.25 when the encoding was declared
 *         + 0.1 × chardet's confidence / 100.
 *
 * The highest score wins, the earlier candidate on a tie. So a declaration stands unless the text it
 * gives is clearly worse than another's (a windows-1251 feed declared UTF-8 or ISO-8859-1), and chardet
 * only decides between texts that look equally right (ISO-8859-1 or ISO-8859-2 for "señor": its
 * language models know better there, while for short texts its first guess is ISO-8859-1 for almost
 * any bytes, which is how "Привет мир" became "Ïðèâåò ìèð").
 */
function chooseEncoding(bytes: Buffer, declared: string[]): string {
  const sample = evidenceSample(bytes);
  const ranked = chardet
    .analyse(sample)
    .filter((match) => match.confidence > 0)
    .map((match) => ({ encoding: normalizeLabel(match.name), confidence: match.confidence }));
  const candidates = new Map<string, number>();
  const add = (encoding: string | null, bonus: number) => {
    // Only ASCII-compatible encodings: the markup around the text is ASCII (UTF-16 was ruled out before).
    if (encoding && (encoding === 'utf-8' || !isUnicode(encoding)) && !candidates.has(encoding)) candidates.set(encoding, bonus);
  };
  for (const label of declared) add(label, DECLARED_BONUS);
  for (const { encoding, confidence } of ranked) add(encoding, (CHARDET_WEIGHT * confidence) / 100);
  for (const encoding of LEGACY_DEFAULTS) add(encoding, 0);
  add('utf-8', 0);
  let best = { encoding: 'windows-1252', score: -Infinity };
  for (const [encoding, bonus] of candidates) {
    const score = plausibility(iconv.decode(sample, encoding), encoding) + bonus;
    if (score > best.score) best = { encoding, score };
  }
  return best.encoding;
}

/**
 * Up to SAMPLE_BYTES of the document: from its start when its first non-ASCII byte is near enough,
 * else from that byte (the ASCII before it is the same text in every candidate). The ends are moved
 * to whitespace or "<"/">": those bytes are never inside a character in UTF-8 or the legacy
 * encodings (their trail bytes are 0x40 and up, GB18030's four-byte digits 0x30–0x39), so no
 * candidate sees a character cut in two.
 */
function evidenceSample(bytes: Buffer): Buffer {
  const boundary = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x3c || b === 0x3e;
  const first = bytes.findIndex((b) => b >= 0x80);
  let start = first < SAMPLE_BYTES / 2 ? 0 : first;
  while (start > 0 && !boundary(bytes[start - 1])) start--;
  let end = Math.min(bytes.length, start + SAMPLE_BYTES);
  if (end < bytes.length) {
    let cut = end;
    while (cut > start && !boundary(bytes[cut])) cut--;
    if (cut > start) end = cut;
  }
  return bytes.subarray(start, end);
}

/**
 * Separates words: ASCII whitespace, digits and punctuation, Unicode spaces, the general punctuation
 * block (dashes, quotation marks, ellipsis), guillemets, and CJK and full-width punctuation.
 */
const WORD = /[^\x00-\x40\x5b-\x60\x7b-\x7f\s\p{Z}\u2010-\u205e\u00ab\u00bb\u3000-\u303f\uff01-\uff20\uff3b-\uff40\uff5b-\uff65]+/gu;
const LETTER = /^\p{L}$/u;
const UPPER = /^\p{Lu}$/u;
const LOWER = /^\p{Ll}$/u;
/** Neutral inside a word: format characters (soft hyphen, ZWNJ), decimal digits, the combining marks of every script. */
const NEUTRAL = /^[\p{Cf}\p{Nd}\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]$/u;
/** The other combining marks belong to one script (Hebrew points, Arabic harakat, Thai vowel signs). */
const MARK = /^\p{M}$/u;
/** Never in text: control characters, private use, unassigned code points, U+FFFD (an undecodable byte). */
const IMPOSSIBLE = /^[\p{Cc}\p{Co}\p{Cn}\p{Cs}\ufffd]$/u;
/** Signs that do sit between letters ("l’été", "l·l"). */
const INNER_SIGNS = new Set(['\u2019', '\u02bc', '\u00b7']);
/** Signs that do start a word ("¿Qué", "¡Hola", "20 °C"). */
const LEADING_SIGNS = new Set(['\u00bf', '\u00a1', '\u00b0']);

/**
 * How plausible a candidate decoding is, from -1 (every non-ASCII character sits in an implausible
 * word) to 1 (all in plausible ones); words are weighted by their non-ASCII characters, and words of
 * one letter or none ("à", "€") are left out unless implausible. A word is implausible when it has
 * - a character that never occurs in text (a control character, private use, U+FFFD);
 * - letters of two scripts (Latin and Cyrillic, Han and Hangul; Han and kana count as one script),
 *   or a script's own combining mark after a letter of another ("cafֳ©", UTF-8 read as windows-1255);
 * - a sign between letters ("Ð€Ñ", "Ч" read in ISO-8859-5 as "№") or before one ("¶wiecie", ISO-8859-2
 *   read as windows-1252; "¿Qué" and "°C" are fine), or two different signs in a row ("â€™", UTF-8
 *   read as windows-1252);
 * - a lower-case letter followed by a capital, one of them non-ASCII ("оПЧПУФЙ", KOI8-R read as
 *   windows-1251, which swaps the cases);
 * - three or more Latin letters, all of them accented ("Ïðèâåò": Cyrillic, Greek or Hebrew bytes read
 *   as Latin-1, where no letter is ASCII; real words such as "été", "ação" or "Zażółć" have one);
 * - half-width katakana, or a Han character outside the first, frequent level of the candidate's own
 *   character set (GB2312, Big5, JIS X 0208; Hanja in EUC-KR): these are what a multi-byte
 *   encoding makes of bytes that are not its own (any two bytes from 0x81 are a GB18030 character).
 */
export function plausibility(text: string, encoding: string): number {
  const common = commonHan(encoding);
  let good = 0;
  let bad = 0;
  for (const [word] of text.matchAll(WORD)) {
    let weight = 0;
    for (const char of word) if (char.charCodeAt(0) >= 0x80) weight++;
    if (weight === 0) continue;
    const verdict = judgeWord(word, common);
    if (verdict === 'plausible') good += weight;
    else if (verdict === 'implausible') bad += weight;
  }
  return good + bad === 0 ? 0 : (good - bad) / (good + bad);
}

function judgeWord(word: string, common: Set<string> | null): 'plausible' | 'implausible' | 'no evidence' {
  let script: string | null = null;
  let letters = 0;
  let accented = 0;
  let previous: 'letter' | 'sign' | null = null;
  let previousChar = '';
  let signAfterLetter = false;
  for (const char of word) {
    if (NEUTRAL.test(char)) continue;
    if (IMPOSSIBLE.test(char)) return 'implausible';
    const cp = char.codePointAt(0)!;
    if (MARK.test(char)) {
      // A mark of one script must follow a letter of that script: "cafֳ©" is UTF-8 read as windows-1255.
      if (previous !== 'letter' || (script !== null && groupOf(scriptOf(cp)) !== script)) return 'implausible';
      continue;
    }
    if (!LETTER.test(char)) {
      if (previous === 'sign' && char !== previousChar) return 'implausible';
      if (previous === 'letter' && !INNER_SIGNS.has(char)) signAfterLetter = true;
      previous = 'sign';
      previousChar = char;
      continue;
    }
    if (signAfterLetter || (previous === 'sign' && !LEADING_SIGNS.has(previousChar) && !INNER_SIGNS.has(previousChar))) return 'implausible';
    const s = scriptOf(cp);
    if (s === 'halfwidth-kana') return 'implausible';
    if (common && s === 'han' && !common.has(char)) return 'implausible';
    const group = groupOf(s);
    if (script !== null && group !== script) return 'implausible';
    script = group;
    const flips = previous === 'letter' && LOWER.test(previousChar) && UPPER.test(char);
    if (flips && (cp >= 0x80 || previousChar.charCodeAt(0) >= 0x80)) return 'implausible';
    letters++;
    if (cp >= 0x80) accented++;
    previous = 'letter';
    previousChar = char;
  }
  if (script === 'latin' && letters >= 3 && accented === letters) return 'implausible';
  // One letter ("à", "и", "Œ") or none ("€") says little about the encoding.
  return letters < 2 ? 'no evidence' : 'plausible';
}

/** Han and kana are written together: one script, as far as words go. */
const groupOf = (script: string) => (script === 'han' || script === 'kana' ? 'cjk' : script);

/** The script of a letter, coarsely: enough to see two scripts in one word. */
function scriptOf(cp: number): string {
  if (cp < 0x370 || (cp >= 0x1e00 && cp < 0x1f00)) return 'latin';
  if (cp < 0x400 || (cp >= 0x1f00 && cp < 0x2000)) return 'greek';
  if (cp < 0x530) return 'cyrillic';
  if ((cp >= 0x590 && cp < 0x600) || (cp >= 0xfb1d && cp < 0xfb50)) return 'hebrew';
  if ((cp >= 0x600 && cp < 0x780) || (cp >= 0xfb50 && cp < 0xfe00) || (cp >= 0xfe70 && cp < 0xff00)) return 'arabic';
  if (cp >= 0xff61 && cp < 0xffa0) return 'halfwidth-kana';
  if ((cp >= 0x3040 && cp < 0x3100) || (cp >= 0x31f0 && cp < 0x3200)) return 'kana';
  if ((cp >= 0x3400 && cp < 0xa000) || (cp >= 0xf900 && cp < 0xfb00) || cp >= 0x20000) return 'han';
  if ((cp >= 0xac00 && cp < 0xd7b0) || (cp >= 0x1100 && cp < 0x1200) || (cp >= 0x3130 && cp < 0x3190)) return 'hangul';
  // Full-width Latin letters belong to CJK typography.
  if (cp >= 0xff21 && cp < 0xff5b) return 'kana';
  return `block-${cp >> 7}`;
}

type HanFamily = 'gb' | 'big5' | 'sjis' | 'eucjp' | 'euckr';

function hanFamily(encoding: string): HanFamily | null {
  if (/^(gb|cp936|euc-?cn|x-gbk|csgb|chinese)/.test(encoding)) return 'gb';
  if (/^(big5|cp950|csbig5)/.test(encoding)) return 'big5';
  if (/^(shift|sjis|s-jis|cp932|windows-31j|ms_kanji|csshiftjis|x-sjis)/.test(encoding)) return 'sjis';
  if (/^(euc-?jp|cseucpkdfmtjapanese|x-euc-jp)/.test(encoding)) return 'eucjp';
  if (/^(euc-?kr|cp949|ks_c_5601|windows-949|uhc|cseuckr)/.test(encoding)) return 'euckr';
  return null;
}

/**
 * The first level of each CJK character set: the frequent characters, in the byte ranges its standard
 * gives them (GB2312 level 1: 3,755 hanzi; Big5 frequent: 5,401; JIS X 0208 level 1: 2,965 kanji).
 * Modern Korean text seldom uses Hanja, so for EUC-KR no Han character is frequent.
 */
const FIRST_LEVELS: Record<HanFamily, { encoding: string; leads: [number, number]; trails: [number, number][] } | null> = {
  gb: { encoding: 'gb18030', leads: [0xb0, 0xd7], trails: [[0xa1, 0xfe]] },
  big5: { encoding: 'big5', leads: [0xa4, 0xc6], trails: [[0x40, 0x7e], [0xa1, 0xfe]] },
  sjis: { encoding: 'shift_jis', leads: [0x88, 0x98], trails: [[0x40, 0x7e], [0x80, 0xfc]] },
  eucjp: { encoding: 'euc-jp', leads: [0xb0, 0xcf], trails: [[0xa1, 0xfe]] },
  euckr: null,
};
const commonHanSets = new Map<HanFamily, Set<string>>();

/** The frequent Han characters of a multi-byte candidate, null for encodings without Han characters. */
function commonHan(encoding: string): Set<string> | null {
  const family = hanFamily(encoding);
  if (!family) return null;
  let set = commonHanSets.get(family);
  if (!set) {
    set = new Set();
    const level = FIRST_LEVELS[family];
    if (level) {
      const pairs: number[] = [];
      for (let lead = level.leads[0]; lead <= level.leads[1]; lead++) {
        for (const [from, to] of level.trails) for (let trail = from; trail <= to; trail++) pairs.push(lead, trail);
      }
      for (const char of iconv.decode(Buffer.from(pairs), level.encoding)) if (char !== '\ufffd') set.add(char);
    }
    commonHanSets.set(family, set);
  }
  return set;
}

let c1Map: Map<string, string> | null = null;

/**
 * C1 control characters (U+0080–U+009F) never belong in text; in feeds they are windows-1252 bytes
 * that were taken for Latin-1 code points on the way ("demoronizing"): map them back.
 */
function repairC1(text: string): string {
  if (!/[\u0080-\u009f]/.test(text)) return text;
  if (!c1Map) {
    c1Map = new Map();
    for (let code = 0x80; code <= 0x9f; code++) {
      const char = iconv.decode(Buffer.from([code]), 'windows-1252');
      if (char !== '\ufffd' && char.charCodeAt(0) !== code) c1Map.set(String.fromCharCode(code), char);
    }
  }
  return text.replace(/[\u0080-\u009f]/g, (c) => c1Map!.get(c) ?? '');
}

function finish(bytes: Buffer, encoding: string, source: EncodingSource): Decoded {
  const text = iconv.decode(bytes, encoding, { stripBOM: true });
  return { text: repairC1(text), encoding, source };
}

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

const isSingleByte = (encoding: string) => encoding !== 'utf-8' && !encoding.startsWith('utf-16') && !encoding.startsWith('utf-32');
const hasNonAscii = (bytes: Buffer) => bytes.some((b) => b >= 0x80);

/** The most likely legacy encoding of bytes that are not UTF-8, windows-1252 when unsure. */
function detectLegacy(bytes: Buffer): string {
  const [best] = chardet.analyse(bytes);
  const label = best && best.confidence >= 10 ? normalizeLabel(best.name) : null;
  return label && isSingleByte(label) ? label : 'windows-1252';
}

/** Mostly UTF-8 with a few broken bytes (it has valid multi-byte sequences): keep UTF-8, replace the bytes. */
function mostlyUtf8(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  return /[^\x00-\x7f\ufffd]/.test(text);
}

/**
 * Bytes to text, honoring in order a byte-order mark, the HTTP charset and the XML prolog, and
 * checking the choice against the bytes: a document declared UTF-8 (or undeclared) that is not
 * valid UTF-8 is read as the legacy encoding it most likely is, and one declared as a single-byte
 * encoding whose bytes are valid, non-ASCII UTF-8 is read as UTF-8 (a lying prolog is common).
 */
export function decodeFeed(bytes: Buffer, contentType: string | null): Decoded {
  const bom = byteOrderMark(bytes);
  if (bom) return finish(bytes, bom, 'bom');

  const http = normalizeLabel(charsetOfContentType(contentType));
  const xml = normalizeLabel(charsetOfProlog(bytes));
  // A declared UTF-16 without a BOM or zero bytes is a copy-paste prolog over 8-bit text.
  const declared = [http, xml].find((label) => label && !label.startsWith('utf-16') && !label.startsWith('utf-32')) ?? null;
  const source: EncodingSource = declared === http && http ? 'http' : declared ? 'xml' : 'default';

  const validUtf8 = isUtf8(bytes);
  if (declared === null || declared === 'utf-8') {
    if (validUtf8) return finish(bytes, 'utf-8', declared ? source : 'default');
    // Declared UTF-8 or nothing, but not UTF-8: trust a legacy prolog behind a wrong header; keep a
    // declared UTF-8 that is only partly broken (as browsers do); else guess the legacy encoding.
    if (xml && isSingleByte(xml)) return finish(bytes, xml, 'xml');
    if (declared === 'utf-8' && mostlyUtf8(bytes)) return finish(bytes, 'utf-8', source);
    return finish(bytes, detectLegacy(bytes), 'detected');
  }
  if (isSingleByte(declared) && validUtf8 && hasNonAscii(bytes)) return finish(bytes, 'utf-8', 'detected');
  return finish(bytes, declared, source);
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

import type http from 'node:http';
import type { Logger } from '../log';

/**
 * The response cache in front of Apollo: a repeated GET or POST of the same operation, while the
 * articles are unchanged, is answered with the bytes Apollo gave the first time (status, headers,
 * body), without parsing, guarding or executing anything.
 *
 * What is stored: 200 responses that Apollo itself marked `Cache-Control: max-age=N, public` with
 * N > 0 (ApolloServerPluginCacheControl, which only says so for a single result without errors),
 * for N seconds (RFC 9111 §5.2.2.1). A hit adds `Age` (RFC 9111 §5.1), so that a cache downstream
 * does not keep it fresh for N more seconds, and `x-cache: HIT`.
 *
 * The key is the request as Apollo reads it, raw: the method, the URL's query string (GET) or the
 * body's text (POST), and the request headers Apollo's answer depends on (`accept` chooses the
 * response's content type; `content-type` and the preflight headers decide its CSRF check). Two
 * requests with the same key get the same answer from Apollo for the same data; requests that only
 * differ in spelling (whitespace, parameter order) are different keys, which costs a miss, never a
 * wrong answer.
 *
 * Invalidation: every entry carries the articles' version it was computed from (read just before
 * executing), and is reachable only while that is still the current version (`ArticlesVersion`).
 */

/** One stored answer: what Apollo sent, ready to write again. */
interface Entry {
  status: number;
  /** Header names and values, alternating, as `writeHead` takes them (content-length included). */
  headers: string[];
  body: Buffer;
  /** The articles' version the answer was computed from. */
  version: number;
  storedAt: number;
  expiresAt: number;
  /** What it holds in memory, roughly: key and body bytes, headers. */
  bytes: number;
}

export interface ResponseCacheOptions {
  /** Entries kept at most; the least recently used goes first. */
  maxEntries?: number;
  /** Bytes of keys and bodies kept at most. */
  maxBytes?: number;
  /** An answer (with its key) larger than this is not kept. */
  maxEntryBytes?: number;
  now?: () => number;
}

/** The headers a request must have for its answer to be found again, as part of the key. */
function headerPart(req: http.IncomingMessage): string {
  const h = req.headers;
  // Apollo's CSRF prevention passes a request with one of these non-empty (or a non-simple content type).
  const preflight = h['apollo-require-preflight'] || h['x-apollo-operation-name'] ? '1' : '0';
  return `${h.accept ?? ''}\n${h['content-type'] ?? ''}\n${preflight}\n`;
}

/** A POST body the front parses as JSON (the same test as server.ts) and that is one object, not a batch. */
const JSON_CONTENT_TYPE = /^application\/(graphql-response\+)?json\b/i;

function isJsonObjectText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // JSON whitespace (RFC 8259 §2) before the value.
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b; // {
  }
  return false;
}

/** `max-age=N, public` with N > 0, as Apollo's cache-control plugin writes it; otherwise 0. */
export function publicMaxAge(cacheControl: string | undefined): number {
  if (!cacheControl) return 0;
  let maxAge = 0;
  let isPublic = false;
  for (const part of cacheControl.split(',')) {
    const directive = part.trim().toLowerCase();
    if (directive === 'public') isPublic = true;
    else if (directive.startsWith('max-age=')) maxAge = Number(directive.slice(8));
    // Anything else (private, no-store, no-cache, s-maxage, ...): not ours to interpret; keep nothing.
    else return 0;
  }
  return isPublic && Number.isInteger(maxAge) && maxAge > 0 ? maxAge : 0;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly now: () => number;

  constructor(options: ResponseCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntryBytes = options.maxEntryBytes ?? Math.min(2 * 1024 * 1024, this.maxBytes);
    this.now = options.now ?? Date.now;
  }

  /**
   * The key of a request whose answer may be stored, or null when it may not (a method other than
   * GET and POST, a POST body that is not one JSON object).
   */
  keyOf(req: http.IncomingMessage, search: string, body: string): string | null {
    if (req.method === 'GET') return `G\n${headerPart(req)}${search}`;
    if (req.method !== 'POST') return null;
    if (!JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? '') || !isJsonObjectText(body)) return null;
    return `P\n${headerPart(req)}${body}`;
  }

  /** Writes the stored answer for the key at this articles' version; false when there is none. */
  serve(key: string, version: number, res: http.ServerResponse): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    const now = this.now();
    if (entry.version !== version || now >= entry.expiresAt) {
      // Unreachable from now on: the articles moved on (versions only grow), or it has expired.
      this.delete(key, entry);
      return false;
    }
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    const age = Math.max(0, Math.floor((now - entry.storedAt) / 1000));
    res.writeHead(entry.status, [...entry.headers, 'age', String(age), 'x-cache', 'HIT']);
    res.end(entry.body);
    return true;
  }

  /**
   * Keeps Apollo's answer when it may be served again: status 200 and `max-age=N, public` (which
   * Apollo gives only to results without errors; a body that has an `errors` key is refused here
   * too, so that a change in Apollo cannot make errors stick for N seconds).
   */
  offer(key: string, version: number, status: number, headers: string[], body: Buffer): void {
    if (status !== 200) return;
    let cacheControl: string | undefined;
    for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'cache-control') cacheControl = headers[i + 1];
    const maxAge = publicMaxAge(cacheControl);
    if (maxAge === 0) return;
    // `"errors":` occurs in JSON only as a key (a quote inside a string is escaped): at worst an
    // alias named `errors` is not cached.
    if (body.includes('"errors":')) return;
    const bytes = 2 * key.length + body.length + 2 * headers.reduce((n, h) => n + h.length, 0) + 200;
    if (bytes > this.maxEntryBytes) return;
    const existing = this.entries.get(key);
    if (existing) this.delete(key, existing);
    const now = this.now();
    this.entries.set(key, { status, headers, body, version, storedAt: now, expiresAt: now + maxAge * 1000, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.delete(oldest, entry);
    }
  }

  /** Entries and bytes held now (tests, metrics). */
  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private delete(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/**
 * The articles' version (`store.articlesVersion()`: a counter that triggers move on every article or
 * mention change, in any process), read every `intervalMs` rather than on every request: a hit must
 * not wait for the database (soon a worker thread, some 50 µs away). The price is staleness: for up
 * to `intervalMs` (plus one read) after a change, cached answers from before it are still served.
 * A failed read makes the version unknown (null), and the cache is bypassed until a read succeeds.
 */
export class ArticlesVersion {
  private value: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private running = false;
  private failing = false;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly log: Logger,
    private readonly intervalMs = 100,
  ) {}

  /** Reads the version once, then keeps it fresh until `stop`. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.refresh();
    if (!this.running) return;
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    // The watcher alone never keeps the process running.
    this.timer.unref();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.value = null;
  }

  /** The last version read; null when unknown (not started, stopped, or the last read failed). */
  current(): number | null {
    return this.value;
  }

  private async refresh(): Promise<void> {
    // A slow read is not stacked upon: the next tick reads again.
    if (this.reading) return;
    this.reading = true;
    try {
      const value = await this.read();
      if (this.failing) this.log.info('http: read the articles version again; the response cache is back');
      this.failing = false;
      if (this.running) this.value = value;
    } catch (err) {
      if (!this.failing) this.log.error({ err }, 'http: unable to read the articles version; the response cache is bypassed until it can');
      this.failing = true;
      this.value = null;
    } finally {
      this.reading = false;
    }
  }
}

import { Agent, buildConnector, fetch as undiciFetch, type Response } from 'undici';
import type { Config } from '../config';
import { AppError } from '../errors';
import { packageInfo } from '../paths';
import { checkAddress, guardedLookup, literalAddress } from './net-guard';

/** Stable classes of fetch failures, recorded on the feed and in its fetch log. */
export type FetchErrorClass =
  | 'bad_url'
  | 'blocked_host'
  | 'dns'
  | 'connection'
  | 'tls'
  | 'timeout'
  | 'too_large'
  | 'too_many_redirects'
  | 'http'
  | 'rate_limited'
  | 'unavailable';

/** A fetch that did not give a feed body. `retryAfterMs` is set when the server asked to wait. */
export class FetchError extends AppError {
  constructor(
    readonly errorClass: FetchErrorClass,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(`FETCH_${errorClass.toUpperCase()}`, `fetch: ${message}`, { cause: details.cause });
  }
}

export interface FetchOptions {
  timeoutMs: number;
  connectTimeoutMs: number;
  maxBodyBytes: number;
  allowPrivateHosts: boolean;
  userAgent: string;
  maxRedirects?: number;
}

/** Validators from the last response, sent back for a conditional GET (RFC 9110 §13.1). */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

/** What the server said about caching (RFC 9111 §5.2.2.1 max-age, §5.3 Expires). */
export interface CachePolicy {
  /** The response may be reused for this long: do not fetch again before. */
  freshForMs: number | null;
}

interface ResponseMeta extends Validators {
  status: number;
  /** The URL the body came from, after redirects: the base for relative links. */
  finalUrl: string;
  /** The new address of the feed: the URL reached by the redirects up to the first temporary one, when the first was permanent (301/308); else null. */
  permanentUrl: string | null;
  cache: CachePolicy;
}

export type FetchResult =
  | ({ kind: 'not_modified' } & ResponseMeta)
  | ({ kind: 'ok'; body: Buffer; contentType: string | null } & ResponseMeta);

const ACCEPT = 'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';

/**
 * The HTTP client of ingestion: conditional GET, redirects followed by hand (at most 5, telling
 * permanent from temporary), a size cap enforced while the body streams in, connect and total
 * timeouts, gzip/deflate/br, and the private-address guard on every connection.
 */
export class Fetcher {
  private readonly agent: Agent;
  private readonly maxRedirects: number;

  constructor(private readonly options: FetchOptions) {
    this.maxRedirects = options.maxRedirects ?? 5;
    const connect = buildConnector({ timeout: options.connectTimeoutMs, lookup: guardedLookup(options.allowPrivateHosts) });
    this.agent = new Agent({
      // net.connect calls `lookup` for names only, so a literal address would reach the socket
      // unchecked: check it on every connection too, whatever URL (or redirect) led there.
      connect: (target, callback) => {
        const literal = literalAddress(target.hostname);
        const blocked = literal === null ? null : checkAddress(literal, literal, options.allowPrivateHosts);
        if (blocked) return callback(blocked, null);
        connect(target, callback);
      },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      // Keep at most one connection per origin: politeness, and the scheduler never runs two at once.
      connections: 1,
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async fetch(url: string, validators: Validators, signal?: AbortSignal): Promise<FetchResult> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let current = url;
    let permanentUrl: string | null = null;
    let permanentSoFar = true;
    try {
      for (let hop = 0; ; hop++) {
        const target = this.checkUrl(current);
        const response = await undiciFetch(target, {
          method: 'GET',
          redirect: 'manual',
          dispatcher: this.agent,
          signal: abort,
          headers: {
            'user-agent': this.options.userAgent,
            accept: ACCEPT,
            'accept-encoding': 'gzip, deflate, br',
            ...(validators.etag ? { 'if-none-match': validators.etag } : {}),
            ...(validators.lastModified ? { 'if-modified-since': validators.lastModified } : {}),
          },
        });
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && response.status !== 304 && location) {
          await response.body?.cancel();
          if (hop >= this.maxRedirects) {
            throw new FetchError('too_many_redirects', `more than ${this.maxRedirects} redirects, last to ${location}`, { status: response.status });
          }
          let next: string;
          try {
            next = new URL(location, target).toString();
          } catch {
            throw new FetchError('bad_url', `the server redirected to "${location}", which is not a URL`, { status: response.status });
          }
          permanentSoFar &&= response.status === 301 || response.status === 308;
          if (permanentSoFar) permanentUrl = next;
          current = next;
          continue;
        }
        const meta = { status: response.status, finalUrl: target.toString(), permanentUrl, cache: cachePolicy(response), ...validatorsOf(response) };
        if (response.status === 304) {
          await response.body?.cancel();
          return { kind: 'not_modified', ...meta };
        }
        if (response.status < 200 || response.status >= 300) throw await statusError(response);
        const body = await this.readBody(response);
        return { kind: 'ok', body, contentType: response.headers.get('content-type'), ...meta };
      }
    } catch (err) {
      if (err instanceof FetchError) throw err;
      throw classify(err, timeout.aborted, this.options);
    }
  }

  private checkUrl(text: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new FetchError('bad_url', `"${text}" is not an absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FetchError('bad_url', `${url.protocol.slice(0, -1)} URLs are not fetched, only http and https (${text})`);
    }
    // Literal addresses skip DNS, so the lookup guard never sees them: refuse them here, before any
    // request, on the first URL and on every redirect. WHATWG parsing has already rewritten the odd
    // IPv4 spellings (2130706433, 0x7f.1, 0177.0.0.1, 127.1) as dotted decimal.
    const literal = literalAddress(url.hostname);
    const blocked = literal === null ? null : checkAddress(literal, literal, this.options.allowPrivateHosts);
    if (blocked) throw new FetchError('blocked_host', blocked.message, { cause: blocked });
    return url;
  }

  /** Reads the (decompressed) body, stopping as soon as it exceeds the cap. */
  private async readBody(response: Response): Promise<Buffer> {
    const limit = this.options.maxBodyBytes;
    const declared = Number(response.headers.get('content-length'));
    const tooLarge = () => new FetchError('too_large', `the response is larger than the limit of ${limit} bytes (FETCH_MAX_BODY_BYTES)`, { status: response.status });
    // Content-Length counts encoded bytes; only a plain body can be refused before reading.
    if (!response.headers.get('content-encoding') && Number.isFinite(declared) && declared > limit) {
      await response.body?.cancel();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        size += chunk.byteLength;
        if (size > limit) {
          await response.body.cancel().catch(() => undefined);
          throw tooLarge();
        }
        chunks.push(Buffer.from(chunk));
      }
    }
    return Buffer.concat(chunks, size);
  }
}

/** The settings a Fetcher is built from. */
export type FetcherConfig = Pick<
  Config,
  'fetchTimeoutMs' | 'fetchConnectTimeoutMs' | 'fetchMaxBodyBytes' | 'fetchAllowPrivateHosts'
>;

/**
 * The Fetcher of the service, of the `fetch` command and of the scheduler thread, built in one place
 * from the config. Whoever builds it closes it.
 */
export function createFetcher(config: FetcherConfig): Fetcher {
  return new Fetcher({
    timeoutMs: config.fetchTimeoutMs,
    connectTimeoutMs: config.fetchConnectTimeoutMs,
    maxBodyBytes: config.fetchMaxBodyBytes,
    allowPrivateHosts: config.fetchAllowPrivateHosts,
    userAgent: userAgent(),
  });
}

/** A user agent that names the service and where to read about it, so feed operators can reach us. */
export function userAgent(): string {
  const { version, homepage } = packageInfo();
  return `FoundationWire/${version} (+${homepage})`;
}

function validatorsOf(response: Response): Validators {
  return { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
}

function cachePolicy(response: Response): CachePolicy {
  const cacheControl = response.headers.get('cache-control') ?? '';
  if (/\b(no-store|no-cache)\b/i.test(cacheControl)) return { freshForMs: null };
  const maxAge = /\bmax-age\s*=\s*"?(\d+)/i.exec(cacheControl);
  if (maxAge) return { freshForMs: Number(maxAge[1]) * 1000 };
  const expires = Date.parse(response.headers.get('expires') ?? '');
  const date = Date.parse(response.headers.get('date') ?? '') || Date.now();
  return { freshForMs: Number.isFinite(expires) && expires > date ? expires - date : null };
}

/** Retry-After as a delay: delta-seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d{1,10}\s*$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its month: "Wed, 21 Oct 2015 07:28:00 GMT" (also the obsolete RFC 850 and asctime forms).
  if (!/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/i.test(value) || !/\b\d{2}:\d{2}:\d{2}\b/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

async function statusError(response: Response): Promise<FetchError> {
  await response.body?.cancel();
  const status = response.status;
  const label = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const wait = retryAfterMs !== undefined ? `; asked to retry after ${Math.round(retryAfterMs / 1000)} s` : '';
    return new FetchError(status === 429 ? 'rate_limited' : 'unavailable', `${label}${wait}`, { status, retryAfterMs });
  }
  return new FetchError('http', label, { status });
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Names the failure from the error (and its causes) that undici and the network stack raised. */
function classify(err: unknown, timedOut: boolean, options: FetchOptions): FetchError {
  const chain: { code?: string; name?: string; message?: string }[] = [];
  for (let e: any = err, depth = 0; e && depth < 6; e = e.cause, depth++) chain.push(e);
  const codes = chain.map((e) => e.code ?? '');
  const detail = chain.map((e) => e.message).filter(Boolean).pop() ?? String(err);
  const blocked = chain.find((e) => e.code === 'FW_BLOCKED_HOST');
  if (blocked) return new FetchError('blocked_host', blocked.message ?? detail, { cause: err });
  if (timedOut || chain.some((e) => e.name === 'TimeoutError') || codes.some((c) => /TIMEOUT/.test(c))) {
    const connect = codes.includes('UND_ERR_CONNECT_TIMEOUT');
    return new FetchError(
      'timeout',
      connect ? `no connection within ${options.connectTimeoutMs} ms` : `no complete response within ${options.timeoutMs} ms`,
      { cause: err },
    );
  }
  if (codes.some((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_FAIL' || c === 'EAI_NODATA'))
    return new FetchError('dns', `the host name cannot be resolved (${detail})`, { cause: err });
  if (codes.some((c) => TLS_CODE.test(c)) || chain.some((e) => /certificate|SSL|TLS/i.test(e.message ?? '')))
    return new FetchError('tls', `TLS failed: ${detail}`, { cause: err });
  if (chain.some((e) => e.name === 'AbortError')) return new FetchError('timeout', 'the fetch was cancelled', { cause: err });
  if (codes.some((c) => /^Z_|^ERR_BROTLI|^ERR_ZLIB/.test(c))) {
    return new FetchError('http', `the response body cannot be decompressed as its Content-Encoding says (${detail})`, { cause: err });
  }
  return new FetchError('connection', `connection failed: ${detail}`, { cause: err });
}

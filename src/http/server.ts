import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import { AppError, describeError, QueryTimeoutError, quote, StoreError } from '../errors';
import { apiOptionsOf, createApollo, queryTimeoutMessage } from '../graphql/apollo';
import { createContext, type Context } from '../graphql/context';
import { apolloExecutor, type GraphQLExecutor } from '../graphql/executor';
import { cachedDocumentGuard } from '../graphql/limits';
import type { ArticleWatcher } from '../live/article-watcher';
import { inRequest, type Logger } from '../log';
import type { Store } from '../store/store';
import { explorerPage } from './explorer';
import { ServiceMetrics } from './metrics';
import { PersistedQueries } from './persisted-queries';
import { ArticlesVersion, ResponseCache } from './response-cache';
import { startSubscriptions, type SubscriptionStats } from './subscriptions';

export interface HttpServer {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  /** Stops accepting connections, lets requests in flight finish, then stops Apollo. */
  stop(): Promise<void>;
  /** Says the service is shutting down (/readyz answers 503) while other parts stop first. */
  markStopping(): void;
  /** WebSocket connections and subscriptions open now (tests, metrics). */
  subscriptionStats(): SubscriptionStats;
  /** The metrics served at /metrics (the scheduler thread's fetches are counted into them). */
  metrics: ServiceMetrics;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a request body, refusing it (413) as soon as it grows past the limit. */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
  // Events rather than `for await`: an async iterator per request is measurable on a cache hit.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      // The rest is discarded as it arrives (what Node does for a body left unread), not kept.
      req.resume();
      reject(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, apollo-require-preflight, x-apollo-operation-name',
  'access-control-max-age': '86400',
};
const CORS_ENTRIES = Object.entries(CORS_HEADERS);

/** The GraphQL document of a request: `query` of a JSON body, or of the URL's query string for a GET. */
function queryText(body: unknown, search: string): string | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const query = (body as { query?: unknown }).query;
    return typeof query === 'string' ? query : undefined;
  }
  return new URLSearchParams(search).get('query') ?? undefined;
}

/** What /graphql needs of the server, built once. */
interface GraphQLFront {
  execute: GraphQLExecutor;
  /** Automatic persisted queries known to any thread (persisted-queries.ts). */
  persisted: PersistedQueries;
  metrics: ServiceMetrics;
  maxBodyBytes: number;
  guard: (source: string) => unknown;
  /** The response cache and the articles' version it is keyed on; null when CACHE_MAX_AGE is 0. */
  cache: { responses: ResponseCache; version: ArticlesVersion } | null;
}

async function handleGraphQL(req: http.IncomingMessage, res: http.ServerResponse, search: string, front: GraphQLFront, requestId: string): Promise<void> {
  const text = req.method === 'POST' ? await readBody(req, front.maxBodyBytes) : '';
  // A repeated request is answered here, before anything parses it. The version is read before
  // executing, so that an answer is never kept under a version newer than its data.
  const key = front.cache ? front.cache.responses.keyOf(req, search, text) : null;
  const version = key === null ? null : front.cache!.version.current();
  if (key !== null && version !== null) {
    const hit = front.cache!.responses.serve(key, version, res);
    front.metrics.cacheLookup(hit);
    if (hit) return;
  }

  let body: unknown = text;
  if (text && /^application\/(graphql-response\+)?json\b/i.test(req.headers['content-type'] ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'request body is not valid JSON');
    }
  }
  // The document's size, tokens, aliases and directives are checked before Apollo parses and
  // validates it, so that validation only ever runs on a document small enough to be quick.
  const query = queryText(body, search);
  if (query !== undefined) {
    try {
      front.guard(query);
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      const status = (err.extensions.http as { status?: number } | undefined)?.status ?? 400;
      const { http: _http, ...extensions } = err.extensions;
      sendJson(res, status, { errors: [{ message: err.message, locations: err.locations, extensions }] }, key === null ? CORS_HEADERS : { ...CORS_HEADERS, 'x-cache': 'MISS' });
      return;
    }
  }
  const headers: [string, string][] = [];
  const incoming = req.headers;
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined) headers.push([name, Array.isArray(value) ? value.join(', ') : value]);
  }
  const request = front.persisted.resolve(body, search);
  // A client that goes away before its request starts takes it out of the queue.
  const gone = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) gone.abort();
  };
  res.once('close', onClose);
  let result;
  try {
    result = await front.execute({ method: req.method ?? 'GET', headers, search: request.search, body: request.body, requestId }, gone.signal);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'READ_CALL_ABANDONED') return;
    const refusal = refusalOf(err);
    if (!refusal) throw err;
    front.metrics.graphqlRequest({ operation: null, errorCode: refusal.code }, refusal.status);
    const headers = key === null ? CORS_HEADERS : { ...CORS_HEADERS, 'x-cache': 'MISS' };
    sendJson(res, refusal.status, { errors: [{ message: refusal.message, extensions: { code: refusal.code, ...refusal.extensions } }] }, { ...headers, ...refusal.headers });
    return;
  }
  const { status } = result;
  front.metrics.graphqlRequest(result.outcome, status);
  // Apollo's headers, then ours over them, in the order a hit writes them again.
  const out: string[] = [];
  for (const [name, value] of result.headers) if (!(name in CORS_HEADERS) && name !== 'content-length') out.push(name, value);
  for (const [name, value] of CORS_ENTRIES) out.push(name, value);
  const bytes = Buffer.from(result.body, 'utf8');
  out.push('content-length', String(bytes.length));
  if (key !== null) {
    if (version !== null) front.cache!.responses.offer(key, version, status, out, bytes);
    res.writeHead(status, [...out, 'x-cache', 'MISS']);
  } else {
    res.writeHead(status, out);
  }
  res.end(bytes);
}

/** How the front answers a request the read threads did not run to the end, or null for a failure of ours. */
function refusalOf(err: unknown): { status: number; code: string; message: string; extensions?: Record<string, unknown>; headers?: Record<string, string> } | null {
  // Stopped past its budget, its thread replaced.
  if (err instanceof QueryTimeoutError) return { status: 200, code: 'QUERY_TIMEOUT', message: queryTimeoutMessage(err.budgetMs), extensions: { maximumMs: err.budgetMs } };
  if (!(err instanceof StoreError)) return null;
  // Every thread busy and the queue full, or no thread free in time: a 503 the client may retry,
  // not a connection left to time out.
  if (err.code === 'READ_POOL_BUSY') {
    return { status: 503, code: 'SERVER_BUSY', message: 'the server is busy: every query thread is taken; try again in a moment', headers: { 'retry-after': '1' } };
  }
  // Not copied to a thread: JSON nested thousands deep (the structured clone runs out of stack).
  // The caller's doing; nothing ran.
  if (err.code === 'READ_CALL_INVALID') {
    return { status: 400, code: 'BAD_REQUEST', message: 'the request is nested too deeply to be run: send variables and extensions of a sensible depth' };
  }
  return null;
}

/**
 * Stops accepting connections and lets the requests in flight finish (idle keep-alive connections
 * are closed as they become idle), for at most `graceMs`; then closes every connection left.
 */
async function closeGracefully(server: http.Server, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(force);
  }
}

/** Whether an Authorization header carries this bearer token (compared in constant time). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const given = createHash('sha256').update(match[1]).digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
}

/** A request id the caller sent (printable ASCII, at most 128 characters), or a new UUID. */
function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[\x21-\x7e]{1,128}$/.test(header) ? header : randomUUID();
}

/** A failure to listen, said with the settings to change. */
function listenError(err: unknown, config: Pick<Config, 'port' | 'host'>): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${config.host}:${config.port} (HOST=${config.host}, PORT=${config.port})`;
  const why: Record<string, string> = {
    EADDRINUSE: 'another process already listens there: stop it, or set PORT to a free port',
    EACCES: 'this user may not listen on that port: use a port above 1023, or grant the permission',
    EADDRNOTAVAIL: 'no network interface of this machine has that address: set HOST to one of its addresses, 127.0.0.1 or 0.0.0.0',
    ENOTFOUND: 'that host name does not resolve: set HOST to an address, such as 127.0.0.1 or 0.0.0.0',
    EAI_AGAIN: 'that host name does not resolve: set HOST to an address, such as 127.0.0.1 or 0.0.0.0',
  };
  if (typeof code !== 'string' || !(code in why)) return err;
  return new AppError('LISTEN_FAILED', `http: unable to listen on ${where}: ${why[code]}`, { cause: err });
}

/** How long stop() lets requests in flight finish before it closes their connections. */
const STOP_GRACE_MS = 5_000;

/** How often the response cache reads the articles' version: the longest a change goes unseen. */
const ARTICLES_VERSION_INTERVAL_MS = 100;

interface Target {
  pathname: string;
  /** The query string with its `?`, or '' (as `URL.search`). */
  search: string;
}

/** The path and query string of a request target (/graphql without the cost of a URL object), or null when it is not one. */
function splitTarget(raw: string): Target | null {
  if (raw.startsWith('/graphql') && (raw.length === 8 || raw.charCodeAt(8) === 0x3f /* ? */) && !raw.includes('#')) {
    return { pathname: '/graphql', search: raw.length > 9 ? raw.slice(8) : '' };
  }
  // `GET //[` or `GET http://[`: what URL cannot read (it threw here, outside any handler, and
  // ended the process).
  if (!URL.canParse(raw, 'http://localhost')) return null;
  const url = new URL(raw, 'http://localhost');
  return { pathname: url.pathname, search: url.search };
}

/**
 * The HTTP front: GraphQL (and Sandbox) at /graphql, with subscriptions over WebSocket on the same
 * path, the offline explorer at /explorer, health at /healthz. A small node:http handler around
 * Apollo rather than `startStandaloneServer`, so that all of them share the port.
 */
export type ServerConfig = Pick<
  Config,
  | 'port'
  | 'host'
  | 'maxRequestBodyBytes'
  | 'httpIdleTimeoutMs'
  | 'queryMaxLength'
  | 'queryMaxTokens'
  | 'queryMaxAliases'
  | 'queryMaxDirectives'
  | 'queryMaxDepth'
  | 'queryMaxCost'
  | 'queryTimeoutMs'
  | 'cacheMaxAgeSeconds'
  | 'metricsToken'
  | 'databasePath'
  | 'wsMaxConnections'
  | 'wsMaxConnectionsPerClient'
  | 'wsMaxSubscriptionsPerConnection'
  | 'wsMaxMessagesPerSecond'
>;

export async function startHttpServer(options: {
  config: ServerConfig;
  schema: GraphQLSchema;
  store: Store;
  log: Logger;
  /** New articles for subscriptions; without it, subscriptions answer that they are unavailable. */
  live?: ArticleWatcher;
  /**
   * Runs queries and mutations: in the service, the read pool's threads (pooledExecutor); without
   * it, an Apollo server on this thread over `store` (tests that watch the store's calls).
   */
  execute?: GraphQLExecutor;
}): Promise<HttpServer> {
  const { config, schema, store, log, live } = options;
  const httpServer = http.createServer();
  // A connection with no traffic either way for this long is closed: a client that stops reading a
  // response must not have the server hold it. (WebSocket connections are exempt once upgraded.)
  httpServer.timeout = config.httpIdleTimeoutMs;
  const api = apiOptionsOf(config);
  const { limits } = api;
  const wsLimits = {
    maxConnections: config.wsMaxConnections,
    maxConnectionsPerClient: config.wsMaxConnectionsPerClient,
    maxSubscriptionsPerConnection: config.wsMaxSubscriptionsPerConnection,
    maxMessagesPerSecond: config.wsMaxMessagesPerSecond,
  };
  const subscriptions = startSubscriptions({ httpServer, schema, limits, wsLimits, context: () => createContext(store, log, live), log });
  let apollo: ApolloServer<Context> | null = null;
  let execute = options.execute;
  if (!execute) {
    apollo = createApollo(schema, log, api);
    await apollo.start();
    execute = apolloExecutor(apollo, () => createContext(store, log, live, api.queryTimeoutMs));
  }

  // The front's own response cache (see response-cache.ts), keyed on the articles' version as the
  // watcher last read it, which lags a change by at most its interval.
  let cache: GraphQLFront['cache'] = null;
  if (config.cacheMaxAgeSeconds > 0) {
    cache = { responses: new ResponseCache(), version: new ArticlesVersion(() => store.articlesVersion(), log, ARTICLES_VERSION_INTERVAL_MS) };
    await cache.version.start();
  }
  const metrics = new ServiceMetrics({ store, databasePath: config.databasePath, log });
  /** Set once stop() begins: /readyz answers 503 from then on. */
  let stopping = false;
  const front: GraphQLFront = {
    execute,
    persisted: new PersistedQueries(),
    metrics,
    maxBodyBytes: config.maxRequestBodyBytes,
    guard: cachedDocumentGuard(limits),
    cache,
  };
  const debug = log.isLevelEnabled('debug');

  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const target = splitTarget(req.url ?? '/');
    if (target === null) {
      res.once('finish', metrics.timeRequest('other'));
      sendJson(res, 400, { errors: [{ message: 'the request target is not a path this server can read', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    res.once('finish', metrics.timeRequest(target.pathname));
    // The caller's X-Request-Id when it is a sensible one, else a new one: returned on the response
    // and on every log line written for the request (here and in the read thread).
    const requestId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    if (debug) {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log.debug({ requestId, method: req.method, path: target.pathname, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'http: request');
      });
    }
    inRequest(requestId, () => route(req, res, target, requestId)).catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendJson(res, err.status, { errors: [{ message: err.message, extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      log.error({ err }, 'http: unable to answer a request');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse, target: Target, requestId: string): Promise<void> {
    switch (target.pathname) {
      case '/graphql':
        if (req.method === 'OPTIONS') {
          res.writeHead(204, CORS_HEADERS).end();
          return;
        }
        return handleGraphQL(req, res, target.search, front, requestId);
      case '/explorer': {
        const page = explorerPage();
        const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'public, max-age=3600',
          vary: 'accept-encoding',
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        });
        res.end(gzip ? page.gzip : page.html);
        return;
      }
      case '/healthz':
        // The process answers: what a liveness probe asks.
        sendJson(res, 200, { status: 'ok' });
        return;
      case '/readyz':
        // Ready for traffic: not stopping, and the database (migrated at start-up) answers a read
        // through the threads that serve queries.
        if (stopping) {
          sendJson(res, 503, { status: 'unavailable', reason: 'shutting down' });
          return;
        }
        try {
          await store.ping();
          sendJson(res, 200, { status: 'ready' });
        } catch (err) {
          log.error({ err }, 'http: readiness check failed');
          sendJson(res, 503, { status: 'unavailable', reason: `store: ${describeError(err)}` });
        }
        return;
      case '/metrics': {
        if (config.metricsToken !== '' && !bearerMatches(req.headers.authorization, config.metricsToken)) {
          sendJson(res, 401, { errors: [{ message: '/metrics needs `Authorization: Bearer <METRICS_TOKEN>`', extensions: { code: 'UNAUTHENTICATED' } }] }, { 'www-authenticate': 'Bearer' });
          return;
        }
        const text = await metrics.text();
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(text);
        return;
      }
      case '/':
        res.writeHead(302, { location: '/graphql' }).end();
        return;
      default:
        sendJson(res, 404, { errors: [{ message: `no such endpoint: ${quote(target.pathname)} (GraphQL is at /graphql)`, extensions: { code: 'NOT_FOUND' } }] });
    }
  }

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // The caller closes the store: nothing may go on reading it.
    cache?.version.stop();
    await subscriptions.close();
    await apollo?.stop();
    throw listenError(err, config);
  }
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    markStopping: () => {
      stopping = true;
    },
    stop: async () => {
      stopping = true;
      cache?.version.stop();
      await subscriptions.close();
      await closeGracefully(httpServer, STOP_GRACE_MS);
      await apollo?.stop();
    },
    subscriptionStats: () => subscriptions.stats(),
    metrics,
  };
}

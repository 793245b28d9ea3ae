import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import { describeError, quote } from '../errors';
import { createApollo } from '../graphql/apollo';
import { createContext, type Context } from '../graphql/context';
import { guardDocument, type QueryLimits } from '../graphql/limits';
import type { ArticleWatcher } from '../live/article-watcher';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { explorerPage } from './explorer';
import { startSubscriptions, type SubscriptionStats } from './subscriptions';

export interface HttpServer {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  /** Stops accepting connections, lets requests in flight finish, then stops Apollo. */
  stop(): Promise<void>;
  /** WebSocket connections and subscriptions open now (tests, metrics). */
  subscriptionStats(): SubscriptionStats;
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
async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `request body exceeds the limit of ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body exceeds the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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

/** The GraphQL document of a request: `query` of a JSON body, or of the URL for a GET. */
function queryText(body: unknown, url: URL): string | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const query = (body as { query?: unknown }).query;
    return typeof query === 'string' ? query : undefined;
  }
  return url.searchParams.get('query') ?? undefined;
}

async function handleGraphQL(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  apollo: ApolloServer<Context>,
  context: () => Context,
  maxBodyBytes: number,
  limits: QueryLimits,
): Promise<void> {
  const text = req.method === 'POST' ? await readBody(req, maxBodyBytes) : '';
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
  const query = queryText(body, url);
  if (query !== undefined) {
    try {
      guardDocument(query, limits);
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      const status = (err.extensions.http as { status?: number } | undefined)?.status ?? 400;
      const { http: _http, ...extensions } = err.extensions;
      sendJson(res, status, { errors: [{ message: err.message, locations: err.locations, extensions }] }, CORS_HEADERS);
      return;
    }
  }
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: async () => context(),
  });
  for (const [name, value] of result.headers) res.setHeader(name, value);
  for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
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
}): Promise<HttpServer> {
  const { config, schema, store, log, live } = options;
  const httpServer = http.createServer();
  // A connection with no traffic either way for this long is closed: a client that stops reading a
  // response must not have the server hold it. (WebSocket connections are exempt once upgraded.)
  httpServer.timeout = config.httpIdleTimeoutMs;
  const limits: QueryLimits = {
    maxLength: config.queryMaxLength,
    maxTokens: config.queryMaxTokens,
    maxAliases: config.queryMaxAliases,
    maxDirectives: config.queryMaxDirectives,
    maxDepth: config.queryMaxDepth,
    maxCost: config.queryMaxCost,
  };
  const wsLimits = {
    maxConnections: config.wsMaxConnections,
    maxConnectionsPerClient: config.wsMaxConnectionsPerClient,
    maxSubscriptionsPerConnection: config.wsMaxSubscriptionsPerConnection,
    maxMessagesPerSecond: config.wsMaxMessagesPerSecond,
  };
  const subscriptions = startSubscriptions({ httpServer, schema, limits, wsLimits, context: () => createContext(store, log, live), log });
  const apollo = createApollo(
    schema,
    log,
    { limits, queryTimeoutMs: config.queryTimeoutMs, cacheMaxAgeSeconds: config.cacheMaxAgeSeconds },
    [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Close the WebSocket server when Apollo stops (graphql-ws recipe for Apollo Server).
      { async serverWillStart() { return { async drainServer() { await subscriptions.close(); } }; } },
    ],
  );
  await apollo.start();

  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug({ method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'http: request');
    });
    route(req, res, url).catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendJson(res, err.status, { errors: [{ message: err.message, extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      log.error({ err }, 'http: unable to answer a request');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    switch (url.pathname) {
      case '/graphql':
        if (req.method === 'OPTIONS') {
          res.writeHead(204, CORS_HEADERS).end();
          return;
        }
        return handleGraphQL(req, res, url, apollo, () => createContext(store, log, live), config.maxRequestBodyBytes, limits);
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
        try {
          await store.ping();
          sendJson(res, 200, { status: 'ok' });
        } catch (err) {
          log.error({ err }, 'http: health check failed');
          sendJson(res, 503, { status: 'unavailable', error: `store: ${describeError(err)}` });
        }
        return;
      case '/':
        res.writeHead(302, { location: '/graphql' }).end();
        return;
      default:
        sendJson(res, 404, { errors: [{ message: `no such endpoint: ${quote(url.pathname)} (GraphQL is at /graphql)`, extensions: { code: 'NOT_FOUND' } }] });
    }
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stop: () => apollo.stop(),
    subscriptionStats: () => subscriptions.stats(),
  };
}

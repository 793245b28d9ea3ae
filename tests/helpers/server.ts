import pino from 'pino';
import { loadConfig } from '../../src/config';
import type { GraphQLExecutor } from '../../src/graphql/executor';
import { buildApiSchema } from '../../src/graphql/schema';
import { logMixin } from '../../src/log';
import { startHttpServer, type HttpServer, type ServerConfig } from '../../src/http/server';
import type { ArticleWatcher } from '../../src/live/article-watcher';
import type { Store } from '../../src/store/store';
import { onCleanup } from './temp';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; [key: string]: unknown } }[];
  extensions?: Record<string, unknown>;
}

export interface TestServer {
  server: HttpServer;
  /** Logged lines (JSON), to check what the server logs on failures. */
  logs: string[];
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
}

/** The real HTTP server on a free port of 127.0.0.1, with a real schema over the given store. */
export async function startTestServer(
  store: Store,
  options: Partial<ServerConfig> & { live?: ArticleWatcher; execute?: GraphQLExecutor } = {},
): Promise<TestServer> {
  const logs: string[] = [];
  const log = pino({ level: 'info', mixin: logMixin }, { write: (line: string) => logs.push(line) });
  const server = await startHttpServer({
    config: {
      // The documented defaults (an empty environment), on a free port of 127.0.0.1.
      ...loadConfig({}),
      port: 0,
      host: '127.0.0.1',
      // No response cache unless a test is about it: most tests change the data between queries.
      cacheMaxAgeSeconds: 0,
      ...options,
    },
    live: options.live,
    execute: options.execute,
    schema: await buildApiSchema(),
    store,
    log,
  });
  onCleanup(() => server.stop());
  return {
    server,
    logs,
    async gql(query, variables) {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
  };
}

import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { LogLevel } from '../config';
import { inRequest } from '../log';
import { threadScript } from '../paths';
import type { ReadPool, ReadPoolOptions } from '../store/sqlite/read-pool';
import type { ApiOptions } from './apollo';
import type { Context } from './context';

/** A GraphQL-over-HTTP request as the HTTP front hands it on: plain data, so that it crosses to a thread. */
export interface GraphQLHttpRequest {
  method: string;
  /** Lower-case names. */
  headers: [string, string][];
  /** The URL's query string, as URL.search gives it (with its `?`, or ''). */
  search: string;
  /** The parsed JSON body, or the raw text of another content type. */
  body: unknown;
  /** The request's id (X-Request-Id), on every log line written for it. */
  requestId: string;
}

/** Apollo's answer: status, headers and the whole body, and what it came to (for metrics). */
export interface GraphQLHttpResponse {
  status: number;
  headers: [string, string][];
  body: string;
  /** Null when Apollo refused the HTTP request before it had an operation (see status). */
  outcome: RequestOutcome | null;
}

/** What one GraphQL request came to. */
export interface RequestOutcome {
  /** The operation's name, when it has one. */
  operation: string | null;
  /** The first error's code, or null when the response has no errors. */
  errorCode: string | null;
}

/**
 * Runs one GraphQL request: Apollo's pipeline (limits, parse, validate, execute, format) over a
 * store. `signal` is aborted when the client has gone: a request not yet started is dropped.
 */
export type GraphQLExecutor = (request: GraphQLHttpRequest, signal?: AbortSignal) => Promise<GraphQLHttpResponse>;

/** Apollo on this thread, over the context's store: the executor of the threads, and of tests. */
export function apolloExecutor(apollo: ApolloServer<Context>, context: () => Context): GraphQLExecutor {
  return async ({ method, headers, search, body, requestId }) => {
    const map = new HeaderMap();
    for (const [name, value] of headers) map.set(name, value);
    let made: Context | null = null;
    // In the request's scope: what is logged meanwhile (here or in a read thread) carries its id.
    const result = await inRequest(requestId, () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers: map, search, body },
        context: async () => (made = context()),
      }),
    );
    let text = '';
    if (result.body.kind === 'complete') text = result.body.string;
    // Incremental delivery (@defer) needs graphql 17; should a chunked answer come, it is sent whole.
    else for await (const chunk of result.body.asyncIterator) text += chunk;
    return { status: result.status ?? 200, headers: [...result.headers], body: text, outcome: (made as Context | null)?.outcome.current ?? null };
  };
}

/** The thread method that runs a request (graphql/executor-thread.ts). */
export const EXECUTE_METHOD = 'executeGraphQL';

/**
 * Extra time a request gets in its thread after QUERY_TIMEOUT before the thread is stopped: at its
 * next read the executor answers QUERY_TIMEOUT itself (storeWithDeadline, context.ts, with the
 * fields resolved so far), and that is cheaper than a new thread. Only a single statement running
 * past the budget needs the thread stopped.
 */
export const EXECUTE_GRACE_MS = 250;

/** What an executor thread starts from, besides its connection's options. */
export interface ExecutorThreadData {
  api: ApiOptions;
  logLevel: LogLevel;
  logDestination: 1 | 2;
}

/**
 * The read pool's threads as GraphQL executors: each builds the schema and an Apollo server of its
 * own over its read-only connection, and runs whole requests (one read transaction each, so one
 * snapshot), besides answering the store's reads by name.
 */
export function executorThread(data: ExecutorThreadData): NonNullable<ReadPoolOptions['thread']> {
  return { script: threadScript('graphql/executor-thread.js'), extra: data, name: 'graphql' };
}

/** Requests run in the pool's threads; a request past its budget rejects with QueryTimeoutError. */
export function pooledExecutor(pool: ReadPool): GraphQLExecutor {
  return (request, signal) => pool.call<GraphQLHttpResponse>(EXECUTE_METHOD, [request], { graceMs: EXECUTE_GRACE_MS, signal });
}

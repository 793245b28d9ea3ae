import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, GraphQLError, Kind } from 'graphql';
import type { Logger } from '../log';
import type { Context } from './context';
import { cachedMeasure, enforceLimits, type QueryLimits } from './limits';

/**
 * Subscriptions are served over WebSocket only: a subscription sent as an HTTP request is the
 * client's mistake, said with where to send it (rather than Apollo's internal error).
 */
export function subscriptionTransportPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(
            'subscriptions are served over WebSocket, not HTTP: connect to this same /graphql URL with a graphql-ws client (protocol graphql-transport-ws, ws:// or wss://)',
            { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
          );
        },
      };
    },
  };
}

/**
 * Depth and cost limits on every operation; the cost of an accepted one goes in `extensions.cost`.
 * Measures are remembered per document and variables (`cachedMeasure`); the limits are compared
 * on every request.
 */
export function limitsPlugin(limits: QueryLimits, log: Logger): ApolloServerPlugin<Context> {
  const measure = cachedMeasure();
  return {
    async requestDidStart() {
      let measured: { depth: number; cost: number } | null = null;
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          try {
            measured = enforceLimits(schema, document, operationName, request.variables, limits, measure);
          } catch (err) {
            if (err instanceof GraphQLError && err.extensions.code === 'QUERY_REFUSED') log.error({ err: err.cause }, 'limits: unable to measure a query; it was refused');
            throw err;
          }
        },
        async willSendResponse({ response }) {
          if (measured && response.body.kind === 'single') {
            response.body.singleResult.extensions = {
              ...response.body.singleResult.extensions,
              cost: { requested: measured.cost, maximum: limits.maxCost, depth: measured.depth, maxDepth: limits.maxDepth },
            };
          }
        },
      };
    },
  };
}

/**
 * Cache-Control on every GraphQL response, as ApolloServerPluginCacheControl says it when every
 * field has the same default max-age and none has a hint of its own (this schema has none): a
 * single result without errors, of a query that resolves at least one field, is
 * `max-age=N, public`; anything else is `no-store`. Apollo's plugin reaches that answer by hooking
 * every field resolved (willResolveField), which costs a tenth of a large query's execution; this
 * one looks at the operation once. A header already set (Sandbox's landing page) is kept.
 */
export function cacheHeadersPlugin(maxAgeSeconds: number): ApolloServerPlugin<Context> {
  const cacheable = `max-age=${maxAgeSeconds}, public`;
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, operation }) {
          const headers = response.http.headers;
          if (headers.has('cache-control')) return;
          const ok =
            maxAgeSeconds > 0 &&
            response.body.kind === 'single' &&
            !response.body.singleResult.errors &&
            operation?.operation === 'query' &&
            operation.selectionSet.selections.some((s) => s.kind !== Kind.FIELD || s.name.value !== '__typename');
          headers.set('cache-control', ok ? cacheable : 'no-store');
        },
      };
    },
  };
}

/** Records on the context what each request came to (its operation's name, its first error's code), for metrics. */
export function outcomePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, document, operation, request, response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.code;
          // A document that failed validation has no resolved operation, but has its name.
          const named = operation ?? (document ? getOperationAST(document, request.operationName) : null);
          const name = named?.name?.value ?? request.operationName ?? null;
          contextValue.outcome.current = { operation: name, errorCode: errors?.length ? (typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR') : null };
        },
      };
    },
  };
}

import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
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
 * A time limit per operation: once it has passed, every field still to resolve fails with
 * QUERY_TIMEOUT, so a heavy query ends instead of holding the server.
 */
export function timeoutPlugin(timeoutMs: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart() {
          const deadline = Date.now() + timeoutMs;
          return {
            willResolveField() {
              if (Date.now() > deadline) {
                throw new GraphQLError(`the query ran longer than the limit of ${timeoutMs} ms (QUERY_TIMEOUT): ask for fewer or smaller pages`, {
                  extensions: { code: 'QUERY_TIMEOUT', maximumMs: timeoutMs },
                });
              }
            },
          };
        },
      };
    },
  };
}

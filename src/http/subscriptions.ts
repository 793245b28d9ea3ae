import type http from 'node:http';
import { GraphQLError, parse, validate, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { formatError } from '../graphql/apollo';
import type { Context } from '../graphql/context';
import { enforceLimits, type QueryLimits } from '../graphql/limits';
import type { Logger } from '../log';

/**
 * GraphQL subscriptions over the graphql-ws protocol, on the HTTP server's port and at /graphql,
 * with the same depth and cost limits as queries.
 */
export function startSubscriptions(options: {
  httpServer: http.Server;
  schema: GraphQLSchema;
  limits: QueryLimits;
  context: () => Context;
  log: Logger;
}): { close(): Promise<void> } {
  const { httpServer, schema, limits, context, log } = options;
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 64 * 1024 });
  const cleanup = useServer(
    {
      schema,
      context: () => context(),
      onSubscribe: (_ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        try {
          enforceLimits(schema, document, payload.operationName, payload.variables ?? undefined, limits);
        } catch (err) {
          return [err as GraphQLError];
        }
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: context(),
        };
        return args;
      },
      // Results leave in the same shapes as over HTTP: internal errors masked, the detail logged.
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!('errors' in result) || !result.errors) return result;
        const format = formatError(log);
        return { ...result, errors: result.errors.map((error) => format(error.toJSON(), error)) as never };
      },
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) if (!error.extensions?.code) log.error({ err: error }, 'subscriptions: unable to run an operation');
      },
    },
    wsServer,
  );
  return {
    async close() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

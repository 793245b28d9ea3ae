import http from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, getOperationAST, getVariableValues, validate, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { formatError, MAX_COERCION_ERRORS } from '../graphql/apollo';
import type { Context } from '../graphql/context';
import { enforceLimits, guardDocument, MAX_VALIDATION_ERRORS, refusedUnmeasured, type QueryLimits } from '../graphql/limits';
import type { Logger } from '../log';
import {
  CLOSE_POLICY_VIOLATION,
  ConnectionCounter,
  clientAddress,
  limitMessages,
  tokenBucket,
  tooManySubscriptions,
  type WebSocketLimits,
} from './ws-limits';

/** Bytes sent to a client and not yet read by it, past which its connection is closed. */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

/** What is open now, for tests and metrics. */
export interface SubscriptionStats {
  /** WebSocket connections open (the ws server's own list). */
  connections: number;
  /** Connections counted against WS_MAX_CONNECTIONS; equal to `connections` unless a count leaked. */
  counted: number;
  /** Client addresses with a connection open (entries in the per-address table). */
  clients: number;
  /** Operations running, over all connections. */
  subscriptions: number;
}

/** The graphql-ws connection context, as far as counting subscriptions needs it. */
interface ConnectionContext {
  readonly subscriptions: Record<string, unknown>;
}

/**
 * A refusal as a graphql-ws `error` message says it over HTTP: the message formatted the same way
 * (limits explained, long input cut), no HTTP status among the extensions; a refusal that could not
 * be measured is logged with its cause.
 */
function asClientError(error: GraphQLError, log: Logger): GraphQLError {
  if (error.extensions.code === 'QUERY_REFUSED') log.error({ err: error.cause }, 'limits: unable to measure a subscription; it was refused');
  const formatted = formatError(log)(error.toJSON(), error);
  const { http: _http, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  return new GraphQLError(formatted.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions });
}

/**
 * GraphQL subscriptions over the graphql-ws protocol, on the HTTP server's port and at /graphql,
 * with the same depth and cost limits as queries, and caps on connections, subscriptions and
 * messages (WebSocketLimits) so that one client cannot hold the server's memory.
 */
export function startSubscriptions(options: {
  httpServer: http.Server;
  schema: GraphQLSchema;
  limits: QueryLimits;
  wsLimits: WebSocketLimits;
  context: () => Context;
  log: Logger;
}): { close(): Promise<void>; stats(): SubscriptionStats } {
  const { httpServer, schema, limits, wsLimits, context, log } = options;
  // noServer: the upgrade is answered here, so a connection over a cap is refused with an HTTP
  // status and a line of text before it opens, instead of opening only to be closed.
  const wsServer = new WebSocketServer({ noServer: true, path: '/graphql', maxPayload: 64 * 1024 });
  const connections = new ConnectionCounter(wsLimits);
  // Per socket, the ids of the operations it was allowed to start. Weak, so that nothing of a
  // connection outlives its socket.
  const admitted = new WeakMap<WebSocket, { ctx: ConnectionContext; ids: Set<string> }>();
  let closing = false;

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!wsServer.shouldHandle(request)) return refuseUpgrade(socket, 404, 'no WebSocket endpoint here (subscriptions are at /graphql)');
    if (closing) return refuseUpgrade(socket, 503, 'the server is shutting down');
    const address = clientAddress(request.socket.remoteAddress);
    const refusal = connections.refusal(address);
    if (refusal) {
      log.info({ address, status: refusal.status }, `subscriptions: refused a connection: ${refusal.message}`);
      return refuseUpgrade(socket, refusal.status, refusal.message);
    }
    // handleUpgrade calls back synchronously, so no other upgrade can pass the check above before
    // this one is counted; a handshake that fails never calls back and is never counted.
    wsServer.handleUpgrade(request, socket, head, (ws) => {
      ws.once('close', connections.add(address));
      limitMessageRate(ws);
      wsServer.emit('connection', ws, request);
    });
  };
  httpServer.on('upgrade', onUpgrade);

  /**
   * Closes a connection (1008) whose client sends faster than the token bucket allows. Registered
   * before graphql-ws sees the socket, so it runs first for each message; the messages that still
   * arrive once the close has begun start nothing (see admitSubscription).
   */
  function limitMessageRate(ws: WebSocket): void {
    const take = tokenBucket(wsLimits.maxMessagesPerSecond, 2 * wsLimits.maxMessagesPerSecond);
    ws.on('message', () => {
      if (ws.readyState !== WebSocket.OPEN || take()) return;
      log.info({ limit: wsLimits.maxMessagesPerSecond }, 'subscriptions: closed a connection over the message rate');
      ws.close(CLOSE_POLICY_VIOLATION, limitMessages.messages(wsLimits.maxMessagesPerSecond));
    });
  }

  /**
   * Operations running on a connection: those admitted that graphql-ws still lists. graphql-ws drops
   * an id when its operation ends, when the client completes it, and (all of them) when the socket
   * closes, so the count follows every way an operation stops without a counter of our own to leak.
   */
  function running(entry: { ctx: ConnectionContext; ids: Set<string> }): number {
    for (const id of entry.ids) if (!(id in entry.ctx.subscriptions)) entry.ids.delete(id);
    return entry.ids.size;
  }

  /** Null when the operation may start; otherwise the error the client gets for it. */
  function admitSubscription(ctx: ConnectionContext & { extra: { socket: WebSocket } }, id: string): GraphQLError | null {
    const socket = ctx.extra.socket;
    if (socket.readyState !== WebSocket.OPEN) {
      return new GraphQLError('subscriptions: the connection is closing', { extensions: { code: 'CONNECTION_CLOSING' } });
    }
    let entry = admitted.get(socket);
    if (!entry) admitted.set(socket, (entry = { ctx, ids: new Set() }));
    // graphql-ws closes the connection (4409) on an id that is still running, so an id seen again
    // here belongs to an operation that has ended.
    entry.ids.delete(id);
    if (running(entry) >= wsLimits.maxSubscriptionsPerConnection) return tooManySubscriptions(wsLimits.maxSubscriptionsPerConnection);
    entry.ids.add(id);
    return null;
  }

  const cleanup = useServer(
    {
      schema,
      context: () => context(),
      onSubscribe: (ctx, id, payload) => {
        const refusal = admitSubscription(ctx, id);
        if (refusal) return [refusal];
        // The same three stages as over HTTP: the document's text, validation, the operation's measure.
        const refuse = (errors: readonly GraphQLError[]) => errors.map((error) => asClientError(error, log));
        let document;
        try {
          document = guardDocument(payload.query, limits);
        } catch (err) {
          return refuse([err instanceof GraphQLError ? err : Object.assign(refusedUnmeasured(), { cause: err })]);
        }
        const errors = validate(schema, document, undefined, { maxErrors: MAX_VALIDATION_ERRORS });
        if (errors.length > 0) return refuse(errors);
        // Variables are read here, as Apollo does over HTTP: a few BAD_USER_INPUT errors, not one
        // unexplained error per bad value.
        const operation = getOperationAST(document, payload.operationName);
        if (operation) {
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: MAX_COERCION_ERRORS });
          if (coerced.errors) {
            return refuse(coerced.errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'BAD_USER_INPUT' } })));
          }
        }
        try {
          enforceLimits(schema, document, payload.operationName, payload.variables ?? undefined, limits);
        } catch (err) {
          return refuse([err instanceof GraphQLError ? err : Object.assign(refusedUnmeasured(), { cause: err })]);
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
      onNext: (ctx, _id, _payload, _args, result) => {
        // A client that does not read what it subscribed to would have the server hold it all.
        const socket = (ctx.extra as { socket: WebSocket }).socket;
        if (socket.bufferedAmount > MAX_UNREAD_BYTES) {
          log.info({ unread: socket.bufferedAmount }, 'subscriptions: closed a connection that does not read');
          socket.close(CLOSE_POLICY_VIOLATION, limitMessages.unread(MAX_UNREAD_BYTES));
          // The socket is closing: graphql-ws sends nothing more on it.
          return;
        }
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
      closing = true;
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      httpServer.off('upgrade', onUpgrade);
    },
    stats() {
      let subscriptions = 0;
      for (const socket of wsServer.clients) {
        const entry = admitted.get(socket);
        if (entry) subscriptions += running(entry);
      }
      const counted = connections.counts;
      return { connections: wsServer.clients.size, counted: counted.connections, clients: counted.clients, subscriptions };
    },
  };
}

/** Answers an upgrade request with an HTTP error and a line of text, then drops the socket. */
function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  // Node hands an upgrade's socket over without its error handler; a client that has gone is no error here.
  socket.on('error', () => socket.destroy());
  const body = `${message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The entry point of a GraphQL executor thread (a thread of the read pool, started by
 * openPooledStore with executorThread(), executor.ts): the schema and an Apollo server of its own
 * over the thread's read-only connection. The HTTP front (main thread) reads the request, answers
 * repeats from its cache and checks the document's size; the thread runs everything else of the
 * request (limits, parse, validate, execute, format), in one read transaction (serveReads). It also
 * answers the store's reads by name, for subscriptions and health checks on the main thread.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log';
import type { ReadWorkerData } from '../store/sqlite/read-pool';
import { serveReads } from '../store/sqlite/read-thread';
import { createApollo } from './apollo';
import { createContext } from './context';
import { apolloExecutor, EXECUTE_METHOD, type ExecutorThreadData } from './executor';
import { buildApiSchema } from './schema';

if (!parentPort) throw new Error('graphql: executor-thread.js runs as a worker thread (ReadPool), not on its own');
const data = workerData as ReadWorkerData;
const extra = data.extra as ExecutorThreadData;
// A connection or a schema that cannot be made rejects, unhandled: the thread dies with that error
// and ReadPool reports it (at start, serve exits with it).
void serveReads(parentPort, data.storeOptions, async (store) => {
  const log = createLogger(extra.logLevel, extra.logDestination).child({ thread: 'graphql' });
  const apollo = createApollo(await buildApiSchema(), log, extra.api);
  await apollo.start();
  return { [EXECUTE_METHOD]: apolloExecutor(apollo, () => createContext(store, log, undefined, extra.api.queryTimeoutMs)) };
});

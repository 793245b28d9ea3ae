import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import type { LogLevel } from './config';

export type Logger = pino.Logger;

/** The id of the HTTP request being served (X-Request-Id), through everything it calls. */
const requestScope = new AsyncLocalStorage<string>();

/** Runs `work` as part of request `requestId`: every log line written meanwhile carries the id. */
export function inRequest<T>(requestId: string, work: () => T): T {
  return requestScope.run(requestId, work);
}

/** The fields pino adds to each line: the request's id while one is being served. */
export function logMixin(): { requestId?: string } {
  const requestId = requestScope.getStore();
  return requestId === undefined ? {} : { requestId };
}

/**
 * JSON lines, one per event. The service logs to standard output (what container runtimes collect);
 * CLI commands log to standard error so that their own output stays clean.
 */
export function createLogger(level: LogLevel, destination: 1 | 2 = 1): Logger {
  return pino({ name: 'foundation-wire', level, mixin: logMixin }, pino.destination({ fd: destination, sync: true }));
}

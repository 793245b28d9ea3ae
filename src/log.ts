import pino from 'pino';
import type { LogLevel } from './config';

export type Logger = pino.Logger;

/**
 * JSON lines, one per event. The service logs to standard output (what container runtimes collect);
 * CLI commands log to standard error so that their own output stays clean.
 */
export function createLogger(level: LogLevel, destination: 1 | 2 = 1): Logger {
  return pino({ name: 'foundation-wire', level }, pino.destination({ fd: destination, sync: true }));
}

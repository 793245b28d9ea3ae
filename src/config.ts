import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';
import { PACKAGE_ROOT } from './paths';

/**
 * One table of every setting: the environment variable, how it is parsed, its default and what it
 * accepts (said in the error when a value is refused). Read once at start-up by `loadConfig`; the
 * resulting object is frozen and passed explicitly to whatever needs it (no global singleton).
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(min: number, max: number) {
  return z.coerce.number().int().min(min).max(max);
}

const options = {
  /** TCP port of the HTTP server (GraphQL at /graphql, health at /healthz). */
  port: { env: 'PORT', schema: integer(1, 65535), default: 4000, accepts: 'an integer from 1 to 65535' },
  /** Address to listen on. Loopback by default; the container image sets 0.0.0.0. */
  host: { env: 'HOST', schema: z.string().min(1), default: '127.0.0.1', accepts: 'a host name or IP address' },
  /** The SQLite database file; its folder is created when missing. */
  databasePath: {
    env: 'DATABASE_PATH',
    schema: z.string().min(1),
    default: './data/foundation-wire.db',
    accepts: 'a file path',
  },
  /** How long a connection waits for another process's write lock before giving up (SQLite busy_timeout). */
  databaseBusyTimeoutMs: {
    env: 'DATABASE_BUSY_TIMEOUT_MS',
    schema: integer(0, 600_000),
    default: 5000,
    accepts: 'an integer number of milliseconds from 0 to 600000',
  },
  /** Minimum level of the JSON log lines written to standard output. */
  logLevel: {
    env: 'LOG_LEVEL',
    schema: z.enum(LOG_LEVELS),
    default: 'info',
    accepts: `one of ${LOG_LEVELS.join(', ')}`,
  },
  /** The reference data (foundations, companies, memberships, default feeds) loaded at start-up. */
  referenceDataPath: {
    env: 'REFERENCE_DATA_PATH',
    schema: z.string().min(1),
    default: path.join(PACKAGE_ROOT, 'src', 'reference', 'foundations.yaml'),
    accepts: 'a file path',
  },
  /** Largest accepted HTTP request body, in bytes. */
  maxRequestBodyBytes: {
    env: 'MAX_REQUEST_BODY_BYTES',
    schema: integer(1024, 100 * 1024 * 1024),
    default: 1024 * 1024,
    accepts: 'an integer number of bytes from 1024 to 104857600',
  },
} as const;

type Options = typeof options;
export type Config = Readonly<{ [K in keyof Options]: z.output<Options[K]['schema']> }>;
export type LogLevel = Config['logLevel'];

/**
 * Reads and validates every setting. Unset and empty variables take their default. Every invalid
 * variable is reported at once, each by name with what it accepts, in a ConfigError.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(options)) {
    const raw = env[option.env];
    if (raw === undefined || raw.trim() === '') {
      config[key] = option.default;
      continue;
    }
    const parsed = (option.schema as z.ZodType).safeParse(raw.trim());
    if (parsed.success) config[key] = parsed.data;
    else problems.push(`${option.env}=${JSON.stringify(raw)} is invalid: expected ${option.accepts}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config) as Config;
}

/** The environment variables this service reads, with defaults and accepted values, for `--help` and the README. */
export function describeSettings(): { env: string; default: unknown; accepts: string }[] {
  return Object.values(options).map((o) => ({ env: o.env, default: o.default, accepts: o.accepts }));
}

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

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as "90s", "15m", "24h", "30d" or "500ms", in milliseconds, within [min, max]. */
function duration(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'a number and a unit')
    .transform((text) => {
      const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(text)!;
      return Number(amount) * UNIT_MS[unit];
    })
    .pipe(z.number().min(min).max(max));
}

/** On and off, in the usual spellings, any case: true/false, 1/0, yes/no, on/off. */
const boolean = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

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
    shownDefault: 'src/reference/foundations.yaml',
    schema: z.string().min(1),
    default: path.join(PACKAGE_ROOT, 'src', 'reference', 'foundations.yaml'),
    accepts: 'a file path',
  },
  /** Run the feed scheduler inside the service. */
  fetchEnabled: { env: 'FETCH_ENABLED', schema: boolean, default: true, accepts: 'true or false (also 1/0, yes/no, on/off, any case)' },
  /** Most feed fetches running at once (never more than one per host). */
  fetchConcurrency: { env: 'FETCH_CONCURRENCY', schema: integer(1, 64), default: 8, accepts: 'an integer from 1 to 64' },
  /** Shortest time between two fetches of a feed, however busy it is. */
  fetchMinIntervalMs: {
    env: 'FETCH_MIN_INTERVAL',
    shownDefault: '15m',
    schema: duration(60_000, 7 * 86_400_000),
    default: 15 * 60_000,
    accepts: 'a duration from 1m to 7d, such as 15m',
  },
  /** Longest time between two fetches of a feed, however quiet it is (and the cap of failure backoff). */
  fetchMaxIntervalMs: {
    env: 'FETCH_MAX_INTERVAL',
    shownDefault: '24h',
    schema: duration(60_000, 30 * 86_400_000),
    default: 24 * 3_600_000,
    accepts: 'a duration from 1m to 30d, such as 24h',
  },
  /** Whole-request time limit of a fetch (connecting, waiting, reading the body). */
  fetchTimeoutMs: {
    env: 'FETCH_TIMEOUT',
    shownDefault: '30s',
    schema: duration(100, 600_000),
    default: 30_000,
    accepts: 'a duration from 100ms to 10m, such as 30s',
  },
  /** Time limit for opening the connection (DNS, TCP, TLS). */
  fetchConnectTimeoutMs: {
    env: 'FETCH_CONNECT_TIMEOUT',
    shownDefault: '10s',
    schema: duration(100, 120_000),
    default: 10_000,
    accepts: 'a duration from 100ms to 2m, such as 10s',
  },
  /** Largest feed body accepted (after decompression); bigger ones fail with a clear error. */
  fetchMaxBodyBytes: {
    env: 'FETCH_MAX_BODY_BYTES',
    schema: integer(1024, 1024 * 1024 * 1024),
    default: 10 * 1024 * 1024,
    accepts: 'an integer number of bytes from 1024 to 1073741824',
  },
  /** Allow feeds on loopback, private, link-local and unspecified addresses (off: server-side request forgery guard). */
  fetchAllowPrivateHosts: { env: 'FETCH_ALLOW_PRIVATE_HOSTS', schema: boolean, default: false, accepts: 'true or false (also 1/0, yes/no, on/off, any case)' },
  /** How long the per-feed log of fetch attempts is kept. */
  fetchLogRetentionMs: {
    env: 'FETCH_LOG_RETENTION',
    shownDefault: '30d',
    schema: duration(3_600_000, 365 * 86_400_000),
    default: 30 * 86_400_000,
    accepts: 'a duration from 1h to 365d, such as 30d',
  },
  /** Longest GraphQL document accepted, in characters, checked before it is parsed. */
  queryMaxLength: { env: 'QUERY_MAX_LENGTH', schema: integer(1024, 1024 * 1024), default: 32_768, accepts: 'an integer from 1024 to 1048576' },
  /** Most lexical tokens (names, punctuation, values) in a GraphQL document; parsing stops at the limit. */
  queryMaxTokens: { env: 'QUERY_MAX_TOKENS', schema: integer(100, 1_000_000), default: 5000, accepts: 'an integer from 100 to 1000000' },
  /** Most aliased fields in an operation and the fragments it uses. */
  queryMaxAliases: { env: 'QUERY_MAX_ALIASES', schema: integer(0, 10_000), default: 30, accepts: 'an integer from 0 to 10000' },
  /** Most directives (@include, @skip, ...) in a GraphQL document. */
  queryMaxDirectives: { env: 'QUERY_MAX_DIRECTIVES', schema: integer(0, 10_000), default: 50, accepts: 'an integer from 0 to 10000' },
  /** Deepest nesting of fields a query may have (introspection fields do not count). */
  queryMaxDepth: { env: 'QUERY_MAX_DEPTH', schema: integer(2, 100), default: 10, accepts: 'an integer from 2 to 100' },
  /** Highest cost a query may have: every field costs 1, objects add what they select, and `first`/`last` multiply what a connection selects. */
  queryMaxCost: { env: 'QUERY_MAX_COST', schema: integer(10, 1_000_000), default: 10_000, accepts: 'an integer from 10 to 1000000' },
  /** Longest a query may run; fields left to resolve after that fail with QUERY_TIMEOUT. */
  queryTimeoutMs: {
    env: 'QUERY_TIMEOUT',
    shownDefault: '10s',
    schema: duration(100, 600_000),
    default: 10_000,
    accepts: 'a duration from 100ms to 10m, such as 10s',
  },
  /** How long public responses may be cached (Cache-Control max-age, and the in-memory response cache); 0s turns caching off. */
  cacheMaxAgeSeconds: {
    env: 'CACHE_MAX_AGE',
    shownDefault: '30s',
    schema: duration(0, 86_400_000).transform((ms) => Math.floor(ms / 1000)),
    default: 30,
    accepts: 'a duration from 0s to 1d, such as 30s',
  },
  /** Most WebSocket connections open at once, from all clients together. */
  wsMaxConnections: { env: 'WS_MAX_CONNECTIONS', schema: integer(1, 1_000_000), default: 1000, accepts: 'an integer from 1 to 1000000' },
  /** Most WebSocket connections open at once from one client address. */
  wsMaxConnectionsPerClient: {
    env: 'WS_MAX_CONNECTIONS_PER_CLIENT',
    schema: integer(1, 100_000),
    default: 10,
    accepts: 'an integer from 1 to 100000',
  },
  /** Most subscriptions running at once on one WebSocket connection. */
  wsMaxSubscriptionsPerConnection: {
    env: 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION',
    schema: integer(1, 10_000),
    default: 20,
    accepts: 'an integer from 1 to 10000',
  },
  /** Most messages a client may send on one WebSocket connection per second (a short burst of twice as many is allowed). */
  wsMaxMessagesPerSecond: {
    env: 'WS_MAX_MESSAGES_PER_SECOND',
    schema: integer(1, 100_000),
    default: 20,
    accepts: 'an integer from 1 to 100000',
  },
  /** Longest an HTTP connection may go without sending or receiving anything (a client that stops reading a response is dropped). */
  httpIdleTimeoutMs: {
    env: 'HTTP_IDLE_TIMEOUT',
    shownDefault: '30s',
    schema: duration(100, 600_000),
    default: 30_000,
    accepts: 'a duration from 100ms to 10m, such as 30s',
  },
  /** Threads that run database reads (GraphQL queries), each with its own connection; 0 gives one per core. */
  readWorkers: {
    env: 'READ_WORKERS',
    schema: integer(0, 64),
    default: 0,
    accepts: 'an integer from 0 to 64 (0: one per core)',
  },
  /** Longest one transaction of a feed save may hold SQLite's write lock; a bigger feed is saved in several, its state last. */
  writeTransactionMaxMs: {
    env: 'WRITE_TRANSACTION_MAX',
    shownDefault: '100ms',
    schema: duration(10, 5000),
    default: 100,
    accepts: 'a duration from 10ms to 5s, such as 100ms',
  },
  /** Most rows counted for a totalCount that no index or aggregate answers; past it, totalCount is a lower bound (totalCountIsExact false). */
  countMax: { env: 'COUNT_MAX', schema: integer(100, 100_000_000), default: 1000, accepts: 'an integer from 100 to 100000000' },
  /** How many of the newest matching articles a search ranks by relevance (bounds the work for very common terms). */
  searchMaxCandidates: {
    env: 'SEARCH_MAX_CANDIDATES',
    schema: integer(100, 100_000_000),
    default: 1000,
    accepts: 'an integer from 100 to 100000000',
  },
  /** A bearer token that /metrics requires (`Authorization: Bearer <token>`); empty: /metrics is open. */
  metricsToken: {
    env: 'METRICS_TOKEN',
    shownDefault: '(none)',
    schema: z.string().refine((v) => v === '' || v.length >= 32, 'at least 32 characters'),
    default: '',
    accepts: 'empty (no token) or a token of at least 32 characters',
    // Never quoted back in an error.
    secret: true,
    emptyMeans: 'no token',
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
    if (raw === undefined) {
      config[key] = option.default;
      continue;
    }
    // Set but empty (`DATABASE_PATH=` in an env file) is a mistake, not a request for the default;
    // only a setting whose values include "empty" (METRICS_TOKEN: none) takes it.
    if (raw.trim() === '') {
      if ('emptyMeans' in option) config[key] = option.default;
      else problems.push(`${option.env} is set but empty: give it ${option.accepts}, or unset it for the default (${'shownDefault' in option ? option.shownDefault : String(option.default)})`);
      continue;
    }
    const parsed = (option.schema as z.ZodType).safeParse(raw.trim());
    if (parsed.success) config[key] = parsed.data;
    else if ('secret' in option) problems.push(`${option.env} (${raw.trim().length} characters, not shown) is invalid: expected ${option.accepts}`);
    else problems.push(`${option.env}=${JSON.stringify(raw)} is invalid: expected ${option.accepts}`);
  }
  if (problems.length === 0 && (config.fetchMinIntervalMs as number) > (config.fetchMaxIntervalMs as number)) {
    problems.push('FETCH_MIN_INTERVAL must not be longer than FETCH_MAX_INTERVAL');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config) as Config;
}

/** The environment variables this service reads, with defaults and accepted values, for `--help`. */
export function describeSettings(): { env: string; shownDefault: string; accepts: string }[] {
  return Object.values(options).map((o) => ({
    env: o.env,
    shownDefault: 'shownDefault' in o ? String(o.shownDefault) : String(o.default),
    accepts: o.accepts,
  }));
}

/**
 * Errors that say which module was unable to do what (Miniflux style: "store: unable to ...").
 * Each carries a stable `code` that callers and tests can branch on, and the original error as `cause`.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The environment holds a value the service cannot run with. */
export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('CONFIG_INVALID', `config: invalid environment:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The database cannot be brought to the schema this code expects. */
export class MigrationError extends AppError {}

/** The reference data file is unreadable or inconsistent. */
export class ReferenceDataError extends AppError {
  constructor(
    message: string,
    readonly problems: string[] = [],
    options?: { cause?: unknown },
  ) {
    super('REFERENCE_DATA_INVALID', problems.length ? `${message}:\n  - ${problems.join('\n  - ')}` : message, options);
  }
}

/** A store operation failed; the message names the operation. */
export class StoreError extends AppError {}

/** Describes any thrown value in one line, for logs and error messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The caller asked for something that cannot be answered as asked (a cursor from another list, an
 * unknown slug in a filter). The API reports it as BAD_USER_INPUT with this message.
 */
export class BadInputError extends AppError {
  constructor(message: string) {
    super('BAD_INPUT', message);
  }
}

/**
 * A user's value as it may appear in an error message: JSON-quoted (so control characters and lone
 * surrogates show as escapes) and, when longer than `max` characters inside the quotes, cut with an
 * ellipsis and followed by the value's length, so that a 10,000-character id makes a short message:
 * `"aaaa…" (10000 characters)`. Characters are code points, as a user counts them: the cut never
 * splits a surrogate pair, and an escape (`\u0000`) is kept whole or left out.
 */
export function quote(value: string, max = 100): string {
  let body = '';
  let width = 0; // characters in `body`, an escape counting for its length
  let consumed = 0; // UTF-16 code units of `value` already in `body`
  let kept = 0; // code points of `value` already in `body`
  for (const char of value) {
    const escaped = JSON.stringify(char).slice(1, -1);
    const w = escaped === char ? 1 : escaped.length;
    if (width + w > max) break;
    body += escaped;
    width += w;
    consumed += char.length;
    kept++;
  }
  if (consumed === value.length) return `"${body}"`;
  let total = kept;
  for (const _ of value.slice(consumed)) total++;
  return `"${body}…" (${total} characters)`;
}

/**
 * A message from graphql-js or Apollo with every double-quoted run longer than `max` characters cut
 * (`Variable "$d" got invalid value "qqqq…"`): they quote the caller's values, names and enum
 * spellings whole, and some scalars unquoted. One linear scan for the quotes, one for long runs.
 */
export function shortenQuoted(message: string, max = 100): string {
  if (message.length <= max) return message;
  let out = '';
  let i = 0;
  while (i < message.length) {
    const open = message.indexOf('"', i);
    if (open === -1) {
      out += message.slice(i);
      break;
    }
    // The closing quote: the next one not escaped by a backslash.
    let close = open + 1;
    while (close < message.length && message[close] !== '"') close += message[close] === '\\' ? 2 : 1;
    const inside = message.slice(open + 1, Math.min(close, message.length));
    let kept = inside;
    if (inside.length > max) {
      kept = inside.slice(0, max);
      // Never half a surrogate pair (nor half an escape such as \u0000).
      if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
      kept = `${kept.replace(/\\[^"]{0,5}$/, '')}…`;
    }
    out += `${message.slice(i, open)}"${kept}"`;
    i = close + 1;
  }
  // Some scalars quote nothing (`cannot represent an invalid date-time-string xxxx...`): cut any
  // unbroken run of text as long as that too, and, for input with spaces or printed as an object,
  // the whole message at ten quotes' length.
  out = out.replace(new RegExp(`[^\\s"]{${max + 1},}`, 'g'), (run) => `${run.slice(0, /[\ud800-\udbff]/.test(run[max - 1]) ? max - 1 : max)}…`);
  const whole = 10 * max;
  return out.length > whole ? `${out.slice(0, /[\ud800-\udbff]/.test(out[whole - 1]) ? whole - 1 : whole)}…` : out;
}

/**
 * A database read ran past its time budget (QUERY_TIMEOUT) and was stopped: SQLite cannot be
 * interrupted from outside, so the thread running it was ended (read-pool.ts).
 */
export class QueryTimeoutError extends AppError {
  constructor(
    readonly budgetMs: number,
    options?: { cause?: unknown },
  ) {
    super('QUERY_TIMEOUT', `store: the query ran past its time budget of ${budgetMs} ms (QUERY_TIMEOUT) and was stopped`, options);
  }
}

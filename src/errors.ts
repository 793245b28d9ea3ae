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

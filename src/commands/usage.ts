import { AppError } from '../errors';

/**
 * A command given wrong options or arguments: the command line prints the message and the
 * command's usage, and exits with code 2 (no stack trace: it is the caller's mistake).
 */
export class UsageError extends AppError {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super('USAGE', `${command}: ${message}`);
  }
}

/** Each command's usage, printed by `<command> --help` and with a usage error. */
export const COMMAND_USAGE: Record<string, string> = {
  serve: `Usage: foundation-wire serve

Runs the service: GraphQL at /graphql (and subscriptions over WebSocket), /explorer, /healthz,
/readyz, /metrics, and the feed scheduler (FETCH_ENABLED). Stops cleanly on SIGTERM or SIGINT.
`,
  migrate: `Usage: foundation-wire migrate

Applies the pending database migrations (migrations/) to DATABASE_PATH and exits.
`,
  fetch: `Usage: foundation-wire fetch [--all | --feed URL]

Fetches the feeds that are due (or all of them, or one) once, saves their articles, and prints a
summary. Failing feeds are reported, not fatal.
`,
  feeds: `Usage:
  foundation-wire feeds list
  foundation-wire feeds add URL --foundation SLUG [--title TITLE]
  foundation-wire feeds remove URL          an operator's feed and its articles (reference feeds are disabled)
  foundation-wire feeds disable URL | enable URL
`,
  relink: `Usage: foundation-wire relink

Recomputes which companies and foundations every article mentions (after the reference data's
names or aliases changed).
`,
  schema: `Usage: foundation-wire schema [--write | --check]

Prints the GraphQL schema; --write saves it to schema/schema.graphql; --check fails when that file
differs from the code.
`,
  backup: `Usage: foundation-wire backup FILE [--force]

A consistent copy of DATABASE_PATH (SQLite's online backup), also while the service runs; the copy
is checked before it takes FILE's name. --force replaces an existing FILE.
`,
  restore: `Usage: foundation-wire restore FILE [--force]

Checks FILE (a backup) and makes it the database at DATABASE_PATH. Stop the service first; --force
replaces an existing database.
`,
};

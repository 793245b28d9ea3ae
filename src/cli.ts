#!/usr/bin/env node
// First: refuse an unsupported Node.js before a native module can crash it.
import './runtime';
import 'reflect-metadata';
import { backupCommand, restoreCommand } from './commands/backup';
import { fetchCommand } from './commands/fetch';
import { feedsCommand } from './commands/feeds';
import { migrateCommand } from './commands/migrate';
import { relinkCommand } from './commands/relink';
import { schemaCommand } from './commands/schema';
import { serveCommand } from './commands/serve';
import { describeSettings, loadConfig } from './config';
import { COMMAND_USAGE, UsageError } from './commands/usage';
import { AppError, describeError, quote } from './errors';
import { createLogger } from './log';
import { packageInfo } from './paths';

const USAGE = `Usage: foundation-wire <command> [options]

Commands:
  serve                      Run the service: GraphQL API at /graphql, health at /healthz, and the
                             feed scheduler (what \`npm start\` runs)
  migrate                    Apply pending database migrations and exit
  fetch [--all | --feed URL] Fetch the feeds that are due (or all, or one) once, then print a summary
  feeds list                 List the feeds with their status
  feeds add URL --foundation SLUG [--title TITLE]
  feeds remove URL           Remove an operator's feed (reference feeds are disabled instead)
  feeds disable URL | enable URL
  relink                     Recompute which companies and foundations every article mentions
  backup FILE [--force]      Copy the database consistently (SQLite's online backup), also while
                             the service runs; the copy is checked before it takes FILE's name
  restore FILE [--force]     Check a backup and make it the database (stop the service first;
                             --force to replace an existing database)
  schema [--write | --check] Print the GraphQL schema; --write saves schema/schema.graphql;
                             --check fails when that file differs from the code
  --version                  Print the version

\`foundation-wire <command> --help\` says more about a command. Exit codes: 0 done, 1 failed,
2 wrong command, option or argument.

Configuration comes from environment variables:
${describeSettings()
  .map((s) => `  ${s.env.padEnd(26)} ${s.accepts} (default: ${s.shownDefault})`)
  .join('\n')}
`;

/** The commands that take no options or arguments. */
const BARE = new Set(['serve', 'migrate', 'relink']);

/** node:util parseArgs refusing an option or an argument: the caller's mistake. */
function isParseArgsError(err: unknown): err is Error {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** Runs a command; resolves to its exit code, or null for `serve`, which keeps running. */
export async function main(argv: string[]): Promise<number | null> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    const { name, version } = packageInfo();
    process.stdout.write(`${name} ${version}\n`);
    return 0;
  }
  if (!Object.hasOwn(COMMAND_USAGE, command)) {
    process.stderr.write(`foundation-wire: unknown command ${quote(command, 60)}\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(COMMAND_USAGE[command]);
    return 0;
  }
  try {
    if (BARE.has(command) && rest.length > 0) throw new UsageError(command, `unexpected argument ${quote(rest[0], 60)}`);
    return await run(command, rest);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      const message = err instanceof UsageError ? err.message : `${command}: ${err.message.slice(0, 300)}`;
      process.stderr.write(`${message}\n\n${COMMAND_USAGE[command]}`);
      return 2;
    }
    throw err;
  }
}

async function run(command: string, rest: string[]): Promise<number | null> {
  if (command === 'schema') return schemaCommand(rest);
  const config = loadConfig();
  // The service logs to standard output; other commands keep it for their own output.
  const log = createLogger(config.logLevel, command === 'serve' ? 1 : 2);
  switch (command) {
    case 'serve':
      await serveCommand(config, log);
      return null;
    case 'migrate':
      return migrateCommand(config, log);
    case 'fetch':
      return fetchCommand(rest, config, log);
    case 'feeds':
      return feedsCommand(rest, config, log);
    case 'backup':
      return backupCommand(rest, config, log);
    case 'restore':
      return restoreCommand(rest, config, log);
    default:
      return relinkCommand(config, log);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== null) process.exitCode = code;
    },
    (err: unknown) => {
      // Known failures (bad config, edited migration, bad reference data) are explained by their
      // message; anything else says it was unexpected, with the stack under LOG_LEVEL=debug only.
      const message = err instanceof AppError ? err.message : `foundation-wire: unexpected error: ${describeError(err)}`;
      process.stderr.write(`${message}\n`);
      if (!(err instanceof AppError) && err instanceof Error && err.stack && process.env.LOG_LEVEL === 'debug') process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    },
  );
}

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
import { AppError, describeError } from './errors';
import { createLogger } from './log';

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

Configuration comes from environment variables:
${describeSettings()
  .map((s) => `  ${s.env.padEnd(26)} ${s.accepts} (default: ${s.shownDefault})`)
  .join('\n')}
`;

/** Runs a command; resolves to its exit code, or null for `serve`, which keeps running. */
export async function main(argv: string[]): Promise<number | null> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'schema') return schemaCommand(rest);
  const commands = ['serve', 'migrate', 'fetch', 'feeds', 'relink', 'backup', 'restore'];
  if (!commands.includes(command)) {
    process.stderr.write(`foundation-wire: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
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
      // Known failures (bad config, edited migration, bad reference data) are explained by their message.
      const message = err instanceof AppError ? err.message : `foundation-wire: unexpected error: ${describeError(err)}`;
      process.stderr.write(`${message}\n`);
      if (!(err instanceof AppError) && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    },
  );
}

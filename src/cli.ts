#!/usr/bin/env node
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeSettings, loadConfig, type Config } from './config';
import { AppError, describeError } from './errors';
import { buildApiSchema, printApiSchema } from './graphql/schema';
import { createLogger, type Logger } from './log';
import { openStore, startService } from './main';
import { PACKAGE_ROOT } from './paths';

const USAGE = `Usage: foundation-wire <command> [options]

Commands:
  serve              Run the service: GraphQL API at /graphql, health at /healthz (what \`npm start\` runs)
  migrate            Apply pending database migrations and exit
  schema [--write]   Print the GraphQL schema (SDL); --write saves it to schema/schema.graphql
         [--check]   Exit 1 when schema/schema.graphql differs from the code's schema

Configuration comes from environment variables:
${describeSettings()
  .map((s) => `  ${s.env.padEnd(26)} ${s.accepts} (default: ${String(s.default)})`)
  .join('\n')}
`;

const SCHEMA_FILE = path.join(PACKAGE_ROOT, 'schema', 'schema.graphql');

async function serve(config: Config, log: Logger): Promise<void> {
  const service = await startService(config, log);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'serve: shutting down');
    // Requests in flight finish; the database is closed last, after the last write.
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'serve: unable to shut down cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function migrateCommand(config: Config, log: Logger): Promise<void> {
  const store = openStore(config, log);
  const { applied, current } = store.migration;
  await store.close();
  process.stdout.write(
    applied.length
      ? `Applied ${applied.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`).join(', ')}; the database is at version ${current}.\n`
      : `Nothing to apply; the database is at version ${current}.\n`,
  );
}

async function schemaCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { write: { type: 'boolean' }, check: { type: 'boolean' } } });
  const sdl = printApiSchema(await buildApiSchema());
  if (values.write) {
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, sdl);
    process.stdout.write(`Wrote ${path.relative(process.cwd(), SCHEMA_FILE) || SCHEMA_FILE}\n`);
    return 0;
  }
  if (values.check) {
    const committed = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '';
    if (committed !== sdl) {
      process.stderr.write('schema: schema/schema.graphql differs from the code; run `npm run schema` and commit it\n');
      return 1;
    }
    process.stdout.write('schema/schema.graphql is up to date\n');
    return 0;
  }
  process.stdout.write(sdl);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'schema') return schemaCommand(rest);
  if (command !== 'serve' && command !== 'migrate') {
    process.stderr.write(`foundation-wire: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  if (command === 'serve') {
    await serve(config, createLogger(config.logLevel, 1));
    return -1; // keeps running
  }
  await migrateCommand(config, createLogger(config.logLevel, 2));
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
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

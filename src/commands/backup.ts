import { parseArgs } from 'node:util';
import type { Config } from '../config';
import type { Logger } from '../log';
import { MIGRATIONS_DIR } from '../paths';
import { backupDatabase, restoreDatabase, type DatabaseCheck } from '../store/sqlite/backup';
import { UsageError } from './usage';

function fileArgument(command: string, args: string[]): { file: string; force: boolean } {
  const parsed = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean' } } });
  if (parsed.positionals.length !== 1) throw new UsageError(command, 'one FILE is needed');
  return { file: parsed.positionals[0], force: parsed.values.force === true };
}

const describe = (c: DatabaseCheck) =>
  `${c.articles.toLocaleString('en-US')} articles, ${(c.bytes / 1e6).toFixed(1)} MB, schema version ${c.version}, integrity ok, search index ok`;

/** `foundation-wire backup FILE`: SQLite's online backup of the database, checked, written whole or not at all. */
export async function backupCommand(args: string[], config: Config, log: Logger): Promise<number> {
  const { file, force } = fileArgument('backup', args);
  const started = Date.now();
  const check = await backupDatabase(config.databasePath, file, { force });
  log.info({ database: config.databasePath, backup: file, ms: Date.now() - started }, 'backup: copied the database');
  process.stdout.write(`Backed up ${config.databasePath} to ${file}: ${describe(check)}.\n`);
  return 0;
}

/** `foundation-wire restore FILE`: checks a backup and puts it in place as the database. */
export async function restoreCommand(args: string[], config: Config, log: Logger): Promise<number> {
  const { file, force } = fileArgument('restore', args);
  const check = await restoreDatabase(file, config.databasePath, { force, migrationsDir: MIGRATIONS_DIR });
  log.info({ database: config.databasePath, backup: file }, 'restore: restored the database');
  process.stdout.write(`Restored ${file} into ${config.databasePath}: ${describe(check)}. Start the service to use it.\n`);
  return 0;
}

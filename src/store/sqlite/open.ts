import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, describeError } from '../../errors';

export type Db = Database.Database;

export interface OpenOptions {
  /** Milliseconds a connection waits for another process's write lock (the CLI beside the service). */
  busyTimeoutMs: number;
  /** Called with the text of every statement run: used by tests to count queries. */
  onStatement?: (sql: string) => void;
  readonly?: boolean;
}

/**
 * Opens (creating when missing, with its folder) the SQLite file with the settings the store relies on:
 * WAL (readers never block the writer), foreign keys enforced, a busy timeout, and synchronous=NORMAL,
 * which in WAL mode keeps every committed transaction through a process crash; a power loss can only
 * drop the last commits, never leave a half-written one.
 */
export function openDatabase(file: string, options: OpenOptions): Db {
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file, {
      readonly: options.readonly ?? false,
      verbose: options.onStatement ? (sql) => options.onStatement!(String(sql)) : undefined,
    });
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    throw new StoreError('DB_OPEN_FAILED', `store: unable to open database ${file}: ${describeError(err)}`, {
      cause: err,
    });
  }
}

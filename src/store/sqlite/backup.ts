import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, describeError } from '../../errors';
import { readMigrations } from './migrate';

/**
 * The backup's next step copies every page left (better-sqlite3's largest step): the copy is one read
 * snapshot, which a write in the middle cannot make start over (in WAL mode it does not wait either).
 */
const ALL_REMAINING_PAGES = () => 0x7fffffff;

/** What a check of a database file found. */
export interface DatabaseCheck {
  /** `PRAGMA integrity_check`: "ok", or its first problems. */
  integrity: string;
  /** The full-text index agrees with the articles table (FTS5 integrity-check). */
  searchIndexOk: boolean;
  /** Its schema version (the last migration applied). */
  version: number;
  articles: number;
  bytes: number;
}

/**
 * Copies a database, while a service may be reading and writing it, with SQLite's online backup:
 * every page of one read snapshot (WAL mode: the writer goes on meanwhile), copied in one step, so a
 * write during the copy cannot make it start over. The copy is written next to `dest` and renamed into
 * place once complete, so `dest` is never a half-written file. Refuses an existing `dest` unless `force`.
 */
export async function backupDatabase(source: string, dest: string, options: { force?: boolean } = {}): Promise<DatabaseCheck> {
  if (!fs.existsSync(source)) throw new StoreError('BACKUP_FAILED', `store: unable to back up ${source}: there is no database there`);
  if (fs.existsSync(dest) && !options.force) {
    throw new StoreError('BACKUP_EXISTS', `store: unable to back up to ${dest}: the file exists (pass --force to replace it)`);
  }
  const partial = `${dest}.partial-${process.pid}`;
  let db: Database.Database | null = null;
  try {
    fs.mkdirSync(path.dirname(path.resolve(dest)), { recursive: true });
    db = new Database(source, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    await db.backup(partial, { progress: ALL_REMAINING_PAGES });
    db.close();
    db = null;
    const check = checkDatabase(partial);
    if (check.integrity !== 'ok' || !check.searchIndexOk) {
      throw new Error(`the copy failed its integrity check (${check.integrity}${check.searchIndexOk ? '' : '; the search index disagrees with the articles'})`);
    }
    fs.renameSync(partial, dest);
    return check;
  } catch (err) {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${partial}${suffix}`, { force: true });
    if (err instanceof StoreError) throw err;
    throw new StoreError('BACKUP_FAILED', `store: unable to back up ${source} to ${dest}: ${describeError(err)}`, { cause: err });
  } finally {
    db?.close();
  }
}

/**
 * Puts a backup in place as the database at `target`: the backup is checked first (integrity,
 * search index, a schema this code knows), then copied (SQLite's backup API, into a file renamed into
 * place), its write-ahead log and shared-memory files of an older database removed. Refuses to
 * replace a database unless `force`; the service must not be running on `target`.
 */
export async function restoreDatabase(
  backup: string,
  target: string,
  options: { force?: boolean; migrationsDir: string },
): Promise<DatabaseCheck> {
  if (!fs.existsSync(backup)) throw new StoreError('RESTORE_FAILED', `store: unable to restore ${backup}: there is no such file`);
  if (fs.existsSync(target) && fs.statSync(target).size > 0 && !options.force) {
    throw new StoreError('RESTORE_EXISTS', `store: unable to restore into ${target}: a database is there (stop the service, then pass --force to replace it)`);
  }
  const partial = `${target}.partial-${process.pid}`;
  let db: Database.Database | null = null;
  try {
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    // The backup is copied first and the copy checked, so that the backup itself is only ever read.
    try {
      db = new Database(backup, { readonly: true, fileMustExist: true });
      await db.backup(partial, { progress: ALL_REMAINING_PAGES });
    } catch (err) {
      throw new Error(`it is not a readable SQLite database (${describeError(err)})`, { cause: err });
    } finally {
      db?.close();
      db = null;
    }
    let check: DatabaseCheck;
    try {
      check = checkDatabase(partial);
    } catch (err) {
      throw new Error(`it is not a Foundation Wire database (${describeError(err)})`, { cause: err });
    }
    if (check.integrity !== 'ok' || !check.searchIndexOk) {
      throw new Error(`it fails its integrity check (${check.integrity}${check.searchIndexOk ? '' : '; the search index disagrees with the articles'})`);
    }
    const known = readMigrations(options.migrationsDir).reduce((max, m) => Math.max(max, m.version), 0);
    if (check.version > known) throw new Error(`its schema (version ${check.version}) is newer than this code knows (${known}): restore it with a newer release`);
    // The replaced database's log must not be applied to the restored file.
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true });
    fs.renameSync(partial, target);
    return check;
  } catch (err) {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${partial}${suffix}`, { force: true });
    throw new StoreError('RESTORE_FAILED', `store: unable to restore ${backup} into ${target}: ${describeError(err)}`, { cause: err });
  }
}

/**
 * Checks a database file: SQLite's integrity check, FTS5's check of the search index against the
 * articles, the schema version, the article count. It opens the file for writing (FTS5 runs its check
 * as a special INSERT, which changes nothing): only ever call it on a file this process made.
 */
export function checkDatabase(file: string): DatabaseCheck {
  const db = new Database(file, { fileMustExist: true });
  try {
    const problems = db.prepare('PRAGMA integrity_check(5)').pluck().all() as string[];
    let searchIndexOk = true;
    try {
      // Rank 1: the external content (the articles table) is compared too.
      db.prepare("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)").run();
    } catch {
      searchIndexOk = false;
    }
    const version = db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck().get() as number;
    const articles = db.prepare('SELECT COUNT(*) FROM articles').pluck().get() as number;
    return { integrity: problems.join('; '), searchIndexOk, version, articles, bytes: fs.statSync(file).size };
  } finally {
    db.close();
  }
}

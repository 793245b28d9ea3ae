import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MigrationError, describeError } from '../../errors';
import type { Db } from './open';

/** A numbered SQL file of migrations/: `0001_init.sql`. */
export interface MigrationFile {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: { version: number; name: string }[];
  current: number;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Reads the migration files in version order. Line endings are normalized before hashing so that a
 * checkout with CRLF line endings does not look like an edited migration.
 */
export function readMigrations(dir: string): MigrationFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new MigrationError('MIGRATIONS_UNREADABLE', `migrate: unable to read ${dir}: ${describeError(err)}`, {
      cause: err,
    });
  }
  const migrations: MigrationFile[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(name);
    if (!match) {
      throw new MigrationError(
        'MIGRATION_BAD_NAME',
        `migrate: ${name} is not named NNNN_lowercase_words.sql; rename it so that its order is explicit`,
      );
    }
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new MigrationError('MIGRATION_DUPLICATE', `migrate: two migration files have version ${match[1]}`);
    }
    const sql = fs.readFileSync(path.join(dir, name), 'utf8').replace(/\r\n/g, '\n');
    migrations.push({
      version,
      name: match[2],
      file: name,
      sql,
      checksum: crypto.createHash('sha256').update(sql).digest('hex'),
    });
  }
  return migrations;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Brings the database to the newest migration. Each migration runs in its own IMMEDIATE transaction
 * together with the row that records it (version, name, sha256 checksum), so a crash leaves either
 * the whole migration or none of it, and a second process migrating at the same time waits for the
 * lock and then finds the work done.
 *
 * A database already up to date is only read: every command opens the database through here, and
 * one that waited for the write lock would fail behind a long write of another process (a feed being
 * saved) for nothing.
 *
 * Refuses, before changing anything, when an applied migration's file was edited since (its checksum
 * differs) or is missing (the database is newer than this code).
 */
export function migrate(db: Db, migrations: MigrationFile[], now: () => number = Date.now): MigrationResult {
  // A read of sqlite_master, where CREATE TABLE IF NOT EXISTS would be a statement that writes.
  const hasTable = () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").pluck().get() !== undefined;
  const appliedRows = () =>
    hasTable() ? (db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as AppliedRow[]) : [];
  const current = (rows: AppliedRow[]) => (rows.length ? rows[rows.length - 1].version : 0);
  const before = appliedRows();
  verifyApplied(before, migrations);
  const done = new Set(before.map((row) => row.version));
  const pending = migrations.filter((m) => !done.has(m.version));
  if (pending.length === 0) return { applied: [], current: current(before) };

  const applied: MigrationResult['applied'] = [];
  for (const migration of pending) {
    const apply = db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT    NOT NULL,
        checksum   TEXT    NOT NULL,
        applied_at INTEGER NOT NULL
      )`);
      // Checked again under the lock: another process may have applied it since the read above.
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck().get(migration.version)) return false;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(
        migration.version,
        migration.name,
        migration.checksum,
        now(),
      );
      return true;
    });
    try {
      if (apply.immediate()) applied.push({ version: migration.version, name: migration.name });
    } catch (err) {
      throw new MigrationError(
        'MIGRATION_FAILED',
        `migrate: unable to apply ${migration.file} (rolled back, database unchanged by it): ${describeError(err)}`,
        { cause: err },
      );
    }
  }
  return { applied, current: current(appliedRows()) };
}

function verifyApplied(rows: AppliedRow[], migrations: MigrationFile[]): void {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of rows) {
    const file = byVersion.get(row.version);
    if (!file) {
      const newest = migrations.length ? migrations[migrations.length - 1].version : 0;
      throw new MigrationError(
        'DATABASE_NEWER_THAN_CODE',
        `migrate: the database has migration ${String(row.version).padStart(4, '0')}_${row.name} applied, ` +
          `which this code does not have (its newest is ${String(newest).padStart(4, '0')}): ` +
          'the database was written by a newer version of Foundation Wire; run that version, or restore a backup',
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        'MIGRATION_CHANGED',
        `migrate: ${file.file} was changed after it was applied to this database ` +
          `(recorded sha256 ${row.checksum.slice(0, 12)}…, file now ${file.checksum.slice(0, 12)}…); ` +
          'applied migrations are append-only: restore the file and put the change in a new migration',
      );
    }
  }
}

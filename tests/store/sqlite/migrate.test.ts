import fs from 'node:fs';
import path from 'node:path';
import { MigrationError } from '../../../src/errors';
import { MIGRATIONS_DIR } from '../../../src/paths';
import { migrate, readMigrations } from '../../../src/store/sqlite/migrate';
import { openDatabase } from '../../../src/store/sqlite/open';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { onCleanup, tempDir } from '../../helpers/temp';

const dir = tempDir();
let n = 0;
const open = () => {
  const db = openDatabase(path.join(dir, `m${++n}.db`), { busyTimeoutMs: 100 });
  onCleanup(() => db.close());
  return db;
};

/** A migrations folder holding copies of the real migrations plus the given extra files. */
function migrationsDir(extra: Record<string, string> = {}): string {
  const folder = fs.mkdtempSync(path.join(dir, 'migrations-'));
  for (const file of fs.readdirSync(MIGRATIONS_DIR)) fs.copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(folder, file));
  for (const [file, sql] of Object.entries(extra)) fs.writeFileSync(path.join(folder, file), sql);
  return folder;
}

describe('migrate', () => {
  it('creates the whole schema on a fresh database and records each migration with its checksum', () => {
    const db = open();
    const migrations = readMigrations(MIGRATIONS_DIR);
    const result = migrate(db, migrations);
    expect(result.applied.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'foundations', 'foundation_tiers', 'foundation_aliases', 'companies', 'company_aliases', 'memberships',
        'feeds', 'articles', 'article_company_mentions', 'article_foundation_mentions', 'article_foundations', 'articles_fts',
      ]),
    );
    const recorded = db.prepare('SELECT version, checksum FROM schema_migrations ORDER BY version').all();
    expect(recorded).toEqual(migrations.map((m) => ({ version: m.version, checksum: m.checksum })));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('does nothing when run again', () => {
    const db = open();
    migrate(db, readMigrations(MIGRATIONS_DIR));
    const before = db.prepare('SELECT * FROM schema_migrations').all();
    const again = migrate(db, readMigrations(MIGRATIONS_DIR));
    expect(again.applied).toEqual([]);
    expect(db.prepare('SELECT * FROM schema_migrations').all()).toEqual(before);
  });

  it('applies only the new migrations of a newer code version', () => {
    const db = open();
    migrate(db, readMigrations(MIGRATIONS_DIR));
    const folder = migrationsDir({ '9000_add_note.sql': 'ALTER TABLE feeds ADD COLUMN note TEXT;' });
    const result = migrate(db, readMigrations(folder));
    expect(result.applied).toEqual([{ version: 9000, name: 'add_note' }]);
    expect(result.current).toBe(9000);
  });

  it('refuses a database whose applied migration file was changed since, and changes nothing', () => {
    const db = open();
    migrate(db, readMigrations(migrationsDir({ '9000_add_note.sql': 'ALTER TABLE feeds ADD COLUMN note TEXT;' })));
    const edited = migrationsDir({
      '9000_add_note.sql': 'ALTER TABLE feeds ADD COLUMN note TEXT; -- edited',
      '9001_more.sql': 'CREATE TABLE should_not_exist (id INTEGER);',
    });
    expect(() => migrate(db, readMigrations(edited))).toThrow(MigrationError);
    expect(() => migrate(db, readMigrations(edited))).toThrow(/9000_add_note\.sql was changed after it was applied/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'should_not_exist'").get()).toBeUndefined();
  });

  it('ignores line-ending differences in the checksum (a CRLF checkout is not an edit)', () => {
    const db = open();
    migrate(db, readMigrations(migrationsDir({ '9000_x.sql': 'CREATE TABLE x (id INTEGER);\nCREATE TABLE y (id INTEGER);\n' })));
    const crlf = migrationsDir({ '9000_x.sql': 'CREATE TABLE x (id INTEGER);\r\nCREATE TABLE y (id INTEGER);\r\n' });
    expect(migrate(db, readMigrations(crlf)).applied).toEqual([]);
  });

  it('refuses a database that is newer than the code', () => {
    const db = open();
    migrate(db, readMigrations(migrationsDir({ '9000_future.sql': 'CREATE TABLE future (id INTEGER);' })));
    expect(() => migrate(db, readMigrations(MIGRATIONS_DIR))).toThrow(/written by a newer version of Foundation Wire/);
  });

  it('rolls a failing migration back whole, leaving earlier ones applied', () => {
    const db = open();
    const folder = migrationsDir({ '9000_broken.sql': 'CREATE TABLE half_done (id INTEGER);\nTHIS IS NOT SQL;' });
    expect(() => migrate(db, readMigrations(folder))).toThrow(/unable to apply 9000_broken\.sql \(rolled back/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    const newest = readMigrations(MIGRATIONS_DIR).at(-1)!.version;
    expect(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(newest);
  });

  it('takes no write lock on a database already up to date, so another process\'s long write does not stop it opening', () => {
    const file = path.join(dir, `m${++n}.db`);
    SqliteStore.open({ path: file, busyTimeoutMs: 1000, migrationsDir: MIGRATIONS_DIR }).db.close();
    // Another connection holds the write lock (a big feed being saved, say).
    const writer = openDatabase(file, { busyTimeoutMs: 1000 });
    onCleanup(() => writer.close());
    writer.exec('BEGIN IMMEDIATE');
    try {
      const store = SqliteStore.open({ path: file, busyTimeoutMs: 50, migrationsDir: MIGRATIONS_DIR });
      expect(store.migration.applied).toEqual([]);
      expect(store.migration.current).toBe(readMigrations(MIGRATIONS_DIR).at(-1)!.version);
      store.db.close();
      // A pending migration does need the lock: it waits for it (here 50 ms), then fails, applying nothing.
      const db = openDatabase(file, { busyTimeoutMs: 50 });
      onCleanup(() => db.close());
      const newer = readMigrations(migrationsDir({ '9000_add_note.sql': 'ALTER TABLE feeds ADD COLUMN note TEXT;' }));
      expect(() => migrate(db, newer)).toThrow(/unable to apply 9000_add_note\.sql \(rolled back, database unchanged by it\): (SqliteError: )?database is locked/);
    } finally {
      writer.exec('ROLLBACK');
    }
  });

  it('refuses migration files whose names do not give their order', () => {
    const folder = migrationsDir({ 'add-stuff.sql': 'SELECT 1;' });
    expect(() => readMigrations(folder)).toThrow(/add-stuff\.sql is not named NNNN_lowercase_words\.sql/);
    const twice = migrationsDir({ '0001_again.sql': 'SELECT 1;' });
    expect(() => readMigrations(twice)).toThrow(/two migration files have version 0001/);
  });
});

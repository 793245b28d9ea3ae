import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkDatabase } from '../../src/store/sqlite/backup';
import { buildArticle, buildFeed } from '../helpers/builders';
import { demoStore } from '../helpers/demo';
import { startTestServer } from '../helpers/server';
import { onCleanup, tempDir } from '../helpers/temp';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { MIGRATIONS_DIR } from '../../src/paths';

/**
 * `backup` and `restore` as operators run them: the compiled CLI (`npm test` builds it first) on
 * real database files, the backup taken while another process keeps writing.
 */
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

function run(args: string[], databasePath: string) {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_PATH: databasePath }, encoding: 'utf8', timeout: 60_000 });
}

/** The same compiled CLI, without waiting: this process keeps writing meanwhile. */
function runAsync(args: string[], databasePath: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_PATH: databasePath } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const QUERY = `{ articles(first: 50) { totalCount nodes { title url foundations { slug } companies { slug } } }
  foundations { totalCount } search: articles(filter: { search: "security" }) { totalCount } }`;

describe('backup and restore', () => {
  it('backs up a database while another process writes to it: the copy is whole, checked and answers like the original', async () => {
    const { store } = await demoStore();
    const source = store.db.name;
    const feedId = buildFeed(store, { foundation: 'cncf' });
    const dir = tempDir();
    const file = path.join(dir, 'backup.db');
    const before = store.db.prepare('SELECT COUNT(*) FROM articles').pluck().get() as number;
    // Articles keep arriving, one transaction at a time, for as long as the backup runs.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        buildArticle(store, feedId, { title: `Security update ${written}`, companies: ['google'] });
        written++;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    let result;
    try {
      result = await runAsync(['backup', file], source);
    } finally {
      writing = false;
      await writer;
    }
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(written).toBeGreaterThan(0);
    const check = checkDatabase(file);
    expect(check).toMatchObject({ integrity: 'ok', searchIndexOk: true });
    expect(check.articles).toBeGreaterThanOrEqual(before);
    expect(check.articles).toBeLessThanOrEqual(before + written);
    expect(result.stdout).toContain(`Backed up ${source} to ${file}: ${check.articles.toLocaleString('en-US')} articles`);
    expect(fs.readdirSync(dir)).toEqual(['backup.db']);

    // Restored into an empty data path, it serves what the backup holds.
    const restoredPath = path.join(tempDir(), 'data', 'restored.db');
    const restored = run(['restore', file], restoredPath);
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);
    expect(restored.stdout).toContain(`Restored ${file} into ${restoredPath}`);
    const fromBackup = SqliteStore.open({ path: file, busyTimeoutMs: 1000, migrationsDir: MIGRATIONS_DIR });
    const fromRestored = SqliteStore.open({ path: restoredPath, busyTimeoutMs: 1000, migrationsDir: MIGRATIONS_DIR });
    onCleanup(() => fromBackup.close());
    onCleanup(() => fromRestored.close());
    const [a, b] = await Promise.all([startTestServer(fromBackup), startTestServer(fromRestored)]);
    const [x, y] = await Promise.all([a.gql(QUERY), b.gql(QUERY)]);
    expect(x.errors).toBeUndefined();
    expect(y).toEqual(x);
    expect(y.data.articles.totalCount).toBe(check.articles);
  });

  it('refuses to replace an existing backup file or database without --force, and replaces them with it', async () => {
    const { store } = await demoStore();
    const dir = tempDir();
    const file = path.join(dir, 'backup.db');
    fs.writeFileSync(file, 'an older backup');
    const refused = run(['backup', file], store.db.name);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`unable to back up to ${file}: the file exists (pass --force to replace it)`);
    expect(fs.readFileSync(file, 'utf8')).toBe('an older backup');
    expect(run(['backup', file, '--force'], store.db.name).status).toBe(0);
    expect(checkDatabase(file).integrity).toBe('ok');

    // A database in the way of a restore: kept without --force.
    const { store: other } = await demoStore();
    const otherPath = other.db.name;
    const titles = () => new Database(otherPath, { readonly: true }).prepare('SELECT COUNT(*) FROM feeds').pluck().get() as number;
    buildFeed(other, { foundation: 'openssf' });
    const feedsBefore = titles();
    await other.close();
    const kept = run(['restore', file], otherPath);
    expect(kept.status).toBe(1);
    expect(kept.stderr).toContain(`unable to restore into ${otherPath}: a database is there (stop the service, then pass --force to replace it)`);
    expect(titles()).toBe(feedsBefore);
    const forced = run(['restore', file, '--force'], otherPath);
    expect(forced.status).toBe(0);
    expect(titles()).toBe(feedsBefore - 1);
    expect(checkDatabase(otherPath)).toMatchObject({ integrity: 'ok', searchIndexOk: true });
  });

  it('refuses to restore what is not a sound Foundation Wire database of a known schema, leaving the target alone', async () => {
    const { store } = await demoStore();
    const dir = tempDir();
    const good = path.join(dir, 'good.db');
    expect(run(['backup', good], store.db.name).status).toBe(0);
    const target = path.join(dir, 'target', 'db.db');

    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a database at all, '.repeat(500));
    const notDb = run(['restore', text], target);
    expect(notDb.status).toBe(1);
    expect(notDb.stderr).toMatch(/unable to restore .*notes\.txt into .*: it is not a readable SQLite database/);

    const other = path.join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    const foreign = run(['restore', other], target);
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain('it is not a Foundation Wire database');

    const newer = path.join(dir, 'newer.db');
    fs.copyFileSync(good, newer);
    new Database(newer).prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'future', 'x', 0)").run();
    const future = run(['restore', newer], target);
    expect(future.status).toBe(1);
    expect(future.stderr).toContain('its schema (version 9999) is newer than this code knows');

    // A page of the articles table overwritten with garbage.
    const corrupt = path.join(dir, 'corrupt.db');
    fs.copyFileSync(good, corrupt);
    const page = (new Database(corrupt, { readonly: true }).prepare("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").pluck().get() as number) - 1;
    const fd = fs.openSync(corrupt, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, page * 4096);
    fs.closeSync(fd);
    const damaged = run(['restore', corrupt], target);
    expect(damaged.status).toBe(1);
    expect(damaged.stderr).toMatch(/unable to restore .*corrupt\.db into .*: (it fails its integrity check|it is not a)/);

    // Nothing was left at the target, not even a partial copy.
    expect(fs.existsSync(path.dirname(target)) ? fs.readdirSync(path.dirname(target)) : []).toEqual([]);
  });
});

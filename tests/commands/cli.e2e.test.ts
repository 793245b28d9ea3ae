import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort, onCleanup, tempDir } from '../helpers/temp';

/**
 * The command line as users run it: the compiled `dist/cli.js` (`npm test` builds it first).
 */
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = tempDir();

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first)');
});

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 20_000 });
}

describe('foundation-wire CLI', () => {
  it('stops start-up with exit code 1 and a message naming a bad variable', () => {
    const result = run(['serve'], { PORT: 'eighty', LOG_LEVEL: 'chatty' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT="eighty" is invalid: expected an integer from 1 to 65535');
    expect(result.stderr).toContain('LOG_LEVEL="chatty" is invalid: expected one of fatal, error, warn, info, debug, trace, silent');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('migrates a new database (creating its folder), then has nothing to do', () => {
    const database = path.join(dir, 'nested', 'folder', 'fw.db');
    const first = run(['migrate'], { DATABASE_PATH: database });
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^Applied 0001_init.*; the database is at version \d+\.\n$/);
    const again = run(['migrate'], { DATABASE_PATH: database });
    expect(again.stdout).toMatch(/^Nothing to apply; the database is at version \d+\.\n$/);
  });

  it('refuses to start on a database newer than the code', () => {
    const database = path.join(dir, 'newer.db');
    expect(run(['migrate'], { DATABASE_PATH: database }).status).toBe(0);
    const db = new Database(database);
    db.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'from_the_future', 'x', 0)").run();
    db.close();
    const result = run(['serve'], { DATABASE_PATH: database });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('migration 9999_from_the_future applied, which this code does not have');
  });

  it('prints usage for help and an unknown command', () => {
    expect(run(['--help']).stdout).toContain('serve');
    const unknown = run(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it.each([['serve'], ['migrate'], ['relink'], ['fetch'], ['schema'], ['feeds', 'add'], ['feeds'], ['backup'], ['restore']])(
    'answers `%s --help` with its usage and exit code 0, running nothing',
    (...command) => {
      const result = run([...command, '--help'], { DATABASE_PATH: path.join(dir, 'help-must-not-create.db') });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage:(\\n  | )foundation-wire ${command[0]}`));
      expect(fs.existsSync(path.join(dir, 'help-must-not-create.db'))).toBe(false);
    },
  );

  it.each([
    [['fetch', '--nope'], "fetch: Unknown option '--nope'"],
    [['schema', '--writ'], "schema: Unknown option '--writ'"],
    [['feeds', 'add', 'https://example.org/feed.xml', '--foundation'], "feeds: Option '--foundation <value>' argument missing"],
    [['serve', 'now'], 'serve: unexpected argument "now"'],
    [['backup'], 'backup: one FILE is needed'],
    [['feeds', 'rename'], 'feeds: unknown action "rename"'],
  ])('refuses %j with the message, the usage and exit code 2, never a stack trace', (args, message) => {
    const result = run(args as string[], { DATABASE_PATH: path.join(dir, 'usage.db') });
    expect(result.status).toBe(2);
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr).toContain(`Usage:`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it('names PORT and HOST when it cannot listen, without a stack trace', async () => {
    const busy = http.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => busy.close(resolve)));
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'serve'], {
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: path.join(dir, 'listen.db'), LOG_LEVEL: 'warn', FETCH_ENABLED: 'false' },
      });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`http: unable to listen on 127.0.0.1:${port} (HOST=127.0.0.1, PORT=${port}): another process already listens there: stop it, or set PORT to a free port`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints its version', () => {
    const result = run(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^foundation-wire \d+\.\d+\.\d+\n$/);
  });

  it('serves the API, then shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve'], {
      // NODE_ENV as in the container (jest sets "test", under which Apollo installs no signal handler of its own).
      env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: path.join(dir, 'serve.db'), LOG_LEVEL: 'info', FETCH_ENABLED: 'false' },
    });
    onCleanup(() => child.kill('SIGKILL'));
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && !output.includes('serve: listening'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(output).toContain('serve: listening');
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ foundation(slug: "rust-foundation") { name } }' }),
    });
    expect(await res.json()).toMatchObject({ data: { foundation: { name: 'Rust Foundation' } } });
    // Ready, and the query (run in a read thread) counted by the main thread's metrics.
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('foundation_wire_graphql_requests_total{operation="(anonymous)",outcome="ok"} 1');
    expect(metrics).toMatch(/^foundation_wire_database_bytes [1-9]\d*$/m);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('serve: shutting down');
    // The write-ahead log was checkpointed into the file and emptied: the file alone is the database.
    const wal = path.join(dir, 'serve.db-wal');
    expect(fs.existsSync(wal) ? fs.statSync(wal).size : 0).toBe(0);
  });
});

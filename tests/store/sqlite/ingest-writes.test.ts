import { spawn } from 'node:child_process';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../../../src/paths';
import { readReferenceData } from '../../../src/reference/load';
import { FetchOutcomeWriter, lockGapMs, type WriterOptions } from '../../../src/store/sqlite/ingest-writes';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { Statements } from '../../../src/store/sqlite/statements';
import type { ArticleInput, FetchOutcome } from '../../../src/store/types';
import { buildFeed } from '../../helpers/builders';
import { REFERENCE_FILE } from '../../helpers/fresh-db';
import { onCleanup, tempDir } from '../../helpers/temp';

const NOW = Date.UTC(2026, 10, 6, 12, 0, 0);
const ROOT = path.join(__dirname, '..', '..', '..');
const dir = tempDir();
let n = 0;

/** A migrated file database with the reference data, saving in transactions of at most `writeTransactionMaxMs`. */
async function openStore(writeTransactionMaxMs: number): Promise<{ store: SqliteStore; file: string }> {
  const file = path.join(dir, `writes-${++n}.db`);
  const store = SqliteStore.open({ path: file, busyTimeoutMs: 5000, migrationsDir: MIGRATIONS_DIR, writeTransactionMaxMs });
  onCleanup(() => store.close());
  await store.loadReferenceData(readReferenceData(REFERENCE_FILE));
  return { store, file };
}

const idOf = (store: SqliteStore, table: 'companies' | 'foundations', slug: string) =>
  store.db.prepare(`SELECT id FROM ${table} WHERE slug = ?`).pluck().get(slug) as number;

/** A fetched outcome of `count` articles, each mentioning a company and a foundation and carrying an enclosure. */
function outcomeOf(store: SqliteStore, count: number, etag = '"v1"'): FetchOutcome & { kind: 'fetched' } {
  const mentions = {
    companies: [{ id: idOf(store, 'companies', 'google'), count: 1, inTitle: false }],
    foundations: [{ id: idOf(store, 'foundations', 'cncf'), count: 2, inTitle: true }],
  };
  const article = (i: number): ArticleInput => ({
    identity: `guid:item-${i}`,
    url: `https://news.example.org/${i}`,
    canonicalUrl: `https://news.example.org/${i}`,
    title: `CNCF item ${i}`,
    summary: null,
    contentHtml: `<p>Google and CNCF, part ${i}</p>`,
    contentText: `Google and CNCF, part ${i}`,
    author: null,
    language: 'en',
    imageUrl: null,
    publishedAt: NOW - i * 60_000,
    dateSource: 'published',
    contentHash: `hash-${i}`,
    enclosures: [{ url: `https://news.example.org/${i}.mp3`, type: 'audio/mpeg', length: 1000 + i }],
    mentions,
  });
  return {
    kind: 'fetched', startedAt: NOW, durationMs: 20, httpStatus: 200, nextFetchAt: NOW + 3_600_000, etag, lastModified: null, movedTo: null,
    info: { title: 'Big feed', siteUrl: 'https://news.example.org/', language: 'en' }, fetchIntervalMs: 3_600_000, itemsSeen: count,
    articles: Array.from({ length: count }, (_, i) => article(i)),
  };
}

/** A writer on the store's connection with test hooks: a clock, a call after each commit. */
const writerOf = (store: SqliteStore, options: WriterOptions) =>
  new FetchOutcomeWriter(store.db, new Statements(store.db), 30 * 86_400_000, options);

/** A clock that moves 1 ms each time it is read: the writer reads it once per transaction and once per article. */
function counterClock(): () => number {
  let t = 0;
  return () => t++;
}

function stored(store: SqliteStore, feedId: number) {
  const one = (sql: string) => store.db.prepare(sql).pluck().get(feedId) as number;
  return {
    articles: one('SELECT COUNT(*) FROM articles WHERE feed_id = ?'),
    identities: one('SELECT COUNT(DISTINCT identity) FROM articles WHERE feed_id = ?'),
    // An article is whole when it has its mention of each kind and its enclosure.
    partial: one(`SELECT COUNT(*) FROM articles a WHERE a.feed_id = ? AND (
      NOT EXISTS (SELECT 1 FROM article_company_mentions m WHERE m.article_id = a.id)
      OR NOT EXISTS (SELECT 1 FROM article_foundation_mentions m WHERE m.article_id = a.id)
      OR NOT EXISTS (SELECT 1 FROM article_enclosures e WHERE e.article_id = a.id))`),
    logLines: one('SELECT COUNT(*) FROM fetch_log WHERE feed_id = ?'),
    feed: store.db
      .prepare('SELECT etag, next_fetch_at AS nextFetchAt, error_count AS errorCount, last_success_at AS lastSuccessAt, fetch_interval_ms AS fetchIntervalMs FROM feeds WHERE id = ?')
      .get(feedId),
  };
}

describe('saving a fetch in bounded transactions', () => {
  it('ends each transaction after the article that takes it past the bound, and saves the feed state only in the last', async () => {
    const { store } = await openStore(100);
    const feedId = buildFeed(store);
    const seen: { saved: number; etag: unknown; logLines: number }[] = [];
    const writer = writerOf(store, {
      maxTransactionMs: 10,
      clock: counterClock(),
      onCommit: (saved) => {
        const { feed, logLines } = stored(store, feedId);
        seen.push({ saved, etag: (feed as { etag: unknown }).etag, logLines });
      },
    });
    const counts = await writer.saveInChunks(feedId, outcomeOf(store, 45));
    expect(seen).toEqual([
      { saved: 10, etag: null, logLines: 0 },
      { saved: 20, etag: null, logLines: 0 },
      { saved: 30, etag: null, logLines: 0 },
      { saved: 40, etag: null, logLines: 0 },
      { saved: 45, etag: '"v1"', logLines: 1 },
    ]);
    expect(counts).toMatchObject({ result: 'new', newCount: 45, updatedCount: 0, unchangedCount: 0 });
    expect(counts.newArticleIds).toHaveLength(45);
    expect(stored(store, feedId)).toMatchObject({ articles: 45, partial: 0 });
  });

  it('after a crash between transactions keeps whole articles and the old feed state, and the next save completes it', async () => {
    const { store } = await openStore(100);
    const feedId = buildFeed(store);
    const before = stored(store, feedId).feed;
    const outcome = outcomeOf(store, 45);
    const crashing = writerOf(store, {
      maxTransactionMs: 10,
      clock: counterClock(),
      onCommit: (saved) => {
        if (saved === 30) throw new Error('simulated crash');
      },
    });
    await expect(crashing.saveInChunks(feedId, outcome)).rejects.toThrow('simulated crash');
    // (a) three transactions committed, each article whole; (b) the feed as before the fetch, no log line.
    expect(stored(store, feedId)).toEqual({ articles: 30, identities: 30, partial: 0, logLines: 0, feed: before });

    // (c) The next fetch of the same feed (a full 200, the ETag was not stored) completes the save.
    const saved = await store.saveFetchOutcome(feedId, outcome);
    expect(saved).toMatchObject({ result: 'new', newCount: 15, updatedCount: 0, unchangedCount: 30 });
    expect(saved.feed).toMatchObject({ etag: '"v1"', nextFetchAt: NOW + 3_600_000, errorCount: 0 });
    expect(stored(store, feedId)).toMatchObject({ articles: 45, identities: 45, partial: 0, logLines: 1 });
    expect(store.db.prepare('SELECT new_count FROM fetch_log WHERE feed_id = ?').pluck().get(feedId)).toBe(15);
  });

  it('rolls back the transaction that fails, keeping those committed before it', async () => {
    const { store } = await openStore(100);
    const feedId = buildFeed(store);
    const outcome = outcomeOf(store, 25);
    // The 23rd article names a company that does not exist: its mention breaks the foreign key.
    outcome.articles[22] = { ...outcome.articles[22], mentions: { companies: [{ id: 999_999, count: 1, inTitle: false }], foundations: [] } };
    const writer = writerOf(store, { maxTransactionMs: 10, clock: counterClock() });
    await expect(writer.saveInChunks(feedId, outcome)).rejects.toThrow(/FOREIGN KEY/);
    expect(stored(store, feedId)).toMatchObject({ articles: 20, partial: 0, logLines: 0, feed: { etag: null } });
    await expect(store.saveFetchOutcome(feedId, outcome)).rejects.toThrow(
      /unable to save the fetch of feed \d+ \(the articles saved before the failure are kept, each whole; the feed's fetch state is unchanged/,
    );
  });

  it('saves a failure or a 304 in one transaction', async () => {
    const { store } = await openStore(100);
    const feedId = buildFeed(store);
    const commits: number[] = [];
    const writer = writerOf(store, { maxTransactionMs: 0, onCommit: (saved) => commits.push(saved) });
    await writer.saveInChunks(feedId, {
      kind: 'failed', startedAt: NOW, durationMs: 3, httpStatus: 503, nextFetchAt: NOW + 60_000, errorClass: 'unavailable', errorMessage: 'HTTP 503',
    });
    await writer.saveInChunks(feedId, {
      kind: 'not_modified', startedAt: NOW + 1, durationMs: 3, httpStatus: 304, nextFetchAt: NOW + 120_000, etag: '"v9"', lastModified: null, movedTo: null,
    });
    expect(commits).toEqual([0, 0]);
    expect(stored(store, feedId)).toMatchObject({ logLines: 2, feed: { etag: '"v9"', errorCount: 0, nextFetchAt: NOW + 120_000 } });
  });

  it('leaves the lock free after a transaction for as long as SQLite makes a connection that waited that long sleep', () => {
    // SQLite's busy handler tries again after 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, then every 100 ms.
    expect([0.5, 1, 3, 8, 30, 100, 103, 110, 128, 150, 200, 228, 300, 5000].map(lockGapMs)).toEqual(
      [1, 1, 2, 5, 15, 25, 25, 25, 25, 50, 50, 50, 100, 100].map((ms) => ms + 2),
    );
  });
});

/**
 * Another process on the same database, as `foundation-wire feeds ...` beside the service: it opens
 * the database (migrations already applied: no write lock), then, once told "go", toggles a feed
 * (a write) and reads, every 10 ms, until told "stop"; it prints what succeeded and what failed.
 */
const OTHER_PROCESS = `
  const { SqliteStore } = require('./dist/store/sqlite/sqlite-store');
  const { MIGRATIONS_DIR } = require('./dist/paths');
  const [file, url, busyTimeoutMs] = process.argv.slice(1);
  const store = SqliteStore.open({ path: file, busyTimeoutMs: Number(busyTimeoutMs), migrationsDir: MIGRATIONS_DIR });
  const result = { writes: 0, reads: 0, failures: [] };
  let stop = false;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text) => {
    if (text.includes('go')) loop();
    if (text.includes('stop')) stop = true;
  });
  async function loop() {
    for (let disabled = true; !stop; disabled = !disabled) {
      try { await store.setFeedDisabled(url, disabled); result.writes++; } catch (err) { result.failures.push(err.message); }
      try { store.db.prepare('SELECT COUNT(*) FROM articles').pluck().get(); await store.getFeedByUrl(url); result.reads++; } catch (err) { result.failures.push(err.message); }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await store.close();
    process.stdout.write(JSON.stringify(result) + '\\n');
    process.stdin.destroy();
  }
  process.stdout.write('ready\\n');
`;

/** Runs `save` while the other process writes and reads with the given busy timeout; returns what it saw. */
async function whileAnotherProcessWrites(file: string, otherFeedUrl: string, busyTimeoutMs: number, save: () => Promise<unknown>) {
  const child = spawn(process.execPath, ['-e', OTHER_PROCESS, file, otherFeedUrl, String(busyTimeoutMs)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  onCleanup(() => child.kill());
  let output = '';
  child.stdout.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (text: string) => {
      output += text;
      if (output.includes('ready\n')) resolve();
    });
    child.on('close', () => reject(new Error(`the other process ended before it was ready: ${output}`)));
  });
  child.stdin.write('go\n');
  await save();
  child.stdin.write('stop\n');
  expect(await exited).toBe(0);
  return JSON.parse(output.slice(output.indexOf('ready\n') + 6)) as { writes: number; reads: number; failures: string[] };
}

describe('a big save beside another process', () => {
  it('never makes the other process fail on the write lock', async () => {
    const { store, file } = await openStore(50);
    const feedId = buildFeed(store);
    const other = buildFeed(store);
    const otherUrl = store.db.prepare('SELECT url FROM feeds WHERE id = ?').pluck().get(other) as string;
    let saved: Awaited<ReturnType<SqliteStore['saveFetchOutcome']>> | undefined;
    const seen = await whileAnotherProcessWrites(file, otherUrl, 1000, async () => {
      saved = await store.saveFetchOutcome(feedId, outcomeOf(store, 20_000));
    });
    expect(seen.failures).toEqual([]);
    expect(seen.writes).toBeGreaterThan(0);
    expect(seen.reads).toBeGreaterThan(0);
    expect(saved).toMatchObject({ result: 'new', newCount: 20_000, updatedCount: 0, unchangedCount: 0 });
    expect(saved!.newArticleIds).toHaveLength(20_000);
    expect(stored(store, feedId)).toMatchObject({ articles: 20_000, identities: 20_000, partial: 0, logLines: 1, feed: { etag: '"v1"' } });
  });

  it('(the control: one transaction for the whole feed makes the other process fail with "database is locked")', async () => {
    const { store, file } = await openStore(60_000);
    const feedId = buildFeed(store);
    const other = buildFeed(store);
    const otherUrl = store.db.prepare('SELECT url FROM feeds WHERE id = ?').pluck().get(other) as string;
    const seen = await whileAnotherProcessWrites(file, otherUrl, 100, () => store.saveFetchOutcome(feedId, outcomeOf(store, 20_000)));
    expect(seen.failures.length).toBeGreaterThan(0);
    expect(seen.failures.every((message) => /database is locked/.test(message))).toBe(true);
  });
});

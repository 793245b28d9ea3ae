import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { Fetcher, userAgent } from '../../src/ingest/fetch';
import { Linker } from '../../src/ingest/link';
import { refreshFeed, type RefreshContext } from '../../src/ingest/refresh-feed';
import { readReferenceData } from '../../src/reference/load';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { buildFeed } from '../helpers/builders';
import { fixture, serve, startFeedServer, type FeedServer } from '../helpers/feed-server';
import { REFERENCE_FILE, referenceStore } from '../helpers/fresh-db';
import { onCleanup, tempDir } from '../helpers/temp';

const MIN = 15 * 60_000;
const MAX = 24 * 3_600_000;
const NOW = Date.UTC(2026, 10, 6, 12, 0, 0);

const statements: string[] = [];
let store: SqliteStore;
let server: FeedServer;
let ctx: RefreshContext;

beforeAll(async () => {
  store = await referenceStore({ statements });
  server = await startFeedServer();
  const fetcher = new Fetcher({ timeoutMs: 2000, connectTimeoutMs: 1000, maxBodyBytes: 1_000_000, allowPrivateHosts: true, userAgent: userAgent() });
  onCleanup(() => fetcher.close());
  ctx = {
    store,
    fetcher,
    linker: new Linker(await store.loadEntityDictionary()),
    policy: { minMs: MIN, maxMs: MAX },
    log: pino({ level: 'silent' }),
    now: () => NOW,
    random: () => 0.5,
  };
});

/** A feed of the given foundation whose URL is a path of the test server. */
async function feedAt(pathname: string, foundation: string | null = 'cncf') {
  buildFeed(store, { url: server.url(pathname), foundation });
  return (await store.getFeedByUrl(server.url(pathname)))!;
}

const refresh = async (url: string) => (await refreshFeed((await store.getFeedByUrl(url))!, ctx))!;
const articlesOf = (feedId: number) =>
  store.db.prepare('SELECT * FROM articles WHERE feed_id = ? ORDER BY published_at, id').all(feedId) as Record<string, any>[];
const writesToArticles = () => statements.filter((s) => /^\s*(INSERT INTO|UPDATE|DELETE FROM) (articles|article_)/i.test(s));

describe('refreshing a feed', () => {
  it('stores a new feed\'s articles with absolute URLs, mentions and the fetch state', async () => {
    server.route('/cncf.xml', serve(fixture('cncf-news.xml'), { 'content-type': 'application/rss+xml', etag: '"v1"' }));
    const feed = await feedAt('/cncf.xml');
    const report = await refresh(feed.url);
    expect(report).toMatchObject({ result: 'new', newCount: 3, updatedCount: 0, httpStatus: 200, error: null });

    const [renewals, recap, metadata] = articlesOf(feed.id);
    expect(renewals).toMatchObject({
      title: 'Apple and Google renew their Platinum membership',
      url: 'https://www.cncf.example/news/renewals/?utm_source=rss&utm_medium=feed',
      canonical_url: 'https://www.cncf.example/news/renewals/',
      author: 'CNCF Staff',
      language: 'en-us',
      date_source: 'published',
      published_at: Date.UTC(2026, 10, 2, 9, 0, 0),
      fetched_at: NOW,
    });
    expect(recap.published_at).toBe(Date.UTC(2026, 10, 3, 14, 30, 0));
    // Relative link resolved against the feed's <link>.
    expect(metadata.url).toBe('https://www.cncf.example/news/landscape-metadata/');

    const companies = store.db
      .prepare('SELECT c.slug, m.mention_count AS n, m.in_title AS t FROM article_company_mentions m JOIN companies c ON c.id = m.company_id WHERE article_id = ? ORDER BY c.slug')
      .all(renewals.id);
    expect(companies).toEqual([
      { slug: 'apple', n: 2, t: 1 },
      { slug: 'google', n: 3, t: 1 },
    ]);
    // "Metadata" is not Meta.
    expect(store.db.prepare('SELECT COUNT(*) FROM article_company_mentions WHERE article_id = ?').pluck().get(metadata.id)).toBe(0);

    const saved = (await store.getFeedByUrl(feed.url))!;
    expect(saved).toMatchObject({ status: 'OK', errorCount: 0, etag: '"v1"', title: feed.title, siteUrl: 'https://www.cncf.example/', lastFetchedAt: NOW });
    // Three items in the last week: a week / 3 = 56 h, clamped to the 24 h maximum.
    expect(saved.nextFetchAt).toBe(NOW + MAX);
    const [log] = await store.listRecentFetchesOf([feed.id], 10);
    expect(log).toEqual([expect.objectContaining({ result: 'new', httpStatus: 200, itemsSeen: 3, newCount: 3, updatedCount: 0, errorClass: null })]);
  });

  it('sends the validators back and changes nothing but fetch times on 304', async () => {
    const url = server.url('/cncf.xml');
    server.route('/cncf.xml', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304, { etag: '"v1"' }).end();
      else res.writeHead(200, { etag: '"v1"' }).end(fixture('cncf-news.xml'));
    });
    const feed = (await store.getFeedByUrl(url))!;
    const before = articlesOf(feed.id);
    statements.length = 0;
    const report = await refresh(url);
    expect(report).toMatchObject({ result: 'not_modified', newCount: 0, httpStatus: 304 });
    expect(server.requests.at(-1)!.headers['if-none-match']).toBe('"v1"');
    expect(writesToArticles()).toEqual([]);
    expect(articlesOf(feed.id)).toEqual(before);
  });

  it('writes nothing for unchanged items, and updates an item that changed in place', async () => {
    server.route('/plain.xml', serve(fixture('cncf-news.xml')));
    const feed = await feedAt('/plain.xml');
    await refresh(feed.url);
    const before = articlesOf(feed.id);

    statements.length = 0;
    expect(await refresh(feed.url)).toMatchObject({ result: 'unchanged', newCount: 0, updatedCount: 0 });
    expect(writesToArticles()).toEqual([]);

    const edited = fixture('cncf-news.xml').toString().replace('KubeCon recap: security takes center stage', 'KubeCon recap (updated): security and AI');
    server.route('/plain.xml', serve(edited));
    ctx.now = () => NOW + 60_000;
    expect(await refresh(feed.url)).toMatchObject({ result: 'updated', newCount: 0, updatedCount: 1 });
    ctx.now = () => NOW;
    const after = articlesOf(feed.id);
    expect(after.map((a) => a.id)).toEqual(before.map((a) => a.id));
    expect(after[1]).toMatchObject({ title: 'KubeCon recap (updated): security and AI', updated_at: NOW + 60_000, fetched_at: NOW });
    expect(after[0]).toEqual(before[0]);
  });

  it('records the same story from a second feed as belonging to the first one', async () => {
    server.route('/pytorch.atom', serve(fixture('pytorch-news.atom'), { 'content-type': 'application/atom+xml' }));
    const feed = await feedAt('/pytorch.atom', 'pytorch-foundation');
    await refresh(feed.url);
    const [conference, crossPost] = articlesOf(feed.id);
    const original = store.db.prepare("SELECT id FROM articles WHERE canonical_url = 'https://www.cncf.example/news/renewals/' ORDER BY id").pluck().all() as number[];
    expect(original.length).toBeGreaterThanOrEqual(2);
    expect(crossPost).toMatchObject({ canonical_url: 'https://www.cncf.example/news/renewals/', story_id: original[0], date_source: 'updated' });
    // Atom: xml:base resolves the link and the image; type="html" title becomes text.
    expect(conference).toMatchObject({ title: 'Meta & NVIDIA at PyTorch Conference', url: 'https://pytorch.example/blog/posts/conference-2026/' });
    expect(conference.content_html).toContain('src="https://pytorch.example/blog/images/stage.jpg"');
  });

  it('keeps every item of a feed that repeats one guid', async () => {
    server.route('/repeat.xml', serve(fixture('repeated-guid.xml')));
    const feed = await feedAt('/repeat.xml');
    expect(await refresh(feed.url)).toMatchObject({ result: 'new', newCount: 3 });
    expect(articlesOf(feed.id).map((a) => a.title)).toEqual(['First post', 'Second post', 'Third post']);
    expect(await refresh(feed.url)).toMatchObject({ result: 'unchanged', newCount: 0 });
  });

  it('keeps one article when its guid starts (or stops) being shared with another item', async () => {
    const item = (n: number) => `<item><title>Post ${n}</title><link>https://shared.example/${n}</link><guid>shared-guid</guid></item>`;
    const rss = (items: string) => `<rss version="2.0"><channel><title>S</title>${items}</channel></rss>`;
    server.route('/shared.xml', serve(rss(item(1))));
    const feed = await feedAt('/shared.xml');
    await refresh(feed.url);
    server.route('/shared.xml', serve(rss(item(2) + item(1))));
    expect(await refresh(feed.url)).toMatchObject({ newCount: 1 });
    server.route('/shared.xml', serve(rss(item(1))));
    expect(await refresh(feed.url)).toMatchObject({ newCount: 0 });
    expect(articlesOf(feed.id).map((a) => [a.title, a.identity])).toEqual([
      ['Post 1', 'guid:shared-guid'],
      ['Post 2', 'guid:shared-guid|link:https://shared.example/2'],
    ]);
  });

  it('stores hostile HTML sanitized', async () => {
    server.route('/hostile.xml', serve(fixture('script-injection.xml')));
    const feed = await feedAt('/hostile.xml');
    await refresh(feed.url);
    const [article] = articlesOf(feed.id);
    const html: string = article.content_html;
    for (const bad of ['<script', 'onclick', 'onerror', 'javascript:', 'data:image', '<style', 'pixel.wp.com', 'spacer.gif', 'evil.example', '<form', '<input']) {
      expect(html).not.toContain(bad);
    }
    expect(html).toContain('<a href="https://hostile.example/safe">that</a>');
    expect(html).toContain('<iframe src="https://www.youtube.com/embed/abc123"');
    expect(article.title).not.toContain('<script');
    expect(article.content_text).not.toContain('document.cookie');
  });

  it('clamps dates in the future and says which date was used', async () => {
    server.route('/future.xml', serve(fixture('future-date.xml')));
    const feed = await feedAt('/future.xml');
    await refresh(feed.url);
    const byTitle = Object.fromEntries(articlesOf(feed.id).map((a) => [a.title, a]));
    expect(byTitle['Scheduled far ahead']).toMatchObject({ published_at: NOW, date_source: 'published' });
    expect(byTitle['No date at all']).toMatchObject({ published_at: NOW, date_source: 'first_seen' });
    expect(byTitle['Only an update date']).toMatchObject({ published_at: Date.UTC(2026, 10, 1, 8), date_source: 'published' });
  });

  it('decodes a charset given only in the HTTP header', async () => {
    server.route('/latin1.xml', serve(fixture('latin1-header-charset.xml'), { 'content-type': 'text/xml; charset=ISO-8859-1' }));
    const feed = await feedAt('/latin1.xml', null);
    await refresh(feed.url);
    expect(articlesOf(feed.id)[0]).toMatchObject({ title: 'Résumé de la réunion à Genève', summary: 'Naïve café crème été.' });
  });

  it('records failures on the feed with their class, backs off with jitter, and recovers', async () => {
    server.route('/flaky.xml', serve('gone', { 'content-type': 'text/plain' }, 404));
    const feed = await feedAt('/flaky.xml');
    const first = await refresh(feed.url);
    expect(first).toMatchObject({ result: 'error', httpStatus: 404, error: 'fetch: HTTP 404 Not Found' });
    let saved = (await store.getFeedByUrl(feed.url))!;
    expect(saved).toMatchObject({ status: 'FAILING', errorCount: 1, lastError: 'fetch: HTTP 404 Not Found', lastErrorClass: 'http' });
    // First retry: the shortest interval with jitter (random() = 0.5 → 87.5 %).
    expect(saved.nextFetchAt).toBe(NOW + 0.875 * MIN);
    await refresh(feed.url);
    saved = (await store.getFeedByUrl(feed.url))!;
    expect(saved.errorCount).toBe(2);
    expect(saved.nextFetchAt).toBe(NOW + 0.875 * 2 * MIN);

    server.route('/flaky.xml', serve(fixture('cncf-news.xml')));
    await refresh(feed.url);
    saved = (await store.getFeedByUrl(feed.url))!;
    expect(saved).toMatchObject({ status: 'OK', errorCount: 0 });
    const log = (await store.listRecentFetchesOf([feed.id], 10))[0];
    expect(log.map((l) => l.result)).toEqual(['new', 'error', 'error']);
    expect(log[1]).toMatchObject({ errorClass: 'http', httpStatus: 404, errorMessage: 'fetch: HTTP 404 Not Found' });
  });

  it('waits at least as long as Retry-After asks', async () => {
    server.route('/busy.xml', serve('slow down', { 'content-type': 'text/plain', 'retry-after': '7200' }, 429));
    const feed = await feedAt('/busy.xml');
    const report = await refresh(feed.url);
    expect(report).toMatchObject({ result: 'error', httpStatus: 429 });
    expect((await store.getFeedByUrl(feed.url))!).toMatchObject({ lastErrorClass: 'rate_limited', nextFetchAt: NOW + 7_200_000 });
  });

  it.each([
    ['billion-laughs.xml', 'parse: '],
    ['not-a-feed.html', 'parse: the document is not RSS or Atom (its root element is <html>)'],
  ])('records %s as a parse error on the feed', async (file, message) => {
    server.route(`/${file}`, serve(fixture(file)));
    const feed = await feedAt(`/${file}`);
    const started = Date.now();
    const report = await refresh(feed.url);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(report.result).toBe('error');
    expect(report.error).toContain(message);
    expect((await store.getFeedByUrl(feed.url))!).toMatchObject({ status: 'FAILING', lastErrorClass: 'parse' });
    expect(articlesOf(feed.id)).toEqual([]);
  });

  it('moves a feed on a permanent redirect, and the reference data does not add the old URL back', async () => {
    const reference = readReferenceData(REFERENCE_FILE);
    const oldUrl = 'https://pytorch.org/feed/';
    const feed = (await store.getFeedByUrl(oldUrl))!;
    await store.saveFetchOutcome(feed.id, {
      kind: 'not_modified', startedAt: NOW, durationMs: 5, httpStatus: 304, nextFetchAt: NOW + MIN, etag: null, lastModified: null,
      movedTo: 'https://pytorch.org/blog/feed/',
    });
    expect(await store.getFeedByUrl(oldUrl)).toBeNull();
    expect((await store.getFeedByUrl('https://pytorch.org/blog/feed/'))!.id).toBe(feed.id);
    await store.loadReferenceData(reference);
    expect(await store.getFeedByUrl(oldUrl)).toBeNull();
  });
});

describe('a crash in the middle of saving a refresh', () => {
  it('keeps the articles of the committed transactions, each whole, and the feed as it was; the next save completes it', () => {
    const dir = tempDir();
    const database = path.join(dir, 'crash.db');
    // The child saves a refresh of 50 articles, one transaction per article (WRITE_TRANSACTION_MAX 0),
    // and in the 'crash' stage kills itself (SIGKILL: no cleanup, no rollback by the process) at the
    // 20th article insert, inside its transaction: 19 articles are committed, the 20th is not.
    const script = `
      require('reflect-metadata');
      const { SqliteStore } = require('./dist/store/sqlite/sqlite-store');
      const { MIGRATIONS_DIR } = require('./dist/paths');
      const stage = process.argv[1];
      let inserts = 0;
      const store = SqliteStore.open({ path: ${JSON.stringify(database)}, busyTimeoutMs: 1000, migrationsDir: MIGRATIONS_DIR, writeTransactionMaxMs: 0,
        onStatement: (sql) => { if (stage === 'crash' && /^INSERT INTO articles /.test(sql) && ++inserts === 20) process.kill(process.pid, 'SIGKILL'); } });
      const now = Date.UTC(2026, 10, 6);
      const feedId = Number(store.db.prepare("INSERT INTO feeds (url, created_at, updated_at) VALUES ('https://crash.example/feed', 0, 0) ON CONFLICT DO UPDATE SET url = url RETURNING id").pluck().get());
      const prefix = stage === 'before' ? 'before' : 'crash';
      const article = (i) => ({ identity: prefix + i, url: 'https://crash.example/' + prefix + '/' + i, canonicalUrl: null, title: 'T' + i, summary: null,
        contentHtml: null, contentText: 'text', author: null, language: null, imageUrl: null, publishedAt: now - i, dateSource: 'published',
        contentHash: 'h' + i, enclosures: [{ url: 'https://crash.example/' + i + '.mp3', type: null, length: null }, { url: 'https://crash.example/' + i + '.ogg', type: null, length: null }],
        mentions: { companies: [], foundations: [] } });
      store.saveFetchOutcome(feedId, { kind: 'fetched', startedAt: now, durationMs: 1, httpStatus: 200, nextFetchAt: now + 1, etag: stage,
        lastModified: null, movedTo: null, info: { title: stage, siteUrl: null, language: null }, fetchIntervalMs: 1, itemsSeen: 50,
        articles: Array.from({ length: 50 }, (_, i) => article(i)) })
        .then((saved) => { console.log(JSON.stringify({ new: saved.newCount, unchanged: saved.unchangedCount })); return store.close(); });
    `;
    const run = (stage: string) => spawnSync(process.execPath, ['-e', script, stage], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' });
    const inspect = () => {
      const check = spawnSync(
        process.execPath,
        [
          '-e',
          `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(database)});
           console.log(JSON.stringify({
             integrity: db.pragma('integrity_check', { simple: true }),
             articles: db.prepare('SELECT COUNT(*) FROM articles').pluck().get(),
             crashed: db.prepare("SELECT COUNT(*) FROM articles WHERE identity LIKE 'crash%'").pluck().get(),
             withoutBothEnclosures: db.prepare('SELECT COUNT(*) FROM articles a WHERE (SELECT COUNT(*) FROM article_enclosures e WHERE e.article_id = a.id) <> 2').pluck().get(),
             etag: db.prepare('SELECT etag FROM feeds').pluck().get(),
             log: db.prepare('SELECT COUNT(*) FROM fetch_log').pluck().get(),
             fts: db.prepare("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH 'text'").pluck().get(),
           }));`,
        ],
        { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' },
      );
      return JSON.parse(check.stdout);
    };
    const setup = run('before');
    expect(setup.status).toBe(0);
    const crash = run('crash');
    expect(crash.signal).toBe('SIGKILL');
    expect(inspect()).toEqual({ integrity: 'ok', articles: 69, crashed: 19, withoutBothEnclosures: 0, etag: 'before', log: 1, fts: 69 });

    // The next fetch brings the same items (a full 200: the ETag was not saved) and completes the save.
    const again = run('again');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ new: 31, unchanged: 19 });
    expect(inspect()).toEqual({ integrity: 'ok', articles: 100, crashed: 50, withoutBothEnclosures: 0, etag: 'again', log: 2, fts: 100 });
  });
});

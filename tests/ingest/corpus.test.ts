import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { RefreshReport } from '../../src/ingest/refresh-feed';
import { buildFeed } from '../helpers/builders';
import { startFeedServer } from '../helpers/feed-server';
import { freshStore } from '../helpers/fresh-db';
import { testScheduler } from '../helpers/scheduler';

/**
 * The real-world corpus of ../shared/corpus/feeds (60 feeds from other projects' test suites), served
 * over HTTP and fetched like any feed. It is read in place, never copied into this repository.
 */
const CORPUS = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'feeds');
const MANIFEST = path.join(CORPUS, 'MANIFEST.tsv');

interface Row {
  file: string;
  expected: number;
  parses: 'yes' | 'recoverable' | 'no';
}

/**
 * Items that are true duplicates inside their feed, so fewer articles than items are stored: none
 * so far. (rome__issue137-rss.xml repeats one guid and one link on 4 different items: they are kept
 * apart by their text; rssparser__itunes-missing-image.rss repeats a guid on two different episodes.)
 */
const TRUE_DUPLICATES: Record<string, number> = {};

/** Text that must come out of the decoder, proving the encoding was read right (no mojibake). */
const EXPECTED_TEXT: Record<string, string> = {
  'miniflux__encoding_WINDOWS-1251.xml': 'Цитата',
  'rssparser__encoding.rss': 'Mãe de utente',
  'feedrs__rss_0.91_encoding_1.xml': 'Expansão de Parâmetros',
  'feedrs__rss_1.0_iso8859.xml': 'Glasfaserförder',
  'miniflux__no_encoding_ISO-8859-1.xml': 'endocriniens',
  'rssparser__uolNoticias.rss': 'Ibope',
  'feedparser__windows1255.xml': 'האם תדפיס נייר',
  'feedparser__demoronize-1.xml': '’',
  'miniflux__urdu_UTF8.xml': 'امریکی',
  'rssparser__heise.atom': 'Java-Anwendungsserver',
};

/** Files whose text is expected to hold replacement characters: undecodable bytes by design. */
const GARBLED_BY_DESIGN = new Set(['feedparser__bozo_linenoise.xml']);

const present = fs.existsSync(MANIFEST);

if (!present) {
  const reason = `the feed corpus was not found at ${CORPUS} (it sits beside the clone as ../shared/corpus)`;
  if (process.env.REQUIRE_CORPUS === '1') {
    // CI sets REQUIRE_CORPUS=1: there, a missing corpus is a failure, not a skip.
    describe('the real-world feed corpus', () => {
      it('is required (REQUIRE_CORPUS=1)', () => {
        throw new Error(`${reason}, and REQUIRE_CORPUS=1 requires the corpus tests`);
      });
    });
  } else {
    // Written to stderr directly: jest shows no console output of a suite whose tests are all skipped.
    process.stderr.write(`Corpus tests skipped: ${reason}. Set REQUIRE_CORPUS=1 to make its absence a failure.\n`);
    describe.skip(`the real-world feed corpus (skipped: ${reason})`, () => {
      it('parses every corpus feed as MANIFEST.tsv says', () => undefined);
    });
  }
} else {
  const rows: Row[] = fs
    .readFileSync(MANIFEST, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .map((cols) => ({ file: cols[0], expected: Number(cols[7]), parses: cols[8] as Row['parses'] }));

  describe('the real-world feed corpus, fetched over HTTP', () => {
    let store: SqliteStore;
    const reports = new Map<string, RefreshReport>();
    const feedIds = new Map<string, number>();

    /** One `fetch --all` over the corpus feeds. */
    const fetchAll = (): Promise<RefreshReport[]> => testScheduler(store).runOnce({ all: true });

    beforeAll(async () => {
      store = freshStore();
      const server = await startFeedServer();
      for (const row of rows) {
        // No charset in the header: decoding relies on the bytes (BOM, prolog, detection). The server
        // supports conditional GET with an ETag.
        const body = fs.readFileSync(path.join(CORPUS, row.file));
        const etag = `"${crypto.createHash('sha1').update(body).digest('hex')}"`;
        server.route(`/corpus/${row.file}`, (req, res) => {
          if (req.headers['if-none-match'] === etag) res.writeHead(304, { etag }).end();
          else res.writeHead(200, { 'content-type': 'application/xml', etag }).end(body);
        });
        feedIds.set(row.file, buildFeed(store, { url: server.url(`/corpus/${row.file}`) }));
      }
      for (const report of await fetchAll()) reports.set(decodeURIComponent(report.url.split('/corpus/')[1]), report);
    });

    it('has 60 files, and every one was fetched (a broken feed never stops the others)', () => {
      expect(rows).toHaveLength(60);
      expect([...reports.keys()].sort()).toEqual(rows.map((r) => r.file).sort());
    });

    const stored = (file: string) => store.countArticles({ feedIds: [feedIds.get(file)!] }).then((c) => c.count);

    it.each(rows.filter((r) => r.parses === 'yes').map((r) => [r.file, r.expected] as const))(
      'stores every item of %s (%i)',
      async (file, expected) => {
        expect(reports.get(file)).toMatchObject({ error: null });
        expect(await stored(file)).toBe(expected - (TRUE_DUPLICATES[file] ?? 0));
      },
    );

    it.each(rows.filter((r) => r.parses === 'recoverable').map((r) => [r.file, r.expected] as const))(
      'recovers the items of %s (%i)',
      async (file, expected) => {
        expect(reports.get(file)).toMatchObject({ error: null });
        expect(await stored(file)).toBe(expected - (TRUE_DUPLICATES[file] ?? 0));
      },
    );

    it.each(rows.filter((r) => r.parses === 'no').map((r) => [r.file]))('records %s as a parse error on its feed', async (file) => {
      expect(reports.get(file)).toMatchObject({ result: 'error' });
      expect(reports.get(file)!.error).toMatch(/^parse: .{10,}/);
      const [feed] = await store.getFeeds([feedIds.get(file)!]);
      expect(feed).toMatchObject({ status: 'FAILING', lastErrorClass: 'parse', errorCount: 1 });
      expect(await stored(file)).toBe(0);
    });

    it.each(Object.entries(EXPECTED_TEXT))('decodes %s without mojibake ("%s")', (file, text) => {
      const row = store.db
        .prepare("SELECT group_concat(title || ' ' || COALESCE(content_text, ''), ' ') FROM articles WHERE feed_id = ?")
        .pluck()
        .get(feedIds.get(file)) as string;
      expect(row).toContain(text);
    });

    it('stores no replacement characters or UTF-8-read-as-Latin-1 sequences anywhere else', () => {
      const texts = store.db
        .prepare("SELECT f.url, a.title || ' ' || COALESCE(a.content_text, '') AS text FROM articles a JOIN feeds f ON f.id = a.feed_id")
        .all() as { url: string; text: string }[];
      const garbled = texts.filter(
        (t) => !GARBLED_BY_DESIGN.has(decodeURIComponent(t.url.split('/corpus/')[1])) && /\ufffd|Ã[\u0080-\u00bf]|â€/.test(t.text),
      );
      expect(garbled.map((t) => `${t.url}: ${t.text.slice(0, 80)}`)).toEqual([]);
    });

    it('a second fetch of everything adds nothing and costs only 304s (failed feeds are tried again)', async () => {
      const before = (await store.countArticles({})).count;
      const again = await fetchAll();
      expect(again.reduce((n, r) => n + r.newCount + r.updatedCount, 0)).toBe(0);
      const failing = new Set(rows.filter((r) => r.parses === 'no').map((r) => r.file));
      for (const report of again) {
        const file = decodeURIComponent(report.url.split('/corpus/')[1]);
        expect([file, report.result]).toEqual([file, failing.has(file) ? 'error' : 'not_modified']);
      }
      expect((await store.countArticles({})).count).toBe(before);
    });
  });
}

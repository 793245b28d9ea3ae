// The benchmark's database: N articles over three years from 500 feeds, written THROUGH THE STORE
// (SqliteStore.open, loadReferenceData, addFeed, saveFetchOutcome), so it has exactly the layout,
// indexes, triggers and derived tables the service keeps. Generated once per size and cached in
// ~/.cache/foundation-wire/bench/ (BENCH_CACHE_DIR), keyed by the migrations, the reference data
// and GENERATOR_VERSION: a schema change regenerates it. Written to a temporary name and renamed
// when complete, so an interrupted generation is never reused.
//
//   node bench/generate.js --articles 100000 [--check]   (generate, or check a sample of the text)
'use strict';
require('reflect-metadata');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { SqliteStore } = require('../dist/store/sqlite/sqlite-store');
const { MIGRATIONS_DIR } = require('../dist/paths');
const { readReferenceData } = require('../dist/reference/load');
const { Linker } = require('../dist/ingest/link');
const { excerpt } = require('../dist/ingest/html');
const { rng, Sampler, zipf, TextMaker, slugify, entitiesOf } = require('./text');

/** Bump when the generated data changes, so cached databases are regenerated. */
const GENERATOR_VERSION = 1;
const ROOT = path.join(__dirname, '..');
const REFERENCE_FILE = path.join(ROOT, 'src', 'reference', 'foundations.yaml');
const CACHE_DIR = process.env.BENCH_CACHE_DIR || path.join(os.homedir(), '.cache', 'foundation-wire', 'bench');

/** The data ends here (fixed, so that a cached database and its queries do not depend on the day it was made). */
const DATA_END = Date.UTC(2026, 11, 1);
const DAYS = 3 * 365 + 1;
const DATA_START = DATA_END - DAYS * 86_400_000;
const FEEDS = 500;
/** Generated feeds are never due: a benchmark's scheduler only fetches the feeds it adds itself. */
const NEVER = Date.UTC(2100, 0, 1);

/** Foundations by how many feeds they have (most first); the others follow in file order. */
const FEED_FOUNDATION_ORDER = ['cncf', 'linux-foundation', 'openssf', 'pytorch-foundation', 'apache', 'eclipse', 'lf-ai-data', 'openjs'];

function cacheKey() {
  const hash = crypto.createHash('sha256');
  hash.update(`generator ${GENERATOR_VERSION}\n`);
  for (const name of fs.readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(`${name}\n`);
    hash.update(fs.readFileSync(path.join(MIGRATIONS_DIR, name)));
  }
  hash.update(fs.readFileSync(REFERENCE_FILE));
  return hash.digest('hex').slice(0, 12);
}

function databasePath(articles) {
  return path.join(CACHE_DIR, `articles-${articles}-${cacheKey()}.db`);
}

/** The cached database for this size (generating it first when missing), with what generation measured. */
async function ensureDatabase(articles, { log = console.log } = {}) {
  const file = databasePath(articles);
  const metaFile = file.replace(/\.db$/, '.json');
  if (fs.existsSync(file)) {
    const meta = fs.existsSync(metaFile) ? JSON.parse(fs.readFileSync(metaFile, 'utf8')) : null;
    return { file, meta, generated: false };
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  removeStaleTemporaries(path.basename(file));
  const temp = `${file}.tmp-${process.pid}`;
  log(`generating ${articles.toLocaleString('en-US')} articles into ${file} (once; later runs reuse it) ...`);
  const meta = await generate(temp, articles, log);
  fs.writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  fs.renameSync(temp, file);
  return { file, meta, generated: true };
}

/** Temporary files of generations that did not finish (their process is gone). */
function removeStaleTemporaries(base) {
  for (const name of fs.readdirSync(CACHE_DIR)) {
    const m = /\.tmp-(\d+)(-wal|-shm)?$/.exec(name);
    if (!m || !name.startsWith(base)) continue;
    let alive = false;
    try {
      process.kill(Number(m[1]), 0);
      alive = true;
    } catch {
      // gone
    }
    if (!alive) fs.rmSync(path.join(CACHE_DIR, name), { force: true });
  }
}

/** Opens a store as the service does (migrated, reference data loaded). */
async function openBenchStore(file) {
  const store = SqliteStore.open({ path: file, busyTimeoutMs: 30_000, migrationsDir: MIGRATIONS_DIR });
  const reference = readReferenceData(REFERENCE_FILE);
  await store.loadReferenceData(reference);
  return { store, reference };
}

/**
 * Disables the reference data's feeds (real URLs on the internet): a benchmark's database is a
 * closed world, and its scheduler must fetch only what the benchmark serves.
 */
async function disableReferenceFeeds(store, reference) {
  for (const f of reference.foundations) for (const feed of f.feeds) await store.setFeedDisabled(feed.url, true);
}

/** Everything the generator draws from, built from the reference data and the store's ids. */
async function setting(store, reference) {
  const entities = entitiesOf(reference);
  const text = new TextMaker(entities);
  const linker = new Linker(await store.loadEntityDictionary());
  const records = await store.getFoundationsBySlug(entities.foundations.map((f) => f.slug));
  const foundations = entities.foundations.map((f, i) => ({ ...f, id: records[i].id }));
  return { text, linker, foundations };
}

/** 500 feeds on ~300 hosts, most with a foundation (CNCF and the LF have the most), a few without. */
async function addFeeds(store, foundations, random) {
  const ordered = [
    ...FEED_FOUNDATION_ORDER.map((slug) => foundations.find((f) => f.slug === slug)).filter(Boolean),
    ...foundations.filter((f) => !FEED_FOUNDATION_ORDER.includes(f.slug)),
  ];
  const foundationSampler = new Sampler(zipf(ordered.length, 0.9));
  const topics = ['news', 'blog', 'releases', 'security advisories', 'community', 'events', 'engineering', 'project updates'];
  const feeds = [];
  for (let i = 0; i < FEEDS; i++) {
    const foundation = random() < 0.05 ? null : ordered[foundationSampler.sample(random)];
    const host = `news${i % 300}.${foundation ? foundation.slug : 'independent'}.example.org`;
    const site = `https://${host}`;
    const title = `${foundation ? (foundation.shortName ?? foundation.name) : 'Independent'} ${topics[i % topics.length]} ${i}`;
    const record = await store.addFeed({ url: `${site}/feeds/${i}.xml`, foundationId: foundation?.id ?? null, title });
    const l = random();
    feeds.push({
      id: record.id,
      site,
      title,
      foundation,
      language: l < 0.92 ? 'en' : l < 0.96 ? 'en-us' : l < 0.98 ? 'de' : 'ja',
      tracking: random() < 0.3,
    });
  }
  return feeds;
}

/**
 * When each article is published and by which feed: Zipf over feeds; days busier the more recent
 * (three times busier at the end than at the start) and on weekdays; hours peaking in the
 * European and American working day. Returned in publication order.
 */
function schedule(count, random) {
  const feedRank = Array.from({ length: FEEDS }, (_, i) => i);
  for (let i = FEEDS - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [feedRank[i], feedRank[j]] = [feedRank[j], feedRank[i]];
  }
  const feedSampler = new Sampler(zipf(FEEDS, 0.8));
  const dayWeights = Array.from({ length: DAYS }, (_, d) => {
    const weekday = new Date(DATA_START + d * 86_400_000).getUTCDay();
    return Math.exp((Math.log(3) * d) / DAYS) * (weekday === 0 || weekday === 6 ? 0.3 : 1);
  });
  const daySampler = new Sampler(dayWeights);
  const hourSampler = new Sampler(Array.from({ length: 24 }, (_, h) => 0.3 + Math.exp(-((h - 15) ** 2) / 18)));
  const times = new Float64Array(count);
  const feeds = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    feeds[i] = feedRank[feedSampler.sample(random)];
    times[i] = DATA_START + daySampler.sample(random) * 86_400_000 + hourSampler.sample(random) * 3_600_000 + Math.floor(random() * 3_600_000);
  }
  const order = Uint32Array.from({ length: count }, (_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
  return { order, times, feeds };
}

const COMPANY_COUNTS = new Sampler([0.3, 0.3, 0.2, 0.12, 0.08]); // 0-4 companies
const FOUNDATION_COUNTS = new Sampler([0.55, 0.35, 0.1]); // 0-2 foundations

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

/** One ArticleInput, as ingestion would hand it to the store (see src/ingest/normalize.ts and dedup.ts). */
function makeArticle(ctx, feed, publishedAt, seq, random) {
  const { text: maker, linker } = ctx;
  let { title, html, text } = maker.article(random, {
    companyCount: COMPANY_COUNTS.sample(random),
    foundationCount: FOUNDATION_COUNTS.sample(random),
    ownFoundation: feed.foundation,
    site: feed.site,
  });
  const date = new Date(publishedAt).toISOString();
  let canonicalUrl = `${feed.site}/${date.slice(0, 4)}/${date.slice(5, 7)}/${slugify(title)}-${seq}/`;
  // A few stories are carried by several feeds (same canonical URL): the store links them as one story.
  const recent = ctx.recent;
  if (recent.length > 100 && random() < 0.02) {
    const source = recent[Math.floor(random() * recent.length)];
    if (source.feedId !== feed.id) ({ title, canonicalUrl } = source);
  } else {
    recent[ctx.recentNext] = { feedId: feed.id, title, canonicalUrl };
    ctx.recentNext = (ctx.recentNext + 1) % 2000;
  }
  const url = feed.tracking ? `${canonicalUrl}?utm_source=rss&utm_medium=rss&utm_campaign=${slugify(title).slice(0, 20)}` : canonicalUrl;
  const guid = `${feed.site}/?p=${seq}`;
  const summary = excerpt(text, 200);
  const author = random() < 0.85 ? maker.author(random) : null;
  const imageUrl = random() < 0.6 ? `${feed.site}/images/${seq}.jpg` : null;
  const enclosures = random() < 0.05 ? [{ url: `${feed.site}/media/${seq}.mp3`, type: 'audio/mpeg', length: 1_000_000 + Math.floor(random() * 5e7) }] : [];
  const contentHash = sha256(JSON.stringify([title, url, html, summary, author, imageUrl, publishedAt, enclosures]));
  return {
    identity: `guid:${guid}`,
    url,
    canonicalUrl,
    title,
    summary,
    contentHtml: html,
    contentText: text,
    author,
    language: feed.language,
    imageUrl,
    publishedAt,
    dateSource: 'published',
    contentHash,
    enclosures,
    mentions: linker.link(title, text),
  };
}

async function generate(file, count, log) {
  const started = process.hrtime.bigint();
  const { store, reference } = await openBenchStore(file);
  const random = rng(`foundation-wire-bench-${GENERATOR_VERSION}`);
  await disableReferenceFeeds(store, reference);
  const ctx = { ...(await setting(store, reference)), recent: [], recentNext: 0 };
  const feeds = await addFeeds(store, ctx.foundations, random);
  const { order, times, feeds: feedOf } = schedule(count, random);

  // Each feed's items are saved as fetches would save them: a fetch when 50 new items are waiting,
  // and one at the end of every quarter for the feeds with fewer (every year or so below 100,000
  // articles, where the store's pause after each save would make the small batches slow). Saves
  // run one after another, in the order the batches were made (ids grow with time, as in
  // production), while the generation goes on between them: the store pauses after each write
  // transaction (to leave the lock to other connections), and the text of the next batches is
  // written meanwhile.
  const pending = new Map();
  const queue = [];
  let written = 0;
  let nextReport = Math.max(10_000, Math.round(count / 10));
  const bytes = { title: 0, html: 0, text: 0, summary: 0 };
  let wake = null;
  let finished = false;
  const saver = (async () => {
    for (;;) {
      if (queue.length === 0) {
        if (finished) return;
        await new Promise((resolve) => (wake = resolve));
        continue;
      }
      const { feedIndex, at, articles } = queue.shift();
      const feed = feeds[feedIndex];
      await store.saveFetchOutcome(feed.id, {
        kind: 'fetched',
        startedAt: Math.min(DATA_END, Math.ceil(at / 3_600_000) * 3_600_000),
        durationMs: 150,
        httpStatus: 200,
        nextFetchAt: NEVER,
        etag: null,
        lastModified: null,
        movedTo: null,
        info: { title: feed.title, siteUrl: feed.site, language: feed.language },
        fetchIntervalMs: 3_600_000,
        itemsSeen: articles.length,
        articles,
      });
      written += articles.length;
      if (written >= nextReport) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        log(`  ${written.toLocaleString('en-US')} / ${count.toLocaleString('en-US')} articles, ${Math.round(written / seconds)} articles/s`);
        nextReport += Math.max(10_000, Math.round(count / 10));
      }
    }
  })();
  const enqueue = (feedIndex, at) => {
    queue.push({ feedIndex, at, articles: pending.get(feedIndex) });
    pending.delete(feedIndex);
    wake?.();
    wake = null;
  };
  const yieldToSaves = () => new Promise((resolve) => setImmediate(resolve));
  const PERIOD = Math.ceil((DAYS * 86_400_000) / Math.min(12, Math.max(1, Math.round(count / 8000))));
  const periodOf = (t) => Math.floor((t - DATA_START) / PERIOD);
  const batchPeriod = new Map();
  let sliceStart = performance.now();
  for (let k = 0; k < count; k++) {
    const i = order[k];
    const feedIndex = feedOf[i];
    // A batch waiting since an earlier period is saved (dated at that period's end) when the feed's
    // next article comes: saves spread among the generation rather than in bursts.
    if (pending.has(feedIndex) && batchPeriod.get(feedIndex) !== periodOf(times[i])) {
      enqueue(feedIndex, DATA_START + (batchPeriod.get(feedIndex) + 1) * PERIOD);
    }
    const article = makeArticle(ctx, feeds[feedIndex], times[i], k + 1, random);
    bytes.title += article.title.length;
    bytes.html += article.contentHtml.length;
    bytes.text += article.contentText.length;
    bytes.summary += article.summary.length;
    if (!pending.has(feedIndex)) {
      pending.set(feedIndex, []);
      batchPeriod.set(feedIndex, periodOf(times[i]));
    }
    const list = pending.get(feedIndex);
    list.push(article);
    if (list.length >= 50) enqueue(feedIndex, times[i]);
    // Every 2 ms, let a save whose pause is over run; never more than 40 batches ahead.
    if (performance.now() - sliceStart > 2 || queue.length > 40) {
      do await yieldToSaves();
      while (queue.length > 40);
      sliceStart = performance.now();
    }
  }
  for (const feedIndex of [...pending.keys()]) enqueue(feedIndex, DATA_END);
  finished = true;
  wake?.();
  await saver;
  const counts = store.db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM articles) AS articles, (SELECT COUNT(*) FROM article_company_mentions) AS companyMentions,
              (SELECT COUNT(*) FROM article_foundation_mentions) AS foundationMentions,
              (SELECT COUNT(*) FROM articles WHERE story_id IS NOT NULL) AS storyMembers`,
    )
    .get();
  await store.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const average = (n) => Math.round(n / count);
  log(`  done: ${count.toLocaleString('en-US')} articles in ${seconds.toFixed(1)} s (${Math.round(count / seconds)} articles/s)`);
  return {
    generatorVersion: GENERATOR_VERSION,
    articles: count,
    feeds: FEEDS,
    dataStart: new Date(DATA_START).toISOString(),
    dataEnd: new Date(DATA_END).toISOString(),
    generatedAt: new Date().toISOString(),
    node: process.version,
    seconds: Math.round(seconds * 10) / 10,
    articlesPerSecond: Math.round(count / seconds),
    averageChars: { title: average(bytes.title), html: average(bytes.html), text: average(bytes.text), summary: average(bytes.summary) },
    ...counts,
    fileBytes: fs.statSync(file).size,
  };
}

/** Generates a sample in memory and checks it: text as the pipeline would derive it, mentions named in the text. */
async function check(count = 300) {
  const { htmlToText } = require('../dist/ingest/html');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-check-'));
  const { store, reference } = await openBenchStore(path.join(dir, 'check.db'));
  const ctx = { ...(await setting(store, reference)), recent: [], recentNext: 0 };
  const random = rng('check');
  const feeds = await addFeeds(store, ctx.foundations, random);
  const names = new Map((await store.loadEntityDictionary()).companies.map((c) => [c.id, [c.name, ...c.aliases]]));
  let problems = 0;
  const stats = { title: [], text: [], html: [], companies: [], foundations: [] };
  for (let i = 0; i < count; i++) {
    const a = makeArticle(ctx, feeds[i % FEEDS], DATA_END - i * 3_600_000, i + 1, random);
    if (htmlToText(a.contentHtml) !== a.contentText) {
      problems++;
      if (problems < 3) console.log('text differs from htmlToText(html):', JSON.stringify(htmlToText(a.contentHtml).slice(0, 300)), JSON.stringify(a.contentText.slice(0, 300)));
    }
    for (const m of a.mentions.companies) {
      if (!names.get(m.id).some((n) => `${a.title}\n${a.contentText}`.toLowerCase().includes(n.toLowerCase()))) problems++;
    }
    stats.title.push(a.title.length);
    stats.text.push(a.contentText.length);
    stats.html.push(a.contentHtml.length);
    stats.companies.push(a.mentions.companies.length);
    stats.foundations.push(a.mentions.foundations.length);
    if (i < 2) console.log(JSON.stringify({ ...a, contentHtml: `${a.contentHtml.slice(0, 400)}…`, contentText: `${a.contentText.slice(0, 400)}…` }, null, 2));
  }
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const describe = (xs) => {
    const s = [...xs].sort((x, y) => x - y);
    return `min ${s[0]}, median ${s[s.length >> 1]}, mean ${Math.round(s.reduce((x, y) => x + y, 0) / s.length)}, max ${s[s.length - 1]}`;
  };
  for (const [k, v] of Object.entries(stats)) console.log(`${k}: ${describe(v)}`);
  console.log(problems === 0 ? 'check: ok' : `check: ${problems} problems`);
  return problems === 0;
}

module.exports = {
  ensureDatabase,
  databasePath,
  openBenchStore,
  disableReferenceFeeds,
  cacheKey,
  CACHE_DIR,
  DATA_START,
  DATA_END,
  REFERENCE_FILE,
};

if (require.main === module) {
  const { parseArgs } = require('node:util');
  const { values } = parseArgs({ options: { articles: { type: 'string', default: '100000' }, check: { type: 'boolean' } } });
  (values.check ? check().then((ok) => process.exit(ok ? 0 : 1)) : ensureDatabase(Number(values.articles)).then((r) => console.log(r.file))).catch(
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

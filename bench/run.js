// Benchmarks (`npm run bench`): throughput of the ingestion pipeline and latency of the read API, on
// this machine, with real parts (SQLite file, HTTP servers on 127.0.0.1). Figures, not assertions:
// timed checks do not belong in the test suite.
'use strict';
require('reflect-metadata');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const pino = require('pino');
const { decodeFeed } = require('../dist/ingest/decode');
const { parseFeed } = require('../dist/ingest/parse');
const { normalizeFeed } = require('../dist/ingest/normalize');
const { identify } = require('../dist/ingest/dedup');
const { Linker } = require('../dist/ingest/link');
const { SqliteStore } = require('../dist/store/sqlite/sqlite-store');
const { MIGRATIONS_DIR } = require('../dist/paths');
const { readReferenceData } = require('../dist/reference/load');
const { Scheduler } = require('../dist/scheduler/scheduler');
const { buildApiSchema } = require('../dist/graphql/schema');
const { loadConfig } = require('../dist/config');
const { getIntrospectionQuery } = require('graphql');
const { startHttpServer } = require('../dist/http/server');
const { ArticleWatcher } = require('../dist/live/article-watcher');
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

const ROOT = path.join(__dirname, '..');
const log = pino({ level: 'silent' });

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function openStore(dir) {
  const store = SqliteStore.open({ path: path.join(dir, 'bench.db'), busyTimeoutMs: 5000, migrationsDir: MIGRATIONS_DIR });
  await store.loadReferenceData(readReferenceData(path.join(ROOT, 'src', 'reference', 'foundations.yaml')));
  return store;
}

/** A synthetic feed of n items mentioning companies and foundations, like foundation news. */
function syntheticFeed(feedNo, n) {
  const companies = ['Google', 'Microsoft', 'AWS', 'Meta', 'NVIDIA', 'Red Hat', 'IBM', 'Intel', 'Huawei', 'Apple'];
  const foundations = ['CNCF', 'OpenSSF', 'the PyTorch Foundation', 'the Linux Foundation', 'the Eclipse Foundation'];
  const items = [];
  for (let i = 0; i < n; i++) {
    const c1 = companies[(feedNo + i) % companies.length];
    const c2 = companies[(feedNo + 3 * i) % companies.length];
    const f = foundations[(feedNo + i) % foundations.length];
    const date = new Date(Date.UTC(2026, 9, 1) + (feedNo * n + i) * 600_000).toUTCString();
    items.push(`<item><title>${c1} joins ${f} as a member (${feedNo}-${i})</title><link>https://news${feedNo}.example/posts/${i}?utm_source=rss</link>
<guid>feed-${feedNo}-item-${i}</guid><pubDate>${date}</pubDate><description><![CDATA[<p>${c1} and ${c2} announced today that they will work with ${f} on supply-chain security, AI tooling and cloud-native infrastructure.</p>
<p>${'The announcement covers maintainers, funding and governance. '.repeat(8)}</p><img src="/img/${i}.png">]]></description></item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Synthetic ${feedNo}</title><link>https://news${feedNo}.example/</link>${items.join('\n')}</channel></rss>`;
}

async function pipelineThroughput(store) {
  const corpus = path.join(ROOT, '..', 'shared', 'corpus', 'feeds');
  const files = fs.existsSync(corpus)
    ? fs.readdirSync(corpus).filter((f) => /\.(xml|rss|atom)$/.test(f)).map((f) => ({ name: f, bytes: fs.readFileSync(path.join(corpus, f)) }))
    : [{ name: 'synthetic', bytes: Buffer.from(syntheticFeed(0, 200)) }];
  const linker = new Linker(await store.loadEntityDictionary());
  let items = 0;
  let bytes = 0;
  const rounds = 5;
  const started = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) {
    for (const file of files) {
      bytes += file.bytes.length;
      try {
        const { text } = decodeFeed(file.bytes, null);
        const parsed = await parseFeed(text);
        const { articles } = normalizeFeed(parsed, { feedUrl: 'https://bench.example/feed', fetchedAt: Date.now() });
        for (const a of identify(articles).articles) {
          linker.link(a.title, a.contentText);
          items++;
        }
      } catch {
        // the corpus has broken feeds on purpose
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `pipeline (decode → parse → normalize → dedup → link, no I/O) on ${fs.existsSync(corpus) ? `the ${files.length}-file corpus` : 'a synthetic feed'} x${rounds}: ` +
      `${Math.round(items / seconds)} items/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s`,
  );
}

async function endToEnd(store, feeds, perFeed) {
  const bodies = Array.from({ length: feeds }, (_, i) => Buffer.from(syntheticFeed(i, perFeed)));
  const server = http.createServer((req, res) => {
    const n = Number(/\/feed-(\d+)\.xml/.exec(req.url)[1]);
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(bodies[n]);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  store.db.prepare('UPDATE feeds SET disabled_at = 1').run();
  const hosts = ['127.0.0.1', 'localhost'];
  const insert = store.db.prepare(`INSERT INTO feeds (url, foundation_id, created_at, updated_at) VALUES (?, (SELECT id FROM foundations WHERE slug = 'cncf'), 0, 0)`);
  for (let i = 0; i < feeds; i++) insert.run(`http://${hosts[i % 2]}:${port}/feed-${i}.xml`);
  const scheduler = new Scheduler({
    store,
    log,
    config: {
      fetchConcurrency: 8, fetchMinIntervalMs: 900_000, fetchMaxIntervalMs: 86_400_000, fetchTimeoutMs: 30_000,
      fetchConnectTimeoutMs: 10_000, fetchMaxBodyBytes: 10 * 1024 * 1024, fetchAllowPrivateHosts: true,
    },
  });
  let started = process.hrtime.bigint();
  const reports = await scheduler.runOnce({ all: true });
  let seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stored = reports.reduce((n, r) => n + r.newCount, 0);
  console.log(`fetch --all, ${feeds} feeds x ${perFeed} items over HTTP into SQLite (one transaction per feed): ${(seconds).toFixed(2)} s, ${Math.round(feeds / seconds)} feeds/s, ${Math.round(stored / seconds)} new articles/s`);
  started = process.hrtime.bigint();
  const again = await scheduler.runOnce({ all: true });
  seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`the same again (every item unchanged, nothing written): ${seconds.toFixed(2)} s, ${Math.round(feeds / seconds)} feeds/s (${again.filter((r) => r.result === 'unchanged').length} unchanged)`);
  await scheduler.stop();
  server.close();
  return stored;
}

// The documented defaults, on a free port, without the response cache, with room for the heavy queries.
const SERVER_CONFIG = { ...loadConfig({}), port: 0, host: '127.0.0.1', queryMaxCost: 100_000, cacheMaxAgeSeconds: 0 };

async function apiLatency(store, articles) {
  const server = await startHttpServer({ config: SERVER_CONFIG, schema: await buildApiSchema(), store, log });
  const queries = {
    'articles(first: 100) with feed, foundations, companies': '{ articles(first: 100) { nodes { title publishedAt feed { title } foundations { slug } companies { slug } } } }',
    'articles of one foundation, one company, a date range (first: 20) + totalCount':
      '{ articles(first: 20, filter: { foundations: ["cncf"], companies: ["google"], publishedAfter: "2026-10-15T00:00:00Z" }) { totalCount nodes { title } } }',
    'companies(first: 100) with memberships and foundations': '{ companies(first: 100) { nodes { name memberships { nodes { tier foundation { slug } } } } } }',
    'search "supply chain security", by relevance, first 20 with snippets + totalCount':
      '{ articles(first: 20, filter: { search: "\\"supply chain\\" security" }, orderBy: { field: RELEVANCE }) { totalCount nodes { title snippet { text marks { start end } } } } }',
    'articles of CNCF Platinum members (memberOf), first 20 + totalCount':
      '{ articles(first: 20, filter: { memberOf: { foundation: "cncf", tiers: ["Platinum"] } }) { totalCount nodes { title } } }',
    'articleCounts by COMPANY, top 20': '{ articleCounts(by: COMPANY, first: 20) { company { name } count } }',
    'articleTimeline, WEEK by FOUNDATION over a year, 5 series': '{ articleTimeline(interval: WEEK, by: FOUNDATION, from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z", first: 5) { total points { count } } }',
  };
  for (const [name, query] of Object.entries(queries)) {
    const times = [];
    for (let i = 0; i < 220; i++) {
      const started = process.hrtime.bigint();
      const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      const body = await res.json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      if (i >= 20) times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`API over HTTP, ${articles} articles stored, ${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (200 sequential requests)`);
  }
  await server.stop();
}

/**
 * Hostile documents over HTTP, with the default limits: how long the server takes to refuse each
 * one (they once held it for up to 28.5 s), and /healthz latency while one client sends them back
 * to back.
 */
async function hostileQueries(store) {
  const server = await startHttpServer({ config: { ...loadConfig({}), port: 0, host: '127.0.0.1', cacheMaxAgeSeconds: 0 }, schema: await buildApiSchema(), store, log });
  const fanOut = (levels) =>
    `{ foundation(slug: "cncf") { ...F0 } } ` +
    Array.from({ length: levels }, (_, i) => (i === levels - 1 ? `fragment F${i} on Foundation { parent { slug } }` : `fragment F${i} on Foundation { ...F${i + 1} ...F${i + 1} }`)).join(' ');
  const cases = {
    'fragment fan-out, 24 levels (1.1 KB)': fanOut(24),
    'fragment fan-out, 200 levels (9 KB)': fanOut(200),
    '6,000 aliased __schema (473 KB)': `{ ${Array.from({ length: 6000 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`,
    '20,000 repeats of one field (220 KB)': `{ ${'__typename '.repeat(20_000)}}`,
    '1,500 repeats of one field (7.5 KB, over the merge-check budget)': `{ foundation(slug: "cncf") { ${'slug '.repeat(1500)}} }`,
    'full introspection (accepted)': getIntrospectionQuery(),
  };
  const post = async (query) => {
    const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return res.json();
  };
  for (const [name, query] of Object.entries(cases)) {
    const times = [];
    let outcome = '';
    for (let i = 0; i < 60; i++) {
      const started = process.hrtime.bigint();
      const body = await post(query);
      if (i >= 10) times.push(Number(process.hrtime.bigint() - started) / 1e6);
      outcome = body.errors ? body.errors[0].extensions.code : 'accepted';
    }
    times.sort((a, b) => a - b);
    console.log(`hostile query, ${name}: ${outcome}, p50 ${percentile(times, 50).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms (50 requests)`);
  }
  // /healthz while one client sends 24-level fan-outs back to back.
  let flooding = true;
  const flood = (async () => {
    while (flooding) await post(cases['fragment fan-out, 24 levels (1.1 KB)']);
  })();
  const health = [];
  for (let i = 0; i < 200; i++) {
    const started = process.hrtime.bigint();
    await (await fetch(`${server.url}/healthz`)).text();
    health.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  flooding = false;
  await flood;
  health.sort((a, b) => a - b);
  console.log(`/healthz during a flood of fan-out queries: p50 ${percentile(health, 50).toFixed(1)} ms, p99 ${percentile(health, 99).toFixed(1)} ms (200 requests)`);
  await server.stop();
}

/** From the commit of a new article to its arrival at a subscriber over graphql-ws. */
async function subscriptionLatency(store) {
  const live = new ArticleWatcher(store, log);
  const server = await startHttpServer({ config: SERVER_CONFIG, schema: await buildApiSchema(), store, log, live });
  const client = createClient({ url: `${server.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket });
  const arrivals = new Map();
  const dispose = client.subscribe(
    { query: 'subscription { articleAdded(filter: { search: "benchmark" }) { title } }' },
    { next: (r) => arrivals.set(r.data.articleAdded.title, process.hrtime.bigint()), error: (e) => console.error(e), complete: () => {} },
  );
  await new Promise((r) => setTimeout(r, 500));
  const feed = store.db.prepare("SELECT id FROM feeds WHERE disabled_at IS NULL LIMIT 1").pluck().get();
  const insert = store.db.prepare(`INSERT INTO articles (feed_id, identity, title, content_text, published_at, date_source, fetched_at, updated_at, content_hash)
    VALUES (?, ?, ?, 'a benchmark article', ?, 'published', ?, ?, 'h')`);
  const delays = [];
  for (let i = 0; i < 20; i++) {
    const title = `latency ${i}`;
    const written = process.hrtime.bigint();
    insert.run(feed, `bench-live-${i}`, title, Date.now(), Date.now(), Date.now());
    while (!arrivals.has(title)) await new Promise((r) => setTimeout(r, 5));
    delays.push(Number(arrivals.get(title) - written) / 1e6);
    await new Promise((r) => setTimeout(r, Math.random() * 250));
  }
  delays.sort((a, b) => a - b);
  console.log(`subscription delivery, commit → client (polling every 250 ms): p50 ${percentile(delays, 50).toFixed(0)} ms, max ${delays[delays.length - 1].toFixed(0)} ms (20 articles)`);
  dispose();
  await client.dispose();
  live.stop();
  await server.stop();
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-'));
  try {
    console.log(`Foundation Wire benchmarks, ${os.cpus().length} CPUs (${os.cpus()[0].model}), Node ${process.version}`);
    const store = await openStore(dir);
    await pipelineThroughput(store);
    const stored = await endToEnd(store, 200, 50);
    await apiLatency(store, stored);
    await hostileQueries(store);
    await subscriptionLatency(store);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});

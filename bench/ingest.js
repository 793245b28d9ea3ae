// Scenario `ingest`: items per second from feed bytes to committed rows, in-process, with the
// pipeline's own steps (dist/ingest/*: decode → parse → normalize → identify → link, then the
// store's saveFetchOutcome into a fresh database), against rss-parser's parseString alone on the
// same bytes. Run by the runner as a child pinned to the service's cores; prints one JSON line.
//
//   node bench/ingest.js [--feeds 200] [--items 50]
'use strict';
require('reflect-metadata');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Parser = require('rss-parser');
const { decodeFeed } = require('../dist/ingest/decode');
const { parseFeed } = require('../dist/ingest/parse');
const { normalizeFeed } = require('../dist/ingest/normalize');
const { identify } = require('../dist/ingest/dedup');
const { Linker } = require('../dist/ingest/link');
const { openBenchStore, disableReferenceFeeds } = require('./generate');
const { feedBodies } = require('./feeds');

const CONTENT_TYPE = 'application/rss+xml; charset=utf-8';
const now = () => performance.now();

/** The pipeline of refresh-feed.ts without the fetch, timed step by step. */
async function pipeline(store, feeds, bodies) {
  const linker = new Linker(await store.loadEntityDictionary());
  const steps = { decode: 0, parse: 0, normalize: 0, identify: 0, link: 0, save: 0 };
  let items = 0;
  const started = now();
  for (let k = 0; k < bodies.length; k++) {
    let t = now();
    const step = (name) => {
      const t2 = now();
      steps[name] += t2 - t;
      t = t2;
    };
    const startedAt = Date.now();
    const { text } = decodeFeed(bodies[k], CONTENT_TYPE);
    step('decode');
    const parsed = await parseFeed(text);
    step('parse');
    const { info, articles } = normalizeFeed(parsed, { feedUrl: feeds[k].url, fetchedAt: startedAt });
    step('normalize');
    const { articles: unique } = identify(articles);
    step('identify');
    const linked = unique.map((article) => ({ ...article, mentions: linker.link(article.title, article.contentText) }));
    step('link');
    await store.saveFetchOutcome(feeds[k].id, {
      kind: 'fetched',
      startedAt,
      durationMs: Date.now() - startedAt,
      httpStatus: 200,
      etag: null,
      lastModified: null,
      movedTo: null,
      info,
      fetchIntervalMs: 3_600_000,
      itemsSeen: parsed.items.length,
      articles: linked,
      nextFetchAt: startedAt + 3_600_000,
    });
    step('save');
    items += linked.length;
  }
  const seconds = (now() - started) / 1000;
  return { items, seconds, steps };
}

async function parseStringOnly(bodies) {
  const parser = new Parser();
  let items = 0;
  const started = now();
  for (const bytes of bodies) items += (await parser.parseString(bytes.toString('utf8'))).items.length;
  return { items, seconds: (now() - started) / 1000 };
}

async function freshStore(dir, name, count) {
  const { store, reference } = await openBenchStore(path.join(dir, `${name}.db`));
  await disableReferenceFeeds(store, reference);
  const feeds = [];
  for (let k = 0; k < count; k++) feeds.push(await store.addFeed({ url: `https://site${k}.example.org/feed/`, foundationId: null, title: null }));
  return { store, feeds };
}

async function main({ feeds: feedCount, items: perFeed }) {
  const bodies = feedBodies(feedCount, perFeed);
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-ingest-'));
  try {
    // Warm-up (JIT) on a few feeds, into a database of its own.
    const warm = await freshStore(dir, 'warm', 20);
    await pipeline(warm.store, warm.feeds, bodies.slice(0, 20));
    await parseStringOnly(bodies.slice(0, 20));
    await warm.store.close();

    const parser = await parseStringOnly(bodies);
    const { store, feeds } = await freshStore(dir, 'ingest', feedCount);
    const piped = await pipeline(store, feeds, bodies);
    const stored = store.db.prepare('SELECT COUNT(*) FROM articles').pluck().get();
    await store.close();
    const rate = (r) => Math.round(r.items / r.seconds);
    return {
      event: 'result',
      feeds: feedCount,
      itemsPerFeed: perFeed,
      feedBytes: bytes,
      stored,
      pipelineItemsPerSecond: rate(piped),
      pipelineSeconds: Math.round(piped.seconds * 100) / 100,
      pipelineMBps: Math.round((bytes / 1e6 / piped.seconds) * 10) / 10,
      steps: Object.fromEntries(Object.entries(piped.steps).map(([k, ms]) => [k, Math.round((ms / piped.items) * 1000) / 1000])),
      parseStringItemsPerSecond: rate(parser),
      parseStringSeconds: Math.round(parser.seconds * 100) / 100,
      ratio: Math.round((rate(piped) / rate(parser)) * 1000) / 1000,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const { parseArgs } = require('node:util');
  const { values } = parseArgs({ options: { feeds: { type: 'string', default: '200' }, items: { type: 'string', default: '50' } } });
  main({ feeds: Number(values.feeds), items: Number(values.items) }).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

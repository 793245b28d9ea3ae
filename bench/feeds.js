// Feeds for the benchmark, generated (bench/text.js) and served from loopback by node:http.
//
//   node bench/feeds.js many --feeds 1000 --items 20 --addresses 100
//       1,000 RSS feeds of 20 full-size items spread over 127.0.0.2 ... 127.0.0.101 (one server per
//       address, so per-host politeness works as in production), with ETag and Last-Modified, and
//       304 for a matching If-None-Match / If-Modified-Since.
//   node bench/feeds.js big --items 100000
//       one feed of 100,000 small items (~400 bytes each) on 127.0.0.1.
//
// Run as a child process (pinned by the runner to the load generator's core). It prints JSON lines
// on stdout: {"event":"ready",...} once listening, {"event":"request",...} when the big feed is
// asked for, {"event":"sent"} when it has been sent, and {"event":"stats",...} on SIGUSR2 / SIGTERM.
'use strict';
const http = require('node:http');
const path = require('node:path');
const { rng, TextMaker, escapeHtml, slugify, entitiesOf } = require('./text');

const FEED_DATE = Date.UTC(2026, 10, 30, 12);
const LAST_MODIFIED = new Date(FEED_DATE).toUTCString();

function textMaker() {
  const { readReferenceData } = require('../dist/reference/load');
  return new TextMaker(entitiesOf(readReferenceData(path.join(__dirname, '..', 'src', 'reference', 'foundations.yaml'))));
}

/** An RSS 2.0 document as WordPress writes one: a summary in description, the article in content:encoded. */
function renderRss({ title, site, items }) {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    `<channel><title>${escapeHtml(title)}</title><link>${site}/</link><description>${escapeHtml(title)}</description><language>en</language>`,
  ];
  for (const item of items) {
    out.push(
      `<item><title>${escapeHtml(item.title)}</title><link>${item.link}</link><guid isPermaLink="false">${item.guid}</guid>` +
        `<pubDate>${new Date(item.publishedAt).toUTCString()}</pubDate>` +
        (item.author ? `<dc:creator><![CDATA[${item.author}]]></dc:creator>` : '') +
        `<description>${escapeHtml(item.summary)}</description>` +
        (item.html ? `<content:encoded><![CDATA[${item.html}]]></content:encoded>` : '') +
        '</item>',
    );
  }
  out.push('</channel></rss>');
  return out.join('\n');
}

/** A feed of `count` full-size articles (title 40-120 chars, HTML 0.6-6 KB, 0-4 companies named). */
function fullFeed(maker, seed, count, site) {
  const random = rng(seed);
  const items = [];
  for (let i = 0; i < count; i++) {
    const a = maker.article(random, {
      companyCount: Math.floor(random() * 5),
      foundationCount: Math.floor(random() * 3),
      ownFoundation: null,
      site,
    });
    const id = `${seed}-${i}`;
    items.push({
      title: a.title,
      link: `${site}/2026/11/${slugify(a.title)}-${i}/?utm_source=rss`,
      guid: `${site}/?p=${id}`,
      publishedAt: FEED_DATE - i * 3_600_000,
      author: maker.author(random),
      summary: a.text.slice(0, 200),
      html: a.html,
    });
  }
  return renderRss({ title: `Bench feed ${seed}`, site, items });
}

/** One feed of `count` small items, about 400 bytes each. */
function bigFeed(maker, count) {
  const random = rng('big-feed');
  const site = 'https://big.example.org';
  const items = [];
  for (let i = 0; i < count; i++) {
    const { title, text } = maker.shortItem(random);
    items.push({ title, link: `${site}/p/${i}`, guid: `big-${i}`, publishedAt: FEED_DATE - i * 60_000, author: null, summary: text, html: null });
  }
  return renderRss({ title: 'A very big feed', site, items });
}

/** The bytes of `feeds` full-size feeds of `items` items each (also used in-process by ingest.js). */
function feedBodies(feeds, items, maker = textMaker()) {
  return Array.from({ length: feeds }, (_, k) => Buffer.from(fullFeed(maker, `feed-${k}`, items, `https://site${k}.example.org`)));
}

const listen = (server, host) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(server.address().port));
  });

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

async function serveMany({ feeds, items, addresses }) {
  const maker = textMaker();
  const bodies = feedBodies(feeds, items, maker);
  const stats = { ok: 0, notModified: 0, bytes: 0 };
  const etag = (k) => `"fw-bench-${k}-1"`;
  const handler = (req, res) => {
    const m = /^\/feeds\/(\d+)\.xml$/.exec(req.url ?? '');
    const k = m ? Number(m[1]) : -1;
    if (k < 0 || k >= feeds) return res.writeHead(404).end();
    const validators = { etag: etag(k), 'last-modified': LAST_MODIFIED };
    if (req.headers['if-none-match'] === etag(k) || (!req.headers['if-none-match'] && req.headers['if-modified-since'] === LAST_MODIFIED)) {
      stats.notModified++;
      return res.writeHead(304, validators).end();
    }
    stats.ok++;
    stats.bytes += bodies[k].length;
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', 'content-length': bodies[k].length, ...validators }).end(bodies[k]);
  };
  const urls = new Array(feeds);
  const servers = [];
  for (let a = 0; a < addresses; a++) {
    const host = `127.0.0.${2 + a}`;
    const server = http.createServer(handler);
    const port = await listen(server, host);
    servers.push(server);
    for (let k = a; k < feeds; k += addresses) urls[k] = `http://${host}:${port}/feeds/${k}.xml`;
  }
  emit({ event: 'ready', urls, bytes: bodies.reduce((n, b) => n + b.length, 0) });
  // SIGUSR2: the counts so far, then zeroed (one line per run of the fetch command).
  process.on('SIGUSR2', () => {
    emit({ event: 'stats', ...stats });
    Object.assign(stats, { ok: 0, notModified: 0, bytes: 0 });
  });
  process.on('SIGTERM', () => {
    emit({ event: 'stats', ...stats });
    for (const s of servers) s.close();
    process.exit(0);
  });
}

async function serveBig({ items }) {
  const body = Buffer.from(bigFeed(textMaker(), items));
  let requests = 0;
  const server = http.createServer((req, res) => {
    if (req.url !== '/big.xml') return res.writeHead(404).end();
    requests++;
    emit({ event: 'request', at: Date.now() });
    res.on('finish', () => emit({ event: 'sent', at: Date.now() }));
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', 'content-length': body.length }).end(body);
  });
  const port = await listen(server, '127.0.0.1');
  emit({ event: 'ready', url: `http://127.0.0.1:${port}/big.xml`, bytes: body.length, items });
  process.on('SIGTERM', () => {
    emit({ event: 'stats', requests });
    server.close();
    process.exit(0);
  });
}

module.exports = { renderRss, fullFeed, bigFeed, feedBodies, textMaker };

if (require.main === module) {
  const { parseArgs } = require('node:util');
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { feeds: { type: 'string', default: '1000' }, items: { type: 'string', default: '20' }, addresses: { type: 'string', default: '100' } },
  });
  const options = { feeds: Number(values.feeds), items: Number(values.items), addresses: Number(values.addresses) };
  (positionals[0] === 'big' ? serveBig(options) : serveMany(options)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

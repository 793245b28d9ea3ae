// `npm run bench`: the performance benchmark of the performance issue, on this machine.
//
//   npm run bench                      100,000 articles (a few minutes, plus the first generation)
//   npm run bench -- --full            1,000,000 articles
//   npm run bench -- --articles 20000  any size, for trying things
//   npm run bench -- --only articles,search --out bench.json
//   npm run bench -- --only articles --cpu-prof prof   V8 CPU profiles of serve (every thread) in prof/<scenario>/
//
// The service runs as in production (`npm start`: `node --max-semi-space-size=8 dist/cli.js serve` on a generated database, pinned to
// cores 1..n-1); the load generator (autocannon, bench/load.js) runs in its own process on core 0.
// Scenarios: articles, foundation, search, memberOf, timeline, counts, cached, writer (read load
// while the service's scheduler saves a 100,000-item feed), fetch (`fetch --all` of 1,000 loopback
// feeds), ingest (pipeline vs rss-parser), hostile (hostile documents), and the baselines b1 (bare
// node:http) and b2 (Apollo Server with our SDL, data from memory) that the ratios compare with.
// A markdown table (ready for the README) is printed, and everything is written as JSON to --out.
'use strict';
require('reflect-metadata');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const Database = require('better-sqlite3');
const { SqliteStore } = require('../dist/store/sqlite/sqlite-store');
const { MIGRATIONS_DIR } = require('../dist/paths');
const { ensureDatabase, openBenchStore, disableReferenceFeeds } = require('./generate');
const { hostileQueries } = require('./hostile');

const ROOT = path.join(__dirname, '..');
const SCENARIO_DIR = path.join(__dirname, 'scenarios');

const { values: args } = parseArgs({
  options: {
    full: { type: 'boolean' },
    articles: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    'cpu-prof': { type: 'string' },
  },
});
const ARTICLES = args.articles ? Number(args.articles) : args.full ? 1_000_000 : 100_000;
const DURATION = Number(args.duration ?? (args.full ? 15 : 10));
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const CPUS = os.cpus().length;
// The load generator (and this process) on core 0, everything measured on the others.
const LOAD_CPUS = '0';
const SERVER_CPUS = CPUS > 2 ? `1-${CPUS - 1}` : CPUS === 2 ? '1' : '0';
const BIG_FEED_ITEMS = 100_000;
const FETCH_FEEDS = 1000;

const ALL = ['articles', 'foundation', 'search', 'memberOf', 'timeline', 'counts', 'cached', 'b1', 'b2', 'writer', 'fetch', 'ingest', 'hostile'];
const only = args.only ? args.only.split(',').map((s) => s.trim()) : ALL;
for (const name of only) if (!ALL.includes(name)) throw new Error(`--only: unknown scenario "${name}" (known: ${ALL.join(', ')})`);
const selected = (name) => only.includes(name);

const log = (...parts) => console.error(...parts);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, digits = 1) => (x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits);

// HTTP from this process, one connection per request (no keep-alive: an idle pooled connection
// would hold up the service's graceful shutdown)

function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, connection: 'close' }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${url}: no answer in 120 s`)));
    req.end(body);
  });
}

// Children

/**
 * A child process pinned to `cpus`, its stdout read as JSON lines (`events`), its stderr kept.
 * NODE_ENV=production as in the container image (graphql-js skips its development checks).
 */
function child(argv, { cpus, env = {}, name }) {
  const proc = spawn('taskset', ['-c', cpus, process.execPath, ...argv], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const c = { proc, name, events: [], stderr: '', stdout: '', waiters: [] };
  let buffer = '';
  proc.stdout.on('data', (chunk) => {
    c.stdout = (c.stdout + chunk).slice(-200_000);
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        continue;
      }
      if (!event || typeof event !== 'object') continue;
      c.events.push(event);
      for (const w of [...c.waiters]) if (w.test(event)) w.resolve(event);
    }
  });
  proc.stderr.on('data', (chunk) => (c.stderr = (c.stderr + chunk).slice(-20_000)));
  c.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  c.exited.then(({ code, signal }) => {
    c.done = true;
    for (const w of [...c.waiters]) w.reject(new Error(`${name} exited (${code ?? signal}) ${c.stderr.slice(-2000)}`));
  });
  /** The first event (already seen or to come) that passes `test`. */
  c.waitFor = (test, timeoutMs = 120_000) => {
    const seen = c.events.find(test);
    if (seen) return Promise.resolve(seen);
    if (c.done) return Promise.reject(new Error(`${name} exited ${c.stderr.slice(-2000)}`));
    return new Promise((resolve, reject) => {
      const w = { test };
      const timer = setTimeout(() => {
        c.waiters.splice(c.waiters.indexOf(w), 1);
        reject(new Error(`${name}: timed out waiting`));
      }, timeoutMs);
      w.resolve = (e) => {
        clearTimeout(timer);
        c.waiters.splice(c.waiters.indexOf(w), 1);
        resolve(e);
      };
      w.reject = (e) => {
        clearTimeout(timer);
        c.waiters.splice(c.waiters.indexOf(w), 1);
        reject(e);
      };
      c.waiters.push(w);
    });
  };
  c.stop = async (signal = 'SIGTERM', graceMs = 15_000) => {
    if (c.done) return c.exited;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    const result = await c.exited;
    clearTimeout(timer);
    return result;
  };
  return c;
}

/** Peak resident memory (VmHWM) of a process, in MB; null once it is gone. */
function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024, 1) : null;
  } catch {
    return null;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// The service

const peaks = [];

/** `node --max-semi-space-size=8 dist/cli.js serve` (what `npm start` runs) on the benchmark database, as in production, with these settings. */
async function startService(database, env = {}, profileAs = 'service') {
  const port = await freePort();
  const settings = {
    DATABASE_PATH: database,
    PORT: String(port),
    HOST: '127.0.0.1',
    FETCH_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    CACHE_MAX_AGE: '0s',
    QUERY_MAX_COST: '1000000',
    ...env,
  };
  for (const [k, v] of Object.entries(settings)) if (v === undefined) delete settings[k];
  // --cpu-prof: every thread of serve writes a .cpuprofile when it ends (open them in Chrome DevTools).
  const profile = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args['cpu-prof'], profileAs)] : [];
  // As `npm start` and the container image run it (the same V8 flag).
  const service = child([...profile, '--max-semi-space-size=8', 'dist/cli.js', 'serve'], { cpus: SERVER_CPUS, env: settings, name: 'serve' });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (service.done) throw new Error(`serve exited at start: ${service.stderr.slice(-3000)}${service.stdout.slice(-3000)}`);
    try {
      if ((await request(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 300_000) throw new Error('serve: not healthy after 300 s');
    await sleep(100);
  }
  return {
    url,
    pid: service.proc.pid,
    child: service,
    startSeconds: (Date.now() - started) / 1000,
    peak: () => peakRssMb(service.proc.pid),
    async stop() {
      const peak = peakRssMb(service.proc.pid);
      if (peak !== null) peaks.push(peak);
      const stopping = Date.now();
      // Graceful shutdown first; the service gets 10 s to drain before it is killed.
      const { code, signal } = await service.stop('SIGTERM', 10_000);
      const seconds = (Date.now() - stopping) / 1000;
      if (seconds > 5 || (code !== 0 && signal !== 'SIGTERM')) log(`  note: serve took ${seconds.toFixed(1)} s to stop (exit ${code ?? signal})`);
      return peak;
    },
  };
}

// Requests

const documents = {};
function documentOf(name) {
  documents[name] ??= fs.readFileSync(path.join(SCENARIO_DIR, `${name}.graphql`), 'utf8');
  return documents[name];
}
const post = (query, variables) => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(variables ? { query, variables } : { query }),
});
// A GET as a CDN or a browser would cache it; the header satisfies Apollo's CSRF prevention.
const get = (query) => ({ method: 'GET', path: `/graphql?query=${encodeURIComponent(query)}`, headers: { 'apollo-require-preflight': 'true' } });

/** Sends one request and checks it: 2xx and no GraphQL `errors`, or it throws with what came back. */
async function sample(baseUrl, spec) {
  const res = await request(`${baseUrl}${spec.path}`, spec);
  const { text } = res;
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // reported below
  }
  if (res.status < 200 || res.status > 299 || !json || json.errors) throw new Error(`sample ${spec.method} answered ${res.status}: ${text.slice(0, 600)}`);
  return { status: res.status, contentType: res.headers['content-type'], text, json };
}

/** Runs the load generator against `baseUrl`; `stop()` ends the measured run early. */
function startLoad(baseUrl, requests, { warmupSeconds = WARMUP, durationSeconds = DURATION, dump } = {}) {
  const spec = { url: baseUrl, requests, connections: CONNECTIONS, warmupSeconds, durationSeconds, dump };
  const load = child([path.join(__dirname, 'load.js'), JSON.stringify(spec)], { cpus: LOAD_CPUS, name: 'load' });
  return {
    measuring: load.waitFor((e) => e.event === 'measuring', (warmupSeconds + 60) * 1000),
    result: load.waitFor((e) => e.event === 'result', (warmupSeconds + durationSeconds + 120) * 1000).then(summarize),
    stop: async () => {
      await load.waitFor((e) => e.event === 'measuring', 60_000);
      load.proc.kill('SIGINT');
    },
  };
}

function summarize(r) {
  return { rps: r.rps, p50: r.p50, p90: r.p90, p99: r.p99, max: r.max, requests: r.requests, seconds: r.seconds, errors: r.non2xx + r.errors + r.timeouts + r.graphqlErrors, detail: { non2xx: r.non2xx, connectionErrors: r.errors, timeouts: r.timeouts, graphqlErrors: r.graphqlErrors, statusCodes: r.statusCodes } };
}

// Scenarios

const READ_SCENARIOS = [
  { name: 'articles', label: '1. `articles(first: 20)` with feed, foundations, companies', doc: 'articles', baseline: 'b2', target: { ofBaseline: 0.7, p99: 20 } },
  { name: 'foundation', label: '2. one foundation (CNCF), last 30 days, with `totalCount`', doc: 'foundation-month', baseline: 'b2', target: { ofBaseline: 0.7, p99: 20 } },
  { name: 'search', label: '3. search "supply chain security" by relevance, snippets, `totalCount`', doc: 'search', target: { p99: 50 } },
  { name: 'memberOf', label: '4. `memberOf` CNCF Platinum, first 20, `totalCount`', doc: 'member-of', baseline: 'b2', target: { ofBaseline: 0.7, p99: 20 } },
  { name: 'timeline', label: '5. `articleTimeline` weekly by foundation over a year', doc: 'timeline', target: { p99: 50 } },
  { name: 'counts', label: '6. `articleCounts(by: COMPANY)`, top 20', doc: 'counts', target: { p99: 50 } },
];

const results = { scenarios: {}, baselines: {}, failures: {} };
let captured = null;

/** One read scenario against a fresh service: sample check, warm-up, measured run, peak memory. */
async function readScenario(database, scenario, { env = {}, requests } = {}) {
  const service = await startService(database, env, scenario.name);
  try {
    requests ??= [post(documentOf(scenario.doc))];
    const samples = [];
    for (const r of requests) samples.push(await sample(service.url, r));
    if (scenario.name === 'articles') captured = { contentType: samples[0].contentType, body: samples[0].text, data: samples[0].json.data };
    const load = startLoad(service.url, requests);
    const result = await load.result;
    return {
      ...result,
      peakRssMb: service.peak(),
      serviceStartSeconds: round(service.startSeconds, 1),
      sampleBytes: samples[0].text.length,
      totalCount: samples[0].json.data?.articles?.totalCount,
    };
  } finally {
    await service.stop();
  }
}

/** Scenario 1's response as the service gives it (for the baselines), when scenario 1 did not run. */
async function captureScenario1(database) {
  if (captured) return captured;
  const service = await startService(database);
  try {
    const s = await sample(service.url, post(documentOf('articles')));
    captured = { contentType: s.contentType, body: s.text, data: s.json.data };
    return captured;
  } finally {
    await service.stop();
  }
}

async function baseline(kind, database) {
  const response = await captureScenario1(database);
  const file = path.join(os.tmpdir(), `fw-bench-capture-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(response));
  const server = child([path.join(__dirname, 'baselines.js'), kind, file], { cpus: SERVER_CPUS, name: kind });
  try {
    const { url } = await server.waitFor((e) => e.event === 'ready', 60_000);
    const request = post(documentOf('articles'));
    const s = await sample(url, request);
    if (kind === 'b2' && JSON.stringify(s.json.data) !== JSON.stringify(response.data)) throw new Error('b2 answers other data than the service');
    const result = await startLoad(url, [request]).result;
    return { ...result, peakRssMb: peakRssMb(server.proc.pid), sampleBytes: s.text.length };
  } finally {
    await server.stop();
    fs.rmSync(file, { force: true });
  }
}

/**
 * Scenario 8: scenario 1's load while the service's own scheduler fetches and saves one
 * 100,000-item feed served from loopback. Measured from when the feed is requested until its
 * fetch_log line is written; then the feed is removed with its articles (the cached database is
 * left as it was, but for free pages).
 */
async function writerScenario(database) {
  const feeds = child([path.join(__dirname, 'feeds.js'), 'big', '--items', String(BIG_FEED_ITEMS)], { cpus: LOAD_CPUS, name: 'feeds' });
  let service = null;
  let feedUrl = null;
  try {
    const ready = await feeds.waitFor((e) => e.event === 'ready', 180_000);
    feedUrl = ready.url;
    const store = SqliteStore.open({ path: database, busyTimeoutMs: 30_000, migrationsDir: MIGRATIONS_DIR });
    await store.removeFeed(feedUrl); // left by an interrupted run
    const feed = await store.addFeed({ url: feedUrl, foundationId: null, title: 'Benchmark: one 100,000-item feed' });
    await store.close();
    const requested = feeds.waitFor((e) => e.event === 'request', 600_000);
    service = await startService(database, {
      FETCH_ENABLED: 'true',
      FETCH_ALLOW_PRIVATE_HOSTS: 'true',
      FETCH_MAX_BODY_BYTES: String(512 * 1024 * 1024),
      FETCH_TIMEOUT: '5m',
    });
    const request = post(documentOf('articles'));
    await sample(service.url, request);
    const dump = path.join(os.tmpdir(), `fw-bench-writer-${process.pid}.bin`);
    const load = startLoad(service.url, [request], { warmupSeconds: 0, durationSeconds: 3600, dump });
    const measuringAt = (await load.measuring).at ?? Date.now();
    const requestedAt = (await requested).at;
    // The end: the feed's fetch_log line (written with its state, in the save's last transaction).
    const reader = new Database(database, { readonly: true, fileMustExist: true });
    reader.pragma('busy_timeout = 5000');
    const line = reader.prepare('SELECT started_at AS startedAt, duration_ms AS durationMs, result, new_count AS newCount, error_message AS error FROM fetch_log WHERE feed_id = ? ORDER BY id DESC LIMIT 1');
    let logged;
    const deadline = Date.now() + 30 * 60_000;
    while (!(logged = line.get(feed.id)) && Date.now() < deadline && !service.child.done) await sleep(200);
    const savedAt = Date.now();
    reader.close();
    await load.stop();
    const result = await load.result;
    const peak = service.peak();
    await service.stop();
    service = null;
    if (!logged) throw new Error(`the feed's save did not finish (${result.requests} requests measured)`);
    // The figures over the save only: from the feed's request to its log line.
    const pairs = new Float64Array(fs.readFileSync(dump).buffer.slice(0));
    fs.rmSync(dump, { force: true });
    const window = [];
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] >= requestedAt && pairs[i] <= savedAt) window.push(pairs[i + 1]);
    window.sort((x, y) => x - y);
    const at = (p) => (window.length ? round(window[Math.min(window.length - 1, Math.floor((p / 100) * window.length))], 2) : null);
    return {
      ...result,
      whole: { rps: result.rps, p50: result.p50, p99: result.p99, requests: result.requests, seconds: result.seconds },
      rps: round(window.length / ((savedAt - requestedAt) / 1000), 1),
      p50: at(50),
      p90: at(90),
      p99: at(99),
      max: window.length ? round(window[window.length - 1], 2) : null,
      requests: window.length,
      seconds: round((savedAt - requestedAt) / 1000, 1),
      peakRssMb: peak,
      feedBytes: ready.bytes,
      items: BIG_FEED_ITEMS,
      saveResult: logged.result,
      saveError: logged.error,
      newArticles: logged.newCount,
      // From the request of the feed to its log line, as the bench saw them; and as the service logged it.
      saveSeconds: round((savedAt - requestedAt) / 1000, 1),
      loggedSeconds: round(logged.durationMs / 1000, 1),
      // Negative: the load was running before the service asked for the feed (the whole save is measured).
      loadStartAfterRequestSeconds: round((measuringAt - requestedAt) / 1000, 1),
    };
  } finally {
    if (service) await service.stop();
    await feeds.stop();
    if (feedUrl) {
      const started = Date.now();
      const store = SqliteStore.open({ path: database, busyTimeoutMs: 30_000, migrationsDir: MIGRATIONS_DIR });
      const removed = await store.removeFeed(feedUrl);
      await store.close();
      log(`  writer: removed the feed (${removed}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
}

/** Runs a command-line command pinned like the service; its time and peak memory. */
async function timeCommand(argv, env) {
  const started = process.hrtime.bigint();
  const c = child(argv, { cpus: SERVER_CPUS, env, name: argv.join(' ') });
  let peak = null;
  const poll = setInterval(() => (peak = peakRssMb(c.proc.pid) ?? peak), 50);
  const { code } = await c.exited;
  clearInterval(poll);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${argv.join(' ')} exited with ${code}: ${c.stderr.slice(-2000)}`);
  return { seconds: round(seconds, 2), peakRssMb: peak, stdout: c.stdout };
}

/** Scenario 9: `fetch --all` of 1,000 loopback feeds into a fresh database, twice (200s, then 304s). */
async function fetchScenario() {
  const feeds = child([path.join(__dirname, 'feeds.js'), 'many', '--feeds', String(FETCH_FEEDS), '--items', '20', '--addresses', '100'], { cpus: LOAD_CPUS, name: 'feeds' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-fetch-'));
  try {
    const { urls, bytes } = await feeds.waitFor((e) => e.event === 'ready', 300_000);
    const database = path.join(dir, 'fetch.db');
    const { store, reference } = await openBenchStore(database);
    await disableReferenceFeeds(store, reference);
    for (const url of urls) await store.addFeed({ url, foundationId: null, title: null });
    await store.close();
    const env = { DATABASE_PATH: database, FETCH_CONCURRENCY: '64', FETCH_ALLOW_PRIVATE_HOSTS: 'true', LOG_LEVEL: 'warn' };
    const stats = async () => {
      const seen = feeds.events.length;
      feeds.proc.kill('SIGUSR2');
      return feeds.waitFor((e) => e.event === 'stats' && feeds.events.indexOf(e) >= seen, 10_000);
    };
    const first = await timeCommand(['dist/cli.js', 'fetch', '--all'], env);
    const firstStats = await stats();
    const second = await timeCommand(['dist/cli.js', 'fetch', '--all'], env);
    const secondStats = await stats();
    const reader = new Database(database, { readonly: true });
    const articles = reader.prepare('SELECT COUNT(*) FROM articles').pluck().get();
    reader.close();
    return {
      feeds: FETCH_FEEDS,
      itemsPerFeed: 20,
      feedBytes: bytes,
      articles,
      first: { seconds: first.seconds, peakRssMb: first.peakRssMb, served200: firstStats.ok, served304: firstStats.notModified, summary: first.stdout.trim() },
      second: { seconds: second.seconds, peakRssMb: second.peakRssMb, served200: secondStats.ok, served304: secondStats.notModified, summary: second.stdout.trim() },
    };
  } finally {
    await feeds.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function ingestScenario() {
  const c = child([path.join(__dirname, 'ingest.js'), '--feeds', '200', '--items', '50'], { cpus: SERVER_CPUS, name: 'ingest' });
  const result = await c.waitFor((e) => e.event === 'result', 30 * 60_000);
  await c.exited;
  const { event: _event, ...rest } = result;
  return rest;
}

async function hostileScenario(database) {
  // The documented limits (QUERY_MAX_COST and the others at their defaults).
  const service = await startService(database, { QUERY_MAX_COST: undefined });
  try {
    return { rows: await hostileQueries(service.url), peakRssMb: service.peak() };
  } finally {
    await service.stop();
  }
}

// The database's size, by table and index (SQLite's dbstat), kept with the generation's figures.
function databaseStats(file, meta) {
  const db = new Database(file, { readonly: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true });
    const pages = db.pragma('page_count', { simple: true });
    const free = db.pragma('freelist_count', { simple: true });
    let objects = null;
    try {
      objects = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY 2 DESC').all();
    } catch {
      // dbstat not compiled in: the total only
    }
    return { fileBytes: fs.statSync(file).size, pageSize, pages, freePages: free, objects, articles: meta?.articles };
  } finally {
    db.close();
  }
}

// Report

const fmt = (x, digits = 0) => (x === null || x === undefined ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ms = (x) => (x === null || x === undefined ? '–' : x < 10 ? fmt(x, 2) : fmt(x, 1));
const mb = (bytes) => fmt(bytes / 1e6, bytes < 1e8 ? 1 : 0);
const mark = (ok) => (ok === null ? '–' : ok ? 'pass' : '**FAIL**');

function judge(row, scenario, baselineRps) {
  const t = scenario.target ?? {};
  const parts = [];
  let ok = row.errors === 0;
  if (t.ofBaseline !== undefined) {
    parts.push(`≥ ${t.ofBaseline * 100}% of ${scenario.baseline.toUpperCase()}`);
    ok = ok && baselineRps ? row.rps / baselineRps >= t.ofBaseline : false;
  }
  if (t.p99 !== undefined) {
    parts.push(`p99 < ${t.p99} ms`);
    ok = ok && row.p99 < t.p99;
  }
  return { target: parts.join(', '), pass: parts.length ? ok : null };
}

/** How busy the machine is without us: the share of CPU time not idle over one second. */
async function busyShare() {
  const read = () => {
    const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const n = fields.map(Number);
    return { idle: n[3] + (n[4] ?? 0), total: n.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await sleep(1000);
    const b = read();
    return round(1 - (b.idle - a.idle) / (b.total - a.total), 2);
  } catch {
    return null;
  }
}

async function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return {
    cpu,
    cores: CPUS,
    ramGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString().slice(0, 10),
    loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
    busyAtStart: await busyShare(),
  };
}

function report(m, db, generation) {
  const lines = [];
  const r = results.scenarios;
  const b = results.baselines;
  lines.push(`### ${fmt(ARTICLES)} articles`, '');
  lines.push(
    `${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.os}, ${m.date}. The service (\`npm start\`, ` +
      `default READ_WORKERS) on core${SERVER_CPUS.includes('-') ? 's' : ''} ${SERVER_CPUS}, autocannon (${CONNECTIONS} connections) on core ${LOAD_CPUS}; ` +
      `${WARMUP} s warm-up, ${DURATION} s measured; a fresh service process per scenario. Targets are the issue's, set for 1,000,000 articles.` +
      (m.busyAtStart > 0.05 ? ` (Other processes kept the CPUs ${fmt(m.busyAtStart * 100)}% busy at the start.)` : ''),
    '',
  );
  lines.push('| scenario | req/s | p50 ms | p99 ms | errors | vs baseline | peak RSS MB | target | pass |', '|---|---:|---:|---:|---:|---:|---:|---|---|');
  const row = (label, x, ratio, target, pass) =>
    lines.push(`| ${label} | ${fmt(x.rps)} | ${ms(x.p50)} | ${ms(x.p99)} | ${fmt(x.errors)} | ${ratio ?? ''} | ${fmt(x.peakRssMb)} | ${target ?? ''} | ${pass === undefined ? '' : mark(pass)} |`);
  if (b.b1) row('B1 bare `node:http`, scenario 1\'s bytes', b.b1);
  if (b.b2) row('B2 Apollo Server 5, our SDL, scenario 1\'s data from memory', b.b2);
  for (const s of READ_SCENARIOS) {
    const x = r[s.name];
    if (!x) continue;
    const base = s.baseline ? b[s.baseline]?.rps : null;
    const { target, pass } = judge(x, s, base);
    row(s.label, x, base ? `${fmt(x.rps / base, 2)} × ${s.baseline.toUpperCase()}` : '', target, pass);
  }
  if (r.cached) {
    const base = b.b1?.rps;
    const ok = base ? r.cached.errors === 0 && r.cached.rps / base >= 0.5 : false;
    row('7. scenario 1 with the response cache (30 s), POST and GET alternating', r.cached, base ? `${fmt(r.cached.rps / base, 2)} × B1` : '', '≥ 50% of B1', ok);
  }
  for (const [key, label] of [['cachedPost', '7a. the same, POST only'], ['cachedGet', '7b. the same, GET only']]) {
    const x = r[key];
    if (x) row(label, x, b.b1?.rps ? `${fmt(x.rps / b.b1.rps, 2)} × B1` : '');
  }
  if (r.writer) {
    const w = r.writer;
    row(
      `8. scenario 1 while the scheduler saves a ${fmt(w.items)}-item feed (${mb(w.feedBytes)} MB; save ${fmt(w.saveSeconds, 1)} s)`,
      w,
      '',
      'p99 < 50 ms, no error',
      w.errors === 0 && w.p99 < 50 && w.saveResult !== 'error',
    );
  }
  for (const [name, e] of Object.entries(results.failures)) lines.push(`| ${name} | failed: ${String(e).replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 300)} | | | | | | | |`);
  lines.push('');

  const measures = [];
  if (r.ingest) {
    const i = r.ingest;
    measures.push([
      `10. ingestion, feed bytes → committed rows (${i.feeds} feeds × ${i.itemsPerFeed} items, ${mb(i.feedBytes)} MB)`,
      `${fmt(i.pipelineItemsPerSecond)} items/s vs \`parseString\` ${fmt(i.parseStringItemsPerSecond)} items/s: ${fmt(i.ratio * 100, 1)}%`,
      '≥ 50% of parseString',
      mark(i.ratio >= 0.5),
    ]);
    measures.push([
      'ingestion, ms per item by step',
      Object.entries(i.steps).map(([k, v]) => `${k} ${fmt(v, 3)}`).join(', '),
      '',
      '',
    ]);
  }
  if (r.fetch) {
    const f = r.fetch;
    measures.push([
      `9. \`fetch --all\`, ${fmt(f.feeds)} loopback feeds × ${f.itemsPerFeed} items into a fresh database (all 200)`,
      `${fmt(f.first.seconds, 1)} s (${fmt(f.first.served200)} × 200, ${fmt(f.articles)} articles; peak RSS ${fmt(f.first.peakRssMb)} MB)`,
      '< 60 s',
      mark(f.first.seconds < 60 && f.first.served200 === f.feeds),
    ]);
    measures.push([
      '9. the same again (all 304)',
      `${fmt(f.second.seconds, 1)} s (${fmt(f.second.served304)} × 304)`,
      '< 10 s',
      mark(f.second.seconds < 10 && f.second.served304 === f.feeds),
    ]);
  }
  const servicePeak = peaks.length ? Math.max(...peaks) : null;
  if (servicePeak !== null) measures.push(['peak memory of the service (VmHWM, every scenario)', `${fmt(servicePeak)} MB`, '< 300 MB', mark(servicePeak < 300)]);
  if (db) {
    measures.push(['database file', `${mb(db.fileBytes)} MB: ${fmt(db.fileBytes / ARTICLES)} bytes per article`, '', '']);
  }
  if (generation) {
    measures.push(['generation (through the store, once per size)', `${fmt(generation.seconds, 0)} s: ${fmt(generation.articlesPerSecond)} articles/s`, '', '']);
  }
  if (measures.length) {
    lines.push('| measure | value | target | pass |', '|---|---|---|---|');
    for (const m2 of measures) lines.push(`| ${m2.join(' | ')} |`);
    lines.push('');
  }
  if (db?.objects) {
    lines.push('| table or index (dbstat) | MB | bytes per article | share |', '|---|---:|---:|---:|');
    const total = db.objects.reduce((n, o) => n + o.bytes, 0);
    const top = db.objects.slice(0, 14);
    const rest = db.objects.slice(14).reduce((n, o) => n + o.bytes, 0);
    for (const o of top) lines.push(`| ${o.name} | ${mb(o.bytes)} | ${fmt(o.bytes / ARTICLES)} | ${fmt((o.bytes / total) * 100, 1)}% |`);
    if (rest) lines.push(`| ${db.objects.length - 14} others | ${mb(rest)} | ${fmt(rest / ARTICLES)} | ${fmt((rest / total) * 100, 1)}% |`);
    lines.push('');
  }
  if (r.hostile) {
    lines.push('| hostile document (default limits) | outcome | p50 ms | max or p99 ms |', '|---|---|---:|---:|');
    for (const h of r.hostile.rows) lines.push(`| ${h.name} | ${h.outcome} | ${ms(h.p50)} | ${ms(h.max ?? h.p99)}${h.p99 !== undefined ? ' (p99)' : ''} |`);
    lines.push('');
  }
  return lines.join('\n');
}

// Main

async function step(name, fn) {
  log(`- ${name} ...`);
  const started = Date.now();
  try {
    const value = await fn();
    log(`  ${name}: ${JSON.stringify(value, (k, v) => (k === 'summary' || k === 'rows' || k === 'statusCodes' ? undefined : v))} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    return value;
  } catch (err) {
    log(`  ${name} FAILED: ${err.stack ?? err}`);
    results.failures[name] = err.message ?? String(err);
    return undefined;
  }
}

(async () => {
  // This process stays with the load generator, off the measured cores.
  spawnSync('taskset', ['-a', '-p', '-c', LOAD_CPUS, String(process.pid)], { stdio: 'ignore' });
  const m = await machine();
  log(`Foundation Wire benchmark: ${fmt(ARTICLES)} articles; ${m.cpu}, ${m.cores} cores, Node ${m.node}; CPU busy before the start: ${fmt(m.busyAtStart * 100)}%`);
  if (m.busyAtStart > 0.1) log('  note: other processes keep the CPUs busy: the figures will be lower and noisier');
  const { file: database, meta, generated } = await ensureDatabase(ARTICLES, { log });
  log(`database: ${database}${generated ? ' (generated now)' : ' (cached)'}`);
  let dbStats = meta?.database;
  if (!dbStats) {
    dbStats = databaseStats(database, meta);
    if (meta) fs.writeFileSync(database.replace(/\.db$/, '.json'), `${JSON.stringify({ ...meta, database: dbStats }, null, 2)}\n`);
  }

  for (const s of READ_SCENARIOS) {
    if (!selected(s.name)) continue;
    const value = await step(s.name, () => readScenario(database, s));
    if (value) results.scenarios[s.name] = value;
  }
  const needs = (kind) => selected(kind) || READ_SCENARIOS.some((s) => s.baseline === kind && selected(s.name)) || (kind === 'b1' && selected('cached'));
  for (const kind of ['b1', 'b2']) {
    if (!needs(kind)) continue;
    const value = await step(kind, () => baseline(kind, database));
    if (value) results.baselines[kind] = value;
  }
  if (selected('cached')) {
    const query = documentOf('articles');
    const cache = { CACHE_MAX_AGE: '30s' };
    const value = await step('cached', () => readScenario(database, { name: 'cached' }, { env: cache, requests: [post(query), get(query)] }));
    if (value) results.scenarios.cached = value;
    // Each method alone too, to tell them apart.
    const posts = await step('cached POST only', () => readScenario(database, { name: 'cached' }, { env: cache, requests: [post(query)] }));
    if (posts) results.scenarios.cachedPost = posts;
    const gets = await step('cached GET only', () => readScenario(database, { name: 'cached' }, { env: cache, requests: [get(query)] }));
    if (gets) results.scenarios.cachedGet = gets;
  }
  if (selected('hostile')) {
    const value = await step('hostile', () => hostileScenario(database));
    if (value) results.scenarios.hostile = value;
  }
  if (selected('writer')) {
    const value = await step('writer', () => writerScenario(database));
    if (value) results.scenarios.writer = value;
  }
  if (selected('fetch')) {
    const value = await step('fetch', () => fetchScenario());
    if (value) results.scenarios.fetch = value;
  }
  if (selected('ingest')) {
    const value = await step('ingest', () => ingestScenario());
    if (value) results.scenarios.ingest = value;
  }

  const table = report(m, dbStats, meta);
  process.stdout.write(`\n${table}\n`);
  const output = {
    machine: m,
    settings: { articles: ARTICLES, durationSeconds: DURATION, warmupSeconds: WARMUP, connections: CONNECTIONS, serverCpus: SERVER_CPUS, loadCpus: LOAD_CPUS },
    database: { file: database, generation: meta, stats: dbStats },
    ...results,
    servicePeakRssMb: peaks.length ? Math.max(...peaks) : null,
    table,
  };
  if (args.out) {
    fs.writeFileSync(args.out, `${JSON.stringify(output, null, 2)}\n`);
    log(`written: ${args.out}`);
  }
  process.exitCode = Object.keys(results.failures).length ? 1 : 0;
})().catch((err) => {
  console.error(err);
  process.exit(1);
});

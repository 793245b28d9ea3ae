// The `hostile` group: hostile documents sent to the running service (spawned by the runner with
// the default limits): how long it takes to refuse each one (they once held it for up to 28.5 s),
// and /healthz latency while one client sends them back to back.
'use strict';
const http = require('node:http');
const { getIntrospectionQuery } = require('graphql');

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (x) => Math.round(x * 10) / 10;

const fanOut = (levels) =>
  `{ foundation(slug: "cncf") { ...F0 } } ` +
  Array.from({ length: levels }, (_, i) => (i === levels - 1 ? `fragment F${i} on Foundation { parent { slug } }` : `fragment F${i} on Foundation { ...F${i + 1} ...F${i + 1} }`)).join(' ');

const CASES = {
  'fragment fan-out, 24 levels (1.1 KB)': fanOut(24),
  'fragment fan-out, 200 levels (9 KB)': fanOut(200),
  '6,000 aliased __schema (473 KB)': `{ ${Array.from({ length: 6000 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`,
  '20,000 repeats of one field (220 KB)': `{ ${'__typename '.repeat(20_000)}}`,
  '1,500 repeats of one field (7.5 KB, over the merge-check budget)': `{ foundation(slug: "cncf") { ${'slug '.repeat(1500)}} }`,
  'full introspection (accepted)': getIntrospectionQuery(),
};

/** Runs the group against `baseUrl` (http://host:port); returns one row per case and one for /healthz. */
async function hostileQueries(baseUrl) {
  // Keep-alive connections of our own, closed at the end (an idle one would hold up the service's shutdown).
  const agent = new http.Agent({ keepAlive: true });
  const send = (path, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(`${baseUrl}${path}`, { method: body ? 'POST' : 'GET', agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const post = async (query) => JSON.parse(await send('/graphql', JSON.stringify({ query })));
  const rows = [];
  for (const [name, query] of Object.entries(CASES)) {
    const times = [];
    let outcome = '';
    for (let i = 0; i < 60; i++) {
      const started = process.hrtime.bigint();
      const body = await post(query);
      if (i >= 10) times.push(Number(process.hrtime.bigint() - started) / 1e6);
      outcome = body.errors ? body.errors[0].extensions?.code ?? 'error' : 'accepted';
    }
    times.sort((a, b) => a - b);
    rows.push({ name, outcome, requests: times.length, p50: round(percentile(times, 50)), max: round(times[times.length - 1]) });
  }
  // /healthz while one client sends 24-level fan-outs back to back.
  let flooding = true;
  const flood = (async () => {
    while (flooding) await post(CASES['fragment fan-out, 24 levels (1.1 KB)']);
  })();
  const health = [];
  for (let i = 0; i < 200; i++) {
    const started = process.hrtime.bigint();
    await send('/healthz');
    health.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  flooding = false;
  await flood;
  agent.destroy();
  health.sort((a, b) => a - b);
  rows.push({ name: '/healthz during a flood of fan-out queries', outcome: 'ok', requests: 200, p50: round(percentile(health, 50)), p99: round(percentile(health, 99)) });
  return rows;
}

module.exports = { hostileQueries };

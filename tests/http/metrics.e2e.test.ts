import fs from 'node:fs';
import { demoStore } from '../helpers/demo';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * /healthz, /readyz and /metrics over real HTTP, on a database filled from the demo feeds: what a
 * liveness probe, a readiness probe and Prometheus see.
 */
const TOKEN = 'm'.repeat(40);

async function scrape(api: TestServer, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.server.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('health, readiness and metrics', () => {
  let api: TestServer;
  let databasePath: string;

  beforeAll(async () => {
    const { store } = await demoStore();
    databasePath = store.db.name;
    api = await startTestServer(store, { databasePath });
  });

  it('answers /healthz and /readyz while the database answers', async () => {
    const health = await fetch(`${api.server.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${api.server.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('counts GraphQL requests by operation name and outcome, and times requests by route', async () => {
    await api.gql('query LatestTitles { articles(first: 2) { nodes { title } } }');
    await api.gql('query LatestTitles { articles(first: 3) { nodes { title } } }');
    await api.gql('{ foundations { totalCount } }');
    await api.gql('query Broken { articles { nope } }');
    await api.gql('query Negative { articles(first: -1) { totalCount } }');
    const { status, type, text } = await scrape(api);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    const requests = 'foundation_wire_graphql_requests_total';
    expect(sample(text, requests, 'operation="LatestTitles",outcome="ok"')).toBe(2);
    expect(sample(text, requests, 'operation="(anonymous)",outcome="ok"')).toBe(1);
    expect(sample(text, requests, 'operation="Broken",outcome="GRAPHQL_VALIDATION_FAILED"')).toBe(1);
    expect(sample(text, requests, 'operation="Negative",outcome="BAD_USER_INPUT"')).toBe(1);
    expect(sample(text, 'foundation_wire_http_request_duration_seconds_count', 'route="/graphql"')).toBeGreaterThanOrEqual(5);
    // Node's default metrics are there too.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('reads the database’s own figures when scraped: articles, feeds by status, scheduler lag, file size', async () => {
    const { text } = await scrape(api);
    const articles = (await api.gql('{ articles { totalCount } }')).data.articles.totalCount;
    expect(articles).toBeGreaterThan(10);
    expect(sample(text, 'foundation_wire_articles')).toBe(articles);
    const enabled = (await api.gql('{ feeds(filter: { statuses: [OK] }) { totalCount } }')).data.feeds.totalCount;
    expect(sample(text, 'foundation_wire_feeds', 'status="OK"')).toBe(enabled);
    expect(sample(text, 'foundation_wire_feeds', 'status="DISABLED"')).toBeGreaterThan(0);
    expect(sample(text, 'foundation_wire_scheduler_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'foundation_wire_database_bytes')).toBeGreaterThanOrEqual(fs.statSync(databasePath).size);
  });

  it('counts the feeds the scheduler thread refreshed, their durations and the new articles', async () => {
    api.server.metrics.fetched({ result: 'new', durationMs: 1200, newCount: 3 });
    api.server.metrics.fetched({ result: 'error', durationMs: 30, newCount: 0 });
    const { text } = await scrape(api);
    expect(sample(text, 'foundation_wire_fetches_total', 'result="new"')).toBe(1);
    expect(sample(text, 'foundation_wire_fetches_total', 'result="error"')).toBe(1);
    expect(sample(text, 'foundation_wire_fetch_duration_seconds_count')).toBe(2);
    expect(sample(text, 'foundation_wire_fetch_duration_seconds_bucket', 'le="2.5"')).toBe(2);
    expect(sample(text, 'foundation_wire_fetch_duration_seconds_bucket', 'le="1"')).toBe(1);
    expect(sample(text, 'foundation_wire_articles_stored_total')).toBe(3);
  });

  it('keeps operation names a bounded label: past 200 names, new ones count as (other)', async () => {
    for (let i = 0; i < 230; i++) await api.gql(`query Op${i} { foundations { totalCount } }`);
    await api.gql(`query ${'x'.repeat(70)} { foundations { totalCount } }`);
    const { text } = await scrape(api);
    const names = new Set(text.split('\n').filter((l) => l.startsWith('foundation_wire_graphql_requests_total{')).map((l) => /operation="([^"]*)"/.exec(l)![1]));
    // 200 names, and the two fixed labels.
    expect(names.size).toBeLessThanOrEqual(202);
    expect(sample(text, 'foundation_wire_graphql_requests_total', 'operation="(other)",outcome="ok"')).toBeGreaterThanOrEqual(31);
  });

  it('answers /readyz 503, naming the cause, when the database does not answer', async () => {
    const { store } = await demoStore();
    const broken = await startTestServer(store, { databasePath: store.db.name });
    await store.close();
    const res = await fetch(`${broken.server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reason: expect.stringMatching(/^store: .*not open/) });
    expect((await fetch(`${broken.server.url}/healthz`)).status).toBe(200);
  });
});

describe('response cache metrics', () => {
  it('counts lookups by hit and miss', async () => {
    const { store } = await demoStore();
    const api = await startTestServer(store, { databasePath: store.db.name, cacheMaxAgeSeconds: 30 });
    for (let i = 0; i < 3; i++) await api.gql('{ foundations { totalCount } }');
    const { text } = await scrape(api);
    expect(sample(text, 'foundation_wire_response_cache_lookups_total', 'result="miss"')).toBe(1);
    expect(sample(text, 'foundation_wire_response_cache_lookups_total', 'result="hit"')).toBe(2);
    // Only the miss was executed.
    expect(sample(text, 'foundation_wire_graphql_requests_total', 'operation="(anonymous)",outcome="ok"')).toBe(1);
  });
});

describe('METRICS_TOKEN', () => {
  it('makes /metrics need the bearer token, compared whole', async () => {
    const { store } = await demoStore();
    const api = await startTestServer(store, { databasePath: store.db.name, metricsToken: TOKEN });
    expect((await scrape(api)).status).toBe(401);
    expect((await scrape(api, { authorization: `Bearer ${TOKEN.slice(1)}` })).status).toBe(401);
    expect((await scrape(api, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await scrape(api, { authorization: TOKEN })).status).toBe(401);
    const ok = await scrape(api, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('foundation_wire_articles');
    // The rest of the API stays public.
    expect((await api.gql('{ foundations { totalCount } }')).data.foundations.totalCount).toBeGreaterThan(10);
  });
});

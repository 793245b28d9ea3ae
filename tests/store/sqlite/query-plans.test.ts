import fs from 'node:fs';
import path from 'node:path';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { buildArticle, buildFeed } from '../../helpers/builders';
import { referenceStore } from '../../helpers/fresh-db';
import { startTestServer, type TestServer } from '../../helpers/server';

/**
 * The benchmark's read scenarios (bench/*.graphql), answered by the real server: every statement the
 * store runs for them reads indexes and aggregates, never the whole articles table. A plan step
 * "SCAN a" (or "SCAN articles") without an index is a read of every article; "SCAN a USING INDEX
 * articles_published" walks the index in the page's order and stops at the page.
 */

const BENCH = path.join(__dirname, '..', '..', '..', 'bench', 'scenarios');
const SCENARIOS = ['articles', 'foundation-month', 'search', 'member-of', 'timeline', 'counts'];

const statements: string[] = [];
let store: SqliteStore;
let api: TestServer;

beforeAll(async () => {
  store = await referenceStore({ statements });
  const foundations = ['cncf', 'openssf', 'linux-foundation', 'pytorch-foundation'];
  const feeds = foundations.map((foundation) => buildFeed(store, { foundation }));
  const companies = ['google', 'microsoft', 'meta', 'red-hat', 'ibm'];
  const now = Date.now();
  for (let i = 0; i < 400; i++) {
    buildArticle(store, feeds[i % feeds.length], {
      publishedAt: now - i * 3_600_000 * 7,
      title: i % 3 === 0 ? 'Supply chain security for maintainers' : `Release notes ${i}`,
      text: i % 2 === 0 ? 'The supply chain security working group met.' : 'Kubernetes release.',
      companies: [companies[i % companies.length]],
      foundations: [foundations[(i + 1) % foundations.length]],
    });
  }
  api = await startTestServer(store, { queryMaxCost: 100_000 });
});

/** The plan steps of each statement run for a document, with the statement they belong to. */
async function plansOf(document: string): Promise<{ sql: string; steps: string[] }[]> {
  statements.length = 0;
  const res = await api.gql(document);
  expect(res.errors).toBeUndefined();
  const run = statements.filter((sql) => /^\s*(WITH|SELECT)\b/i.test(sql));
  return run.map((sql) => ({
    sql,
    steps: (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail),
  }));
}

const fullScanOfArticles = (step: string) => /^SCAN (a|articles)\b(?! USING (COVERING )?INDEX)/.test(step);

describe('query plans of the benchmark scenarios', () => {
  it('has every scenario document', () => {
    for (const name of SCENARIOS) expect(fs.existsSync(path.join(BENCH, `${name}.graphql`))).toBe(true);
  });

  it.each(SCENARIOS)('%s reads no article table in full', async (name) => {
    const plans = await plansOf(fs.readFileSync(path.join(BENCH, `${name}.graphql`), 'utf8'));
    expect(plans.length).toBeGreaterThan(0);
    const scans = plans.filter((p) => p.steps.some(fullScanOfArticles)).map((p) => ({ sql: p.sql.slice(0, 300), steps: p.steps }));
    expect(scans).toEqual([]);
  });

  it('would see a full scan: the check is not vacuous', () => {
    const steps = (store.db.prepare("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM articles a WHERE a.title LIKE '%x%'").all() as { detail: string }[]).map((r) => r.detail);
    expect(steps.some(fullScanOfArticles)).toBe(true);
  });
});

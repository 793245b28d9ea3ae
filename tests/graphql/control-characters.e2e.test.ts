import { buildArticle, buildFeed } from '../helpers/builders';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server';

// NUL and other control characters in text filters are the caller's mistake (BAD_USER_INPUT), refused
// before any store sees them: SQLite reads a NUL as the end of an FTS5 query ("unterminated string",
// an internal error) and of a LIKE pattern (which then matches every row). Tab and line breaks are
// spaces. See src/search/control-characters.ts.

let api: TestServer;

beforeAll(async () => {
  const store = await referenceStore();
  const feed = buildFeed(store, { foundation: 'cncf' });
  buildArticle(store, feed, { title: 'Kubernetes security audit completed', text: 'The audit found two issues.' });
  buildArticle(store, feed, { title: 'Rust 2.0 released', text: 'A new edition.' });
  api = await startTestServer(store);
});

const articles = (search: string) => api.gql(`query ($s: String) { articles(filter: { search: $s }) { totalCount nodes { title } } }`, { s: search });
const companies = (search: string) => api.gql(`query ($s: String) { companies(filter: { search: $s }, first: 100) { totalCount nodes { slug } } }`, { s: search });
const foundations = (search: string) => api.gql(`query ($s: String) { foundations(filter: { search: $s }, first: 100) { totalCount nodes { slug } } }`, { s: search });

/** The response has exactly one error, BAD_USER_INPUT with this message, and no data. */
function expectBadInput(res: GraphQLResponse, message: string): void {
  expect(res.errors).toHaveLength(1);
  expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(res.errors![0].message).toBe(message);
  expect(res.data).toBeNull();
}

describe('article search (`filter.search`)', () => {
  it.each<[string, string, string]>([
    ['a NUL inside a word', 'kube\u0000rnetes', 'a NUL character (U+0000) at character 5 is not allowed: remove it'],
    ['a NUL alone', '\u0000', 'a NUL character (U+0000) at character 1 is not allowed: remove it'],
    ['a NUL inside a phrase', 'rust "supply\u0000chain"', 'a NUL character (U+0000) at character 13 is not allowed: remove it'],
    ['a NUL after an emoji (positions count characters)', '😀 rust\u0000', 'a NUL character (U+0000) at character 7 is not allowed: remove it'],
    ['an escape character (U+001B)', 'rust\u001b[31m', 'a control character (U+001B) at character 5 is not allowed: remove it'],
    ['a vertical tab alone (a space to trim(), a control character here)', '\u000b', 'a control character (U+000B) at character 1 is not allowed: remove it'],
    ['DEL (U+007F)', 'rust\u007f', 'a control character (U+007F) at character 5 is not allowed: remove it'],
  ])('refuses %s with BAD_USER_INPUT', async (_label, search, message) => {
    const res = await articles(search);
    expectBadInput(res, `\`filter.search\`: ${message}`);
    expect(JSON.stringify(res)).not.toMatch(/fts5|sqlite|unterminated/i);
  });

  it('still searches: tab and line breaks are spaces', async () => {
    for (const search of ['kubernetes', 'kubernetes\taudit', 'rust\r\nOR\nkubernetes']) {
      const res = await articles(search);
      expect(res.errors).toBeUndefined();
      expect(res.data.articles.totalCount).toBe(search === 'rust\r\nOR\nkubernetes' ? 2 : 1);
    }
  });
});

describe('company and foundation name search (`filter.search`)', () => {
  it.each<[string, typeof companies]>([
    ['companies', companies],
    ['foundations', foundations],
  ])('%s: refuses a NUL, alone or inside a name, and other control characters', async (_kind, list) => {
    expectBadInput(await list('\u0000'), '`filter.search`: a NUL character (U+0000) at character 1 is not allowed: remove it');
    expectBadInput(await list('goo\u0000gle'), '`filter.search`: a NUL character (U+0000) at character 4 is not allowed: remove it');
    expectBadInput(await list(' \u0007'), '`filter.search`: a control character (U+0007) at character 2 is not allowed: remove it');
    expect((await list('\u0000')).errors![0].extensions?.argument).toBe('filter.search');
  });

  it('still finds by name, slug or alias', async () => {
    expect((await companies('aws')).data.companies.nodes).toEqual([{ slug: 'amazon-web-services' }]);
    const cncf = await foundations('  Cloud Native  ');
    expect(cncf.errors).toBeUndefined();
    expect(cncf.data.foundations.nodes.map((n: { slug: string }) => n.slug)).toContain('cncf');
  });

  it.each<[string, typeof companies]>([
    ['companies', companies],
    ['foundations', foundations],
  ])('%s: an empty or whitespace-only search is no search (all rows), like an empty search box', async (kind, list) => {
    const all = (await api.gql(`{ ${kind} { totalCount } }`)).data[kind].totalCount;
    expect(all).toBeGreaterThan(1);
    for (const search of ['', '   ', '\t\n', '\u00a0']) {
      const res = await list(search);
      expect(res.errors).toBeUndefined();
      expect(res.data[kind].totalCount).toBe(all);
    }
  });
});

describe('membership tiers', () => {
  it('refuses a NUL in a tier, naming which one', async () => {
    const res = await api.gql(`query ($t: [String!]) { memberships(filter: { tiers: $t }) { totalCount } }`, { t: ['Gold', 'Plat\u0000inum'] });
    expectBadInput(res, '`filter.tiers[1]`: a NUL character (U+0000) at character 5 is not allowed: remove it');
    expect(res.errors![0].extensions?.argument).toBe('filter.tiers');
    const ok = await api.gql(`{ memberships(filter: { tiers: ["Gold"] }) { totalCount } }`);
    expect(ok.data.memberships.totalCount).toBeGreaterThan(0);
  });
});

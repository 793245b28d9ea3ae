import { buildArticle, buildFeed } from '../helpers/builders';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';

const T0 = Date.UTC(2026, 10, 1);
let api: TestServer;

/** Articles written so that each search below has one right answer. */
const ARTICLES = [
  { title: 'Kubernetes security audit completed', text: 'The audit of Kubernetes found two issues in the scheduler.' },
  { title: 'Supply chain attacks on the rise', text: 'A report on software supply chain security and signing of releases.' },
  { title: 'Docker images and Kubernetes', text: 'How Docker images run on Kubernetes clusters, securely.' },
  { title: 'Rust 2.0 released', text: 'The Rust project released a new edition. Security fixes are included.' },
  { title: 'Go modules and the proxy', text: 'Go modules are fetched through a proxy; releasing a module is simple.' },
  { title: 'Open-source funding', text: 'Funding for open source maintainers grows; the chain of trust matters.' },
  { title: 'Weekly notes', text: 'Security, security, security: three times in the text but not in the title.' },
];

beforeAll(async () => {
  const store = await referenceStore();
  const feed = buildFeed(store, { foundation: 'cncf' });
  ARTICLES.forEach((a, i) => buildArticle(store, feed, { title: a.title, text: a.text, publishedAt: T0 + i * 60_000 }));
  api = await startTestServer(store);
});

async function titles(search: string, orderBy = 'PUBLISHED_AT'): Promise<string[]> {
  const res = await api.gql(`query ($s: String) { articles(first: 100, filter: { search: $s }, orderBy: { field: ${orderBy} }) { nodes { title } } }`, {
    s: search,
  });
  expect(res.errors).toBeUndefined();
  return res.data.articles.nodes.map((n: any) => n.title).sort();
}

const t = (i: number) => ARTICLES[i].title;

describe('full-text search', () => {
  it.each([
    ['a word, in title or text', 'kubernetes', [0, 2]],
    ['words match their variants (stemming)', 'release', [1, 3, 4]],
    ['all the words must appear', 'kubernetes audit', [0]],
    ['a quoted phrase', '"supply chain"', [1]],
    ['a phrase is not the same words apart', '"chain supply"', []],
    ['a prefix', 'secur*', [0, 1, 2, 3, 6]],
    ['OR', 'rust OR go', [3, 4]],
    ['NOT', 'kubernetes NOT docker', [0]],
    // "securely" and "security" share their stem.
    ['parentheses', '(rust OR docker) AND security', [2, 3]],
    ['lower-case operators are words', 'rust and go', []],
    ['punctuation inside a word', 'open-source', [5]],
    ['no match', 'blockchain', []],
  ])('%s: %s', async (_, search, expected) => {
    expect(await titles(search)).toEqual(expected.map(t).sort());
  });

  it.each([
    ['"unclosed', 'the quote at character 1 is never closed'],
    ['(rust OR go', 'the parenthesis at character 1 is never closed'],
    ['NOT docker', 'NOT at character 1 must follow what to keep'],
    ['rust OR', 'OR at character 6 needs a word or phrase after it'],
    ['- & /', 'there is nothing to search for'],
  ])('refuses bad syntax %s with BAD_USER_INPUT saying what is wrong', async (search, message) => {
    const res = await api.gql(`query ($s: String) { articles(filter: { search: $s }) { totalCount } }`, { s: search });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain(message);
    expect(JSON.stringify(res)).not.toMatch(/fts5|sqlite|syntax error near/i);
  });

  it('orders by relevance, a title match above text matches, and pages through it', async () => {
    const res = await api.gql(`{ articles(first: 2, filter: { search: "security" }, orderBy: { field: RELEVANCE }) {
      totalCount nodes { title } pageInfo { hasNextPage endCursor } } }`);
    expect(res.data.articles.totalCount).toBe(5);
    expect(res.data.articles.nodes[0].title).toBe(t(0));
    const next = await api.gql(`query ($c: String) { articles(first: 10, after: $c, filter: { search: "security" }, orderBy: { field: RELEVANCE }) {
      nodes { title } pageInfo { hasNextPage } } }`, { c: res.data.articles.pageInfo.endCursor });
    const all = [...res.data.articles.nodes, ...next.data.articles.nodes].map((n: any) => n.title);
    expect(all.sort()).toEqual([0, 1, 2, 3, 6].map(t).sort());
    expect(next.data.articles.pageInfo.hasNextPage).toBe(false);
  });

  it('treats an empty search as no search', async () => {
    const res = await api.gql('{ articles(filter: { search: "  " }) { totalCount } }');
    expect(res.data.articles.totalCount).toBe(ARTICLES.length);
  });

  it('refuses RELEVANCE without a search', async () => {
    const res = await api.gql('{ articles(orderBy: { field: RELEVANCE }) { totalCount } }');
    expect(res.errors![0]).toMatchObject({ message: 'ordering by RELEVANCE needs `filter.search`', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('gives a snippet whose marks point at the matched words, and none without a search', async () => {
    const res = await api.gql(`{ found: articles(filter: { search: "scheduler OR signing" }) { nodes { title snippet { text marks { start end } } } }
      plain: articles(first: 1) { nodes { snippet { text } } } }`);
    expect(res.errors).toBeUndefined();
    for (const node of res.data.found.nodes) {
      expect(node.snippet.marks.length).toBeGreaterThan(0);
      for (const mark of node.snippet.marks) {
        expect(node.snippet.text.slice(mark.start, mark.end).toLowerCase()).toMatch(/^(scheduler|signing)$/);
      }
      expect(node.snippet.text).not.toMatch(/[\u0001\u0002<>]/);
    }
    expect(res.data.plain.nodes[0].snippet).toBeNull();
  });
});

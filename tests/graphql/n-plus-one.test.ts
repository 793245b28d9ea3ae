import { buildArticle, buildFeed } from '../helpers/builders';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';

const statements: string[] = [];
let api: TestServer;

beforeAll(async () => {
  const store = await referenceStore({ statements });
  const companies = ['google', 'microsoft', 'meta', 'nvidia', 'amd', 'intel', 'ibm', 'red-hat'];
  const foundations = ['cncf', 'openssf', 'linux-foundation', 'pytorch-foundation', 'lf-ai-data'];
  const feeds = foundations.map((foundation) => buildFeed(store, { foundation }));
  for (let i = 0; i < 150; i++) {
    buildArticle(store, feeds[i % feeds.length], {
      companies: [companies[i % companies.length], companies[(i + 3) % companies.length]],
      foundations: [foundations[(i + 1) % foundations.length]],
    });
  }
  // The nested queries below cost more than the default limit allows: this test is about SQL, not limits.
  api = await startTestServer(store, { queryMaxCost: 100_000 });
});

/** Statements the store ran while answering one query. */
async function countStatements(query: string): Promise<{ count: number; data: any }> {
  statements.length = 0;
  const res = await api.gql(query);
  expect(res.errors).toBeUndefined();
  return { count: statements.length, data: res.data };
}

describe('relations are batched per request (no N+1 queries)', () => {
  it('answers a page of 100 articles with feed, foundations and companies in under 10 statements', async () => {
    const { count, data } = await countStatements(`{
      articles(first: 100) {
        totalCount
        nodes { title feed { url foundation { slug } } foundations { slug parent { slug } } companies { slug name } }
      }
    }`);
    expect(data.articles.nodes).toHaveLength(100);
    expect(data.articles.nodes.every((a: any) => a.companies.length === 2 && a.foundations.length === 2)).toBe(true);
    expect(count).toBeLessThan(10);
  });

  it('answers nested connections for a page of parents with a constant number of statements', async () => {
    const small = await countStatements(`{ companies(first: 5) { nodes { memberships { totalCount nodes { foundation { slug } } } articles(first: 2) { nodes { title } } } } }`);
    const large = await countStatements(`{ companies(first: 100) { nodes { memberships { totalCount nodes { foundation { slug } } } articles(first: 2) { nodes { title } } } } }`);
    expect(large.data.companies.nodes.length).toBeGreaterThan(50);
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThan(10);
  });
});

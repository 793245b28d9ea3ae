import { buildArticle, buildFeed } from '../helpers/builders';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';

const statements: string[] = [];
/** Store calls (round trips to the database's threads). */
let calls = 0;
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
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  api = await startTestServer(counted, { queryMaxCost: 100_000 });
});

/** Statements the store ran while answering one query. */
async function countStatements(query: string): Promise<{ count: number; calls: number; data: any }> {
  statements.length = 0;
  calls = 0;
  const res = await api.gql(query);
  expect(res.errors).toBeUndefined();
  return { count: statements.length, calls, data: res.data };
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

  it('answers nested memberships for a page of parents with a constant number of statements', async () => {
    const small = await countStatements(`{ companies(first: 5) { nodes { memberships { totalCount nodes { foundation { slug } } } } } }`);
    const large = await countStatements(`{ companies(first: 100) { nodes { memberships { totalCount nodes { foundation { slug } } } } } }`);
    expect(large.data.companies.nodes.length).toBeGreaterThan(50);
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThan(10);
  });

  it('answers nested article pages for a page of parents in a constant number of store calls, one bounded statement per parent', async () => {
    const query = (n: number) => `{ companies(first: ${n}) { nodes { articles(first: 2) { totalCount nodes { title } } } } }`;
    const small = await countStatements(query(5));
    const large = await countStatements(query(100));
    expect(large.data.companies.nodes.length).toBeGreaterThan(50);
    // One call for the companies, one for every page of articles, one for every count.
    expect(large.calls).toBe(small.calls);
    expect(large.calls).toBeLessThan(6);
    // Each company's page is its own index range read for 3 rows at most (a window over every
    // company's articles would read them all); its count is one row of article_totals.
    const pages = statements.filter((sql) => sql.includes('article_company_mentions d'));
    expect(pages.length).toBe(large.data.companies.nodes.length);
    expect(pages.filter((sql) => !/LIMIT 3(\.0)?$/.test(sql.trim()))).toEqual([]);
  });
});

import { buildArticle, buildFeed } from '../helpers/builders';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';

const T0 = Date.UTC(2026, 6, 1);
let api: TestServer;
let expectedIds: string[];

beforeAll(async () => {
  const store = await referenceStore();
  const feed = buildFeed(store, { foundation: 'cncf' });
  // 130 articles on 4 timestamps: long runs of ties across page boundaries.
  for (let i = 0; i < 130; i++) buildArticle(store, feed, { publishedAt: T0 + (i % 4) * 60_000, title: `A${i}` });
  api = await startTestServer(store);
});

async function pageThrough(direction: 'forward' | 'backward', size: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 200; guard++) {
    const res: any =
      direction === 'forward'
        ? await api.gql(`query ($n: Int, $c: String) { articles(first: $n, after: $c) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`, { n: size, c: cursor })
        : await api.gql(`query ($n: Int, $c: String) { articles(last: $n, before: $c) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`, { n: size, c: cursor });
    expect(res.errors).toBeUndefined();
    const { edges, pageInfo } = res.data.articles;
    const pageIds = edges.map((e: any) => e.node.id);
    if (direction === 'forward') {
      seen.push(...pageIds);
      expect(pageInfo.hasPreviousPage).toBe(cursor !== null);
      if (!pageInfo.hasNextPage) return seen;
      expect(pageInfo.endCursor).toBe(edges[edges.length - 1].cursor);
      cursor = pageInfo.endCursor;
    } else {
      seen.unshift(...pageIds);
      expect(pageInfo.hasNextPage).toBe(cursor !== null);
      if (!pageInfo.hasPreviousPage) return seen;
      expect(pageInfo.startCursor).toBe(edges[0].cursor);
      cursor = pageInfo.startCursor;
    }
  }
  throw new Error('paging did not end');
}

describe('Relay pagination over HTTP', () => {
  beforeAll(async () => {
    const a = await api.gql(`{ articles(first: 100) { nodes { id } pageInfo { endCursor } } }`);
    const b = await api.gql(`query ($c: String) { articles(first: 100, after: $c) { nodes { id } } }`, { c: a.data.articles.pageInfo.endCursor });
    expectedIds = [...a.data.articles.nodes, ...b.data.articles.nodes].map((n: any) => n.id);
    expect(b.data.articles.nodes).toHaveLength(30);
  });

  it('returns each of 130 tied rows exactly once, forward, whatever the page size', async () => {
    expect(new Set(expectedIds).size).toBe(130);
    for (const size of [1, 9, 20, 100]) expect(await pageThrough('forward', size)).toEqual(expectedIds);
  });

  it('returns each row exactly once backward with last/before', async () => {
    for (const size of [7, 100]) expect(await pageThrough('backward', size)).toEqual(expectedIds);
  });

  it('defaults to 20 and accepts 0', async () => {
    const res = await api.gql(`{ d: articles { nodes { id } } z: articles(first: 0) { nodes { id } pageInfo { hasNextPage startCursor } } }`);
    expect(res.data.d.nodes).toHaveLength(20);
    expect(res.data.z).toEqual({ nodes: [], pageInfo: { hasNextPage: true, startCursor: null } });
  });

  it.each([
    ['first: 101', '`first` must be between 0 and 100 (got 101)'],
    ['first: -1', '`first` must be between 0 and 100 (got -1)'],
    ['last: 1000', '`last` must be between 0 and 100 (got 1000)'],
    ['first: 5, last: 5', 'pass either `first` (with `after`) or `last` (with `before`), not both'],
    ['after: "not a cursor!"', '`after` is not a valid cursor'],
    ['before: "eyJ4IjoxfQ"', '`before` is not a valid cursor'],
    ['after: "WyJQVUJMSVNIRURfQVQiLCJ4Il0"', '`after` cursor does not belong to this list and ordering'],
  ])('refuses %s with BAD_USER_INPUT saying what is allowed', async (args, message) => {
    const res = await api.gql(`{ articles(${args}) { nodes { id } } }`);
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain(message);
  });

  it('refuses a cursor taken under another ordering', async () => {
    const page = await api.gql(`{ articles(first: 1, orderBy: { field: FETCHED_AT }) { pageInfo { endCursor } } }`);
    const res = await api.gql(`query ($c: String) { articles(after: $c) { nodes { id } } }`, { c: page.data.articles.pageInfo.endCursor });
    expect(res.errors![0]).toMatchObject({
      message: expect.stringContaining('is a cursor for the ordering FETCHED_AT, but this request orders by PUBLISHED_AT'),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('applies the same limits to nested connections', async () => {
    const res = await api.gql(`{ foundation(slug: "cncf") { memberships(first: 500) { totalCount } } }`);
    expect(res.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, path: ['foundation', 'memberships'] });
  });

  it('pages nested connections with cursors', async () => {
    const first = await api.gql(`{ foundation(slug: "cncf") { memberships(first: 10) { nodes { id } pageInfo { endCursor hasNextPage } totalCount } } }`);
    const m = first.data.foundation.memberships;
    const next = await api.gql(`query ($c: String) { foundation(slug: "cncf") { memberships(first: 100, after: $c) { nodes { id } pageInfo { hasNextPage } } } }`, {
      c: m.pageInfo.endCursor,
    });
    const ids = [...m.nodes, ...next.data.foundation.memberships.nodes].map((n: any) => n.id);
    expect(new Set(ids).size).toBe(m.totalCount);
    expect(next.data.foundation.memberships.pageInfo.hasNextPage).toBe(false);
  });
});

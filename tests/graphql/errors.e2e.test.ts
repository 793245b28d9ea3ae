import { referenceStore } from '../helpers/fresh-db';
import { buildArticle, buildFeed } from '../helpers/builders';
import { startTestServer, type TestServer } from '../helpers/server';

let api: TestServer;
let broken: TestServer;

beforeAll(async () => {
  api = await startTestServer(await referenceStore());
  // A database that breaks under the API: the failure must reach the log, not the client.
  const store = await referenceStore();
  buildArticle(store, buildFeed(store, { foundation: 'cncf' }), { companies: ['google'] });
  store.db.exec('DROP TABLE article_company_mentions');
  broken = await startTestServer(store);
});

describe('error shapes', () => {
  it('masks internal errors: fixed message, INTERNAL_SERVER_ERROR, no stack or SQL; the detail is logged', async () => {
    const res = await broken.gql(`{ articles { nodes { title companies { slug } } } }`);
    expect(res.errors).toHaveLength(1);
    const [error] = res.errors!;
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(error.message).toBe('Internal server error: the failure was logged on the server');
    const body = JSON.stringify(res);
    expect(body).not.toMatch(/SELECT|article_company_mentions|sqlite|\.ts:\d+|at /i);
    const logged = broken.logs.filter((line) => JSON.parse(line).msg === 'graphql: unable to resolve a field');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('no such table: article_company_mentions');
  });

  it('puts the request id on the log lines of the request, the caller’s X-Request-Id or a new one, and returns it', async () => {
    const query = JSON.stringify({ query: '{ articles { nodes { companies { slug } } } }' });
    const send = (headers: Record<string, string>) =>
      fetch(`${broken.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: query });
    const given = await send({ 'x-request-id': 'dashboard-7f3a' });
    expect(given.headers.get('x-request-id')).toBe('dashboard-7f3a');
    const lineOf = (id: string) => broken.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === id);
    expect(lineOf('dashboard-7f3a')).toMatchObject({ msg: 'graphql: unable to resolve a field' });
    // None given, or one that is not a sensible id (spaces, too long): a new UUID.
    for (const headers of [{}, { 'x-request-id': 'has spaces' }, { 'x-request-id': 'x'.repeat(129) }] as Record<string, string>[]) {
      const id = (await send(headers)).headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(lineOf(id)).toMatchObject({ msg: 'graphql: unable to resolve a field' });
    }
    // Every endpoint returns it.
    expect((await fetch(`${api.server.url}/healthz`, { headers: { 'x-request-id': 'probe-1' } })).headers.get('x-request-id')).toBe('probe-1');
  });

  it('refuses unknown slugs in filters with BAD_USER_INPUT naming them', async () => {
    const res = await api.gql(`{ articles(filter: { foundations: ["cncf", "pytorch", "cnfc"] }) { totalCount } }`);
    expect(res.errors![0]).toMatchObject({
      message: '`filter.foundations`: unknown foundation slugs "pytorch", "cnfc"; see `foundations { nodes { slug } }`',
      extensions: { code: 'BAD_USER_INPUT', argument: 'filter.foundations' },
    });
    const company = await api.gql(`{ memberships(filter: { companies: ["nobody"] }) { totalCount } }`);
    expect(company.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(company.errors![0].message).toContain('unknown company slug "nobody"');
  });

  it('refuses ids of the wrong type or shape', async () => {
    const foundationId = (await api.gql(`{ foundation(slug: "cncf") { id } }`)).data.foundation.id;
    const res = await api.gql(`query ($id: ID!) { article(id: $id) { title } }`, { id: foundationId });
    expect(res.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('is not the id of an Article') });
    const feeds = await api.gql(`{ articles(filter: { feeds: ["???"] }) { totalCount } }`);
    expect(feeds.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    const node = await api.gql(`{ node(id: "Zm9vOjE") { id } }`);
    expect(node.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('is not an id of this API') });
  });

  it('caps list arguments at 100 values', async () => {
    const slugs = Array.from({ length: 101 }, (_, i) => `slug-${i}`);
    const res = await api.gql(`query ($s: [String!]) { companies(filter: { foundations: $s }) { totalCount } }`, { s: slugs });
    expect(res.errors![0]).toMatchObject({
      message: '`filter.foundations` accepts at most 100 values (got 101)',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const ids = await api.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: slugs });
    expect(ids.errors![0].message).toBe('`ids` accepts at most 100 values (got 101)');
  });

  it('reports bad variables and bad dates as BAD_USER_INPUT, bad queries as GRAPHQL_VALIDATION_FAILED, without stacks', async () => {
    const badDate = await api.gql(`query ($d: Date) { companies(filter: { activeOn: $d }) { totalCount } }`, { d: '2024-02-30' });
    expect(badDate.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    const badInt = await api.gql(`query ($n: Int) { articles(first: $n) { totalCount } }`, { n: 'ten' });
    expect(badInt.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknownField = await api.gql(`{ articles { nodes { nonsense } } }`);
    expect(unknownField.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    for (const res of [badDate, badInt, unknownField]) expect(JSON.stringify(res)).not.toContain('stacktrace');
  });
});

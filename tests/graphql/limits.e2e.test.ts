import http from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server';

/**
 * Query limits over real HTTP: depth, cost, list sizes, body size, batching and the execution time
 * limit. Every cost below is computed by hand from the rules of src/graphql/limits.ts:
 *   scalar (and __typename) = 1;  object = 1 + children;  list without `first` = 1 + (its declared size, else 1) × children;
 *   connection = 1 + (first ?? last ?? 20, capped at 100) × children;  list with `first` = 1 + first × children;
 *   nodes(ids:) = 1 + ids.length × children;  fragments on an interface or union: they add up.
 */

let api: TestServer;
/** The same server with a maximum cost of 1000, for the boundaries. */
let api1000: TestServer;

beforeAll(async () => {
  const store = await referenceStore();
  api = await startTestServer(store);
  api1000 = await startTestServer(store, { queryMaxCost: 1000 });
});

interface RawResponse {
  status: number;
  headers: Headers;
  body: GraphQLResponse & { [key: string]: unknown };
}

async function post(server: TestServer, body: unknown): Promise<RawResponse> {
  const res = await fetch(`${server.server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as RawResponse['body'] };
}

/** The cost and depth the server measured for an accepted query. */
function measured(res: GraphQLResponse): { requested: number; maximum: number; depth: number; maxDepth: number } {
  return res.extensions?.cost as { requested: number; maximum: number; depth: number; maxDepth: number };
}

describe('depth limit (10)', () => {
  // foundation(1) parent(2) parent(3) parent(4) parent(5) parent(6) parent(7) parent(8) parent(9) slug(10)
  const depth10 = `{ foundation(slug: "cncf") { parent { parent { parent { parent { parent { parent { parent { parent { slug } } } } } } } } } }`;
  // One more parent: slug is at level 11.
  const depth11 = `{ foundation(slug: "cncf") { parent { parent { parent { parent { parent { parent { parent { parent { parent { slug } } } } } } } } } } }`;

  it('accepts a query of depth exactly 10 and reports the depth it measured', async () => {
    const res = await post(api, { query: depth10 });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.foundation.parent.parent).toBeNull(); // cncf → linux-foundation → none
    // Cost: slug 1; each of the 9 objects (foundation + 8 parents) adds 1.
    expect(measured(res.body)).toEqual({ requested: 10, maximum: 10_000, depth: 10, maxDepth: 10 });
  });

  it('refuses depth 11 with QUERY_TOO_DEEP, a message saying what to change, and limit/maximum/actual', async () => {
    const res = await post(api, { query: depth11 });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    const [error] = res.body.errors!;
    expect(error.message).toBe('query depth 11 exceeds the maximum depth of 10 (QUERY_MAX_DEPTH): select fewer levels of nested fields');
    expect(error.extensions).toEqual({ code: 'QUERY_TOO_DEEP', limit: 'depth', maximum: 10, actual: 11 });
  });

  it('counts the fields of named fragments, and inline fragments add no level of their own', async () => {
    // foundation(1) …Up: parent(2) inline fragment(no level) parent(3) …Up2: 6 parents (4-9) slug(10)
    const at10 = `
      query { foundation(slug: "cncf") { ...Up } }
      fragment Up on Foundation { parent { ... on Foundation { parent { ...Up2 } } } }
      fragment Up2 on Foundation { parent { parent { parent { parent { parent { parent { slug } } } } } } }`;
    const ok = await post(api, { query: at10 });
    expect(ok.body.errors).toBeUndefined();
    expect(measured(ok.body).depth).toBe(10);

    const at11 = at10.replace('fragment Up2 on Foundation { parent {', 'fragment Up2 on Foundation { parent { parent {') + ' }';
    const refused = await post(api, { query: at11 });
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_DEEP', limit: 'depth', maximum: 10, actual: 11 });

    // Inline fragments only: the same 11 levels, spread over `... on Foundation` blocks.
    const inline11 = `{ foundation(slug: "cncf") { ... on Foundation { parent { ... { parent { parent { ... on Foundation { parent { parent { parent { parent { parent { parent { slug } } } } } } } } } } } } } }`;
    const inline = await post(api, { query: inline11 });
    expect(inline.body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', actual: 11 });
  });

  it('measures the operation named by operationName, not the deepest one of the document', async () => {
    const document = `query Shallow { foundation(slug: "cncf") { slug } } query Deep ${depth11}`;
    const shallow = await post(api, { query: document, operationName: 'Shallow' });
    expect(shallow.body.errors).toBeUndefined();
    expect(measured(shallow.body)).toMatchObject({ depth: 2, requested: 2 });
    const deep = await post(api, { query: document, operationName: 'Deep' });
    expect(deep.body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', actual: 11 });
  });

  it('accepts the full introspection query despite its nesting: introspection adds no depth, and costs about what it returns', async () => {
    const res = await post(api, { query: getIntrospectionQuery() });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.__schema.queryType.name).toBe('Query');
    const { requested, depth } = measured(res.body);
    expect(depth).toBe(0);
    // About one per value of the answer: count the values (objects and leaves) it returned.
    let values = 0;
    const walk = (v: unknown): void => {
      values++;
      if (Array.isArray(v)) { values--; v.forEach(walk); } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(res.body.data);
    expect(requested).toBeGreaterThan(values / 2);
    expect(requested).toBeLessThan(values * 2);
  });
});

describe('cost limit (10,000 by default)', () => {
  it('computes the cost of a connection with nodes and nested objects', async () => {
    // parent{slug} 1+1 = 2; foundation{slug parent} 1+1+2 = 4; feed{url foundation} 1+1+4 = 6;
    // companies (a list without first, expected to hold at most 10) {slug} 1 + 10×1 = 11;
    // nodes {title feed companies} 1 + 1+6+11 = 19; totalCount 1; articles(first: 10) 1 + 10×(1+19) = 201.
    const res = await post(api, {
      query: `{ articles(first: 10) { totalCount nodes { title feed { url foundation { slug parent { slug } } } companies { slug } } } }`,
    });
    expect(res.body.errors).toBeUndefined();
    expect(measured(res.body)).toEqual({ requested: 201, maximum: 10_000, depth: 6, maxDepth: 10 });
  });

  it('computes the cost of edges { node } with pageInfo', async () => {
    // parent{slug} 2; node{slug parent} 1+1+2 = 4; edges{cursor node} 1+1+4 = 6; pageInfo{endCursor} 2; companies(first: 5) 1 + 5×(2+6) = 41.
    const res = await post(api, { query: `{ companies(first: 5) { pageInfo { endCursor } edges { cursor node { slug parent { slug } } } } }` });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.companies.edges).toHaveLength(5);
    expect(measured(res.body).requested).toBe(41);
  });

  it('computes the cost of nested connections, the default page size being 20', async () => {
    // company.articles (no first: 20) {totalCount} 1 + 20×1 = 21; company 1+21 = 22; membership nodes {tier company} 1+1+22 = 24;
    // memberships(first: 4) 1 + 4×24 = 97; foundation nodes {slug memberships} 1+1+97 = 99; foundations(first: 3) 1 + 3×99 = 298.
    const res = await post(api, {
      query: `{ foundations(first: 3) { nodes { slug memberships(first: 4) { nodes { tier company { articles { totalCount } } } } } } }`,
    });
    expect(res.body.errors).toBeUndefined();
    expect(measured(res.body).requested).toBe(298);
    // Without `first` a connection costs 20 times what it selects: articles { nodes { feed { url } } } = 1 + 20×(1+2) = 61.
    const defaults = await post(api, { query: `{ articles { nodes { feed { url } } } }` });
    expect(measured(defaults.body).requested).toBe(61);
    // `last` sizes the page like `first`: articles(last: 30) { nodes { id } } = 1 + 30×2 = 61.
    const backward = await post(api, { query: `{ articles(last: 30) { nodes { id } } }` });
    expect(backward.body.errors).toBeUndefined();
    expect(measured(backward.body).requested).toBe(61);
  });

  it('computes the cost of nodes(ids:) from the number of ids, adding up the fragments for each type', async () => {
    const ids = await post(api, { query: `{ foundations(first: 2) { nodes { id } } company(slug: "google") { id } }` });
    const list = [...ids.body.data.foundations.nodes.map((n: { id: string }) => n.id), ids.body.data.company.id];
    expect(list).toHaveLength(3);
    // id 1; Foundation fragment: parent{slug} = 2; Company fragment: parent{slug} 2 + subsidiaries (at most 10) {slug} 11 = 13.
    // nodes(ids: 3 ids) = 1 + 3×(1+2+13) = 49.
    const res = await post(api, {
      query: `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Foundation { parent { slug } } ... on Company { parent { slug } subsidiaries { slug } } } }`,
      variables: { ids: list },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.nodes.map((n: { id: string }) => n.id)).toEqual(list);
    expect(measured(res.body).requested).toBe(49);
  });

  it('multiplies lists that take `first` (with its default value) by it', async () => {
    // articleCounts(first: 20 by default) { count company { slug } } = 1 + 20×(1+2) = 61;
    // company { coMentionedCompanies(first: 10 by default) { company { slug } } } = 1 + (1 + 10×2) = 22. Total 83.
    const res = await post(api, {
      query: `{ articleCounts(by: COMPANY) { count company { slug } } company(slug: "google") { coMentionedCompanies { company { slug } } } }`,
    });
    expect(res.body.errors).toBeUndefined();
    expect(measured(res.body).requested).toBe(83);
  });

  // p1..p4: articles(first: 100) { nodes { id } } = 1 + 100×(1 + 1) = 201 each, 804 in all.
  const pages = Array.from({ length: 4 }, (_, i) => `p${i + 1}: articles(first: 100) { nodes { id } }`).join(' ');
  // p5: articles(first: 97) { nodes { id } } = 195, and __typename 1: total 1000; one more __typename: 1001.
  const cost1000 = `{ ${pages} p5: articles(first: 97) { nodes { id } } __typename }`;
  const cost1001 = `{ ${pages} p5: articles(first: 97) { nodes { id } } __typename t: __typename }`;

  it('accepts a query costing exactly 1000 (QUERY_MAX_COST=1000)', async () => {
    const res = await post(api1000, { query: cost1000 });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(Object.keys(res.body.data)).toHaveLength(6);
    expect(measured(res.body)).toEqual({ requested: 1000, maximum: 1000, depth: 3, maxDepth: 10 });
  });

  it('refuses a query costing 1001 with QUERY_TOO_COSTLY and limit/maximum/actual', async () => {
    const res = await post(api1000, { query: cost1001 });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    const [error] = res.body.errors!;
    expect(error.message).toMatch(/^query cost 1001 exceeds the maximum cost of 1000 \(QUERY_MAX_COST\): every field costs 1 and `first`\/`last` multiply the cost/);
    expect(error.extensions).toEqual({ code: 'QUERY_TOO_COSTLY', limit: 'cost', maximum: 1000, actual: 1001 });
  });

  it('counts aliases separately: the same field under two aliases costs twice', async () => {
    // articles(first: 10) { nodes { id } } = 1 + 10×2 = 21.
    const once = await post(api, { query: `{ a: articles(first: 10) { nodes { id } } }` });
    const twice = await post(api, { query: `{ a: articles(first: 10) { nodes { id } } b: articles(first: 10) { nodes { id } } }` });
    expect(measured(once.body).requested).toBe(21);
    expect(measured(twice.body).requested).toBe(42);
  });

  it('caps the page size used in the cost at 100; the field itself refuses larger pages', async () => {
    // articles(first: 500) { nodes { id } } = 1 + min(500, 100)×2 = 201.
    const res = await post(api, { query: `{ articles(first: 500) { nodes { id } } }` });
    expect(res.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('`first` must be between 0 and 100 (got 500)') });
    expect(measured(res.body).requested).toBe(201);
  });

  it('takes its maximum from the configuration', async () => {
    const strict = await startTestServer(await referenceStore(), { queryMaxCost: 49 });
    // articles(first: 24) { nodes { id } } = 1 + 24×2 = 49: accepted; first: 25 → 51: refused.
    const ok = await post(strict, { query: `{ articles(first: 24) { nodes { id } } }` });
    expect(ok.body.errors).toBeUndefined();
    expect(measured(ok.body)).toEqual({ requested: 49, maximum: 49, depth: 3, maxDepth: 10 });
    const refused = await post(strict, { query: `{ articles(first: 25) { nodes { id } } }` });
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].message).toMatch(/^query cost 51 exceeds the maximum cost of 49 \(QUERY_MAX_COST\):/);
    expect(refused.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COSTLY', limit: 'cost', maximum: 49, actual: 51 });
    // The same query is well within the default maximum.
    expect((await post(api, { query: `{ articles(first: 25) { nodes { id } } }` })).body.errors).toBeUndefined();
  });
});

describe('variables', () => {
  const byVariable = `query Page($n: Int) { articles(first: $n) { nodes { id } } }`;

  it('computes the cost from the variable values', async () => {
    // 1 + n×2; n absent: the default page size 20.
    expect(measured((await post(api, { query: byVariable, variables: { n: 7 } })).body).requested).toBe(15);
    expect(measured((await post(api, { query: byVariable, variables: { n: 100 } })).body).requested).toBe(201);
    expect(measured((await post(api, { query: byVariable, variables: {} })).body).requested).toBe(41);
    // The operation's default value counts when the variable is not given.
    const withDefault = `query Page($n: Int = 5) { articles(first: $n) { nodes { id } } }`;
    expect(measured((await post(api, { query: withDefault })).body).requested).toBe(11);

    // Four pages of 100 (804) plus one of $n (1 + 2n): within 1000 for n = 97 (999), over it for n = 98 (1001).
    const pages = Array.from({ length: 4 }, (_, i) => `p${i + 1}: articles(first: 100) { nodes { id } }`).join(' ');
    const query = `query ($n: Int) { ${pages} last: articles(first: $n) { nodes { id } } }`;
    expect(measured((await post(api1000, { query, variables: { n: 97 } })).body).requested).toBe(999);
    const over = await post(api1000, { query, variables: { n: 98 } });
    expect(over.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COSTLY', limit: 'cost', maximum: 1000, actual: 1001 });
  });

  it('answers invalid variable values with BAD_USER_INPUT, not an internal error', async () => {
    const word = await post(api, { query: byVariable, variables: { n: 'ten' } });
    expect(word.status).toBe(400);
    expect(word.body.errors).toHaveLength(1);
    expect(word.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('$n') });

    const missing = await post(api, { query: `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }` });
    expect(missing.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('$ids') });

    const wrongShape = await post(api, { query: `query ($f: ArticleFilter) { articles(filter: $f) { totalCount } }`, variables: { f: { foundations: 'cncf', nope: 1 } } });
    expect(wrongShape.body.errors!.length).toBeGreaterThan(0);
    for (const error of wrongShape.body.errors!) expect(error.extensions?.code).toBe('BAD_USER_INPUT');

    expect(api.logs.filter((line) => /unable to resolve|unable to answer/.test(line))).toEqual([]);
  });

  it('reports at most 4 errors for a list variable with 10 invalid values (maxCoercionErrors 3)', async () => {
    const tiers = Array.from({ length: 10 }, (_, i) => ({ tier: i }));
    const res = await post(api, { query: `query ($t: [String!]) { companies(filter: { tiers: $t }) { totalCount } }`, variables: { t: tiers } });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    // maxCoercionErrors (3) errors about the values, then graphql's "too many errors" one.
    expect(res.body.errors).toHaveLength(4);
    for (const error of res.body.errors!.slice(0, 3)) {
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT' });
      expect(error.message).toMatch(/^Variable "\$t" got invalid value .* at "t\[\d\]"; String cannot represent a non string value/);
    }
    expect(res.body.errors![3].message).toMatch(/Too many errors/i);
  });
});

describe('list arguments', () => {
  it('refuses nodes(ids:) with 101 ids and accepts 100', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `id-${i}`);
    const res = await post(api, { query: `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, variables: { ids } });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]).toMatchObject({ message: '`ids` accepts at most 100 values (got 101)', extensions: { code: 'BAD_USER_INPUT' } });

    // 100 real ids (the same foundation 100 times) pass the cap.
    const id = (await post(api, { query: `{ foundation(slug: "cncf") { id } }` })).body.data.foundation.id;
    const hundred = await post(api, { query: `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, variables: { ids: Array(100).fill(id) } });
    expect(hundred.body.errors).toBeUndefined();
    expect(hundred.body.data.nodes).toHaveLength(100);
  });

  it.each([
    ['articles', 'filter: { foundations: $v }', 'filter.foundations'],
    ['articles', 'filter: { companies: $v }', 'filter.companies'],
    ['articles', 'filter: { feeds: $v }', 'filter.feeds'],
    ['articles', 'filter: { memberOf: { foundation: "cncf", tiers: $v } }', 'filter.memberOf.tiers'],
    ['companies', 'filter: { foundations: $v }', 'filter.foundations'],
    ['companies', 'filter: { tiers: $v }', 'filter.tiers'],
    ['foundations', 'filter: { parents: $v }', 'filter.parents'],
    ['feeds', 'filter: { foundations: $v }', 'filter.foundations'],
    ['memberships', 'filter: { foundations: $v }', 'filter.foundations'],
    ['memberships', 'filter: { companies: $v }', 'filter.companies'],
    ['memberships', 'filter: { tiers: $v }', 'filter.tiers'],
  ])('refuses %s(%s) with 101 values', async (field, args, argument) => {
    const type = argument === 'filter.feeds' ? '[ID!]' : '[String!]';
    const values = Array.from({ length: 101 }, (_, i) => `v${i}`);
    const res = await post(api, { query: `query ($v: ${type}) { ${field}(${args}) { totalCount } }`, variables: { v: values } });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]).toMatchObject({
      message: `\`${argument}\` accepts at most 100 values (got 101)`,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('refuses 101 feed statuses', async () => {
    const statuses = Array.from({ length: 101 }, () => 'OK');
    const res = await post(api, { query: `query ($v: [FeedStatus!]) { feeds(filter: { statuses: $v }) { totalCount } }`, variables: { v: statuses } });
    expect(res.body.errors![0]).toMatchObject({ message: '`filter.statuses` accepts at most 100 values (got 101)', extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('HTTP limits', () => {
  let small: TestServer;

  beforeAll(async () => {
    small = await startTestServer(await referenceStore(), { maxRequestBodyBytes: 2048 });
  });

  /** A JSON body of exactly `bytes` bytes: a small query padded with spaces (ignored by GraphQL). */
  function bodyOf(bytes: number): string {
    const base = JSON.stringify({ query: '{ foundation(slug: "cncf") { slug } }' });
    const body = JSON.stringify({ query: '{ foundation(slug: "cncf") { slug } }' + ' '.repeat(bytes - base.length) });
    expect(Buffer.byteLength(body)).toBe(bytes);
    return body;
  }

  it('accepts a body of exactly the limit and refuses one byte more with 413', async () => {
    const ok = await post(small, bodyOf(2048));
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ foundation: { slug: 'cncf' } });

    const refused = await post(small, bodyOf(2049));
    expect(refused.status).toBe(413);
    expect(refused.body.errors).toEqual([{ message: 'request body exceeds the limit of 2048 bytes', extensions: { code: 'BAD_REQUEST' } }]);
  });

  it('refuses a body over the limit also when it is streamed without content-length', async () => {
    const url = new URL(`${small.server.url}/graphql`);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      const body = bodyOf(3000);
      req.write(body.slice(0, 1500));
      req.end(body.slice(1500));
    });
    expect(status).toBe(413);
    expect(JSON.parse(text).errors[0].message).toBe('request body exceeds the limit of 2048 bytes');
  });

  it('refuses HTTP batching (a JSON array of operations) with 400', async () => {
    const res = await post(api, [{ query: '{ foundation(slug: "cncf") { slug } }' }, { query: '{ company(slug: "google") { slug } }' }]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] });
  });
});

describe('execution time limit', () => {
  const query = `{ foundations(first: 5) { totalCount nodes { slug } } }`;

  it('fails a query with QUERY_TIMEOUT, naming the limit, once its deadline has passed', async () => {
    // A negative limit: the deadline has passed before the first field resolves, whatever the machine's speed.
    const expired = await startTestServer(await referenceStore(), { queryTimeoutMs: -1 });
    const res = await post(expired, { query });
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toEqual([
      {
        message: 'the query ran longer than the limit of -1 ms (QUERY_TIMEOUT): ask for fewer or smaller pages, or a narrower filter',
        locations: [{ line: 1, column: 3 }],
        path: ['foundations'],
        extensions: { code: 'QUERY_TIMEOUT', maximumMs: -1 },
      },
    ]);
    expect(expired.logs.filter((line) => /unable to resolve/.test(line))).toEqual([]);
  });

  it('answers the same query within the default limit', async () => {
    const res = await post(api, { query });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.foundations.nodes).toHaveLength(5);
  });
});

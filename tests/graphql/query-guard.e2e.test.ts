import net from 'node:net';
import { createClient } from 'graphql-ws';
import { buildSchema, getIntrospectionQuery, parse } from 'graphql';
import WebSocket from 'ws';
import { enforceLimits, measureOperation, type QueryLimits } from '../../src/graphql/limits';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server';
import { onCleanup } from '../helpers/temp';

/**
 * The document guard and the operation measure against hostile queries, over real HTTP and
 * WebSocket: each case here once got past a limit or held the server (see the hardening issue).
 */

let api: TestServer;

beforeAll(async () => {
  api = await startTestServer(await referenceStore());
});

async function post(body: unknown, server = api): Promise<{ status: number; body: GraphQLResponse }> {
  const res = await fetch(`${server.server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse };
}

/**
 * Each fragment spreads the next one twice: `levels` fragments on Foundation in about 60 bytes each,
 * whose expansion has 2^levels copies of the innermost selection.
 */
function fanOutFragments(levels: number, innermost = 'slug'): string {
  return Array.from({ length: levels }, (_, i) =>
    i === levels - 1 ? `fragment F${i} on Foundation { ${innermost} }` : `fragment F${i} on Foundation { ...F${i + 1} ...F${i + 1} }`,
  ).join(' ');
}

describe('fragment fan-out', () => {
  it('measures each fragment once: 24 levels of fan-out in 1.5 KB are refused with the exact cost of the expansion', async () => {
    // F23 { parent { slug } } costs 1 + 1 = 2; each level doubles: F0 = 2 × 2^23; foundation = 1 + F0.
    const query = `{ foundation(slug: "cncf") { ...F0 } } ${fanOutFragments(24, 'parent { slug }')}`;
    expect(query.length).toBeLessThan(1600);
    const res = await post({ query });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COSTLY', limit: 'cost', maximum: 10_000, actual: 1 + 2 ** 24 });
    // The server was not held: the next request is answered.
    expect((await fetch(`${api.server.url}/healthz`)).status).toBe(200);
  });

  it('counts the depth of a fragment once, wherever it is spread', async () => {
    // Each level adds a `parent`: depth 1 (foundation) + 12 parents + slug = 14 > 10.
    const levels = 12;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Foundation { parent { slug } }` : `fragment F${i} on Foundation { parent { ...F${i + 1} } a: parent { ...F${i + 1} } }`,
    );
    const res = await post({ query: `{ foundation(slug: "cncf") { ...F0 } } ${fragments.join(' ')}` });
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', actual: 14 });
  });

  it('refuses the same fan-out over WebSocket with the same error', async () => {
    const client = createClient({ url: `${api.server.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    onCleanup(() => client.dispose());
    const errors = await new Promise<readonly { message: string; extensions?: Record<string, unknown> }[]>((resolve, reject) => {
      client.subscribe(
        { query: `subscription { articleAdded { foundations { ...F0 } } } ${fanOutFragments(24)}` },
        { next: () => reject(new Error('a result arrived')), error: (err) => resolve(err as never), complete: () => reject(new Error('completed without an error')) },
      );
    });
    expect(errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', maximum: 10_000 });
  });
});

describe('subscriptions read their variables as queries do', () => {
  it('answers bad variables over WebSocket with a few BAD_USER_INPUT errors, not internal errors', async () => {
    const client = createClient({ url: `${api.server.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    onCleanup(() => client.dispose());
    // Ten bad values in one list variable: at most 3 said (then one saying it stopped), as over HTTP.
    const variables = { companies: Array.from({ length: 10 }, (_, i) => ({ bad: `${i} ${'a '.repeat(1000)}` })) };
    const errors = await new Promise<readonly { message: string; extensions?: Record<string, unknown> }[]>((resolve, reject) => {
      client.subscribe(
        { query: `subscription ($companies: [String!]) { articleAdded(filter: { companies: $companies }) { title } }`, variables },
        { next: () => reject(new Error('a result arrived')), error: (err) => resolve(err as never), complete: () => reject(new Error('completed without an error')) },
      );
    });
    expect(errors.length).toBeLessThanOrEqual(4);
    for (const error of errors) {
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message.length).toBeLessThanOrEqual(1001);
    }
    expect(api.logs.filter((line) => /"level":50/.test(line))).toEqual([]);
  });
});

describe('document limits, before validation', () => {
  it('refuses 6,000 aliased __schema (473 KB) by length, naming QUERY_MAX_LENGTH', async () => {
    const query = `{ ${Array.from({ length: 6000 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`;
    expect(query.length).toBeGreaterThan(250_000);
    const res = await post({ query });
    expect(res.status).toBe(400);
    expect(res.body.errors![0].message).toMatch(/^the query is \d+ characters long, over the limit of 32768 \(QUERY_MAX_LENGTH\)/);
    expect(res.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_LONG', limit: 'length', maximum: 32_768, actual: query.length });
  });

  it('refuses more aliases than QUERY_MAX_ALIASES (30) and accepts 30', async () => {
    const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const ok = await post({ query: aliased(30) });
    expect(ok.body.errors).toBeUndefined();
    const res = await post({ query: aliased(31) });
    expect(res.status).toBe(400);
    expect(res.body.errors![0].message).toMatch(/^the query has 31 aliased fields, over the limit of 30 \(QUERY_MAX_ALIASES\)/);
    expect(res.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_MANY_ALIASES', limit: 'aliases', maximum: 30, actual: 31 });
  });

  it('gives introspection a cost: three full introspections in one query are over the cost limit', async () => {
    const wide = await startTestServer(await referenceStore(), { queryMaxAliases: 10_000 });
    // The standard query is `query IntrospectionQuery { __schema { ... } } fragment ...`: alias its __schema three times.
    const [head, ...fragments] = getIntrospectionQuery().split('\n    fragment ');
    const body = head.replace(/^\s*query IntrospectionQuery \{/, '').trim().replace(/\}$/, '');
    const query = `{ ${[0, 1, 2].map((i) => `s${i}: ${body.trim()}`).join(' ')} } ${fragments.map((f) => `fragment ${f}`).join(' ')}`;
    const res = await post({ query }, wide);
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', maximum: 10_000 });
    expect(res.body.errors![0].extensions!.actual as number).toBeGreaterThan(10_000);
    // Recursing through fields { type { fields ... } } is refused by graphql-js's own introspection depth rule.
    const recursive = `{ __schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } } }`;
    const deep = await post({ query: recursive });
    expect(deep.status).toBe(400);
    expect(deep.body.errors![0]).toMatchObject({ message: 'Maximum introspection depth exceeded', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('answers 20,000 repeats of one field with the limit that stops it and how to stay under it', async () => {
    const query = `{ ${'__typename '.repeat(20_000)}}`;
    // By default the document is too long before it has too many tokens.
    const long = await post({ query });
    expect(long.status).toBe(400);
    expect(long.body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_LONG', limit: 'length' });
    // With a longer QUERY_MAX_LENGTH, the token limit stops the parser.
    const roomy = await startTestServer(await referenceStore(), { queryMaxLength: 1024 * 1024 });
    const res = await post({ query }, roomy);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0].message).toMatch(/^the query has more than 5000 tokens \(QUERY_MAX_TOKENS\), so parsing stopped there: select fewer fields/);
    expect(res.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_MANY_TOKENS', limit: 'tokens', maximum: 5000 });
  });

  it('says which limit stopped validation when one field is repeated too often to check that the repeats merge', async () => {
    // 1,500 repeats: under the token limit, but over graphql-js's budget of pairwise comparisons.
    const res = await post({ query: `{ foundation(slug: "cncf") { ${'slug '.repeat(1500)}} }` });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0].message).toMatch(/^the query repeats the same fields so often .* budget of 500000 comparisons: ask for each field once per selection/);
    expect(res.body.errors![0].extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'fieldComparisons', maximum: 500_000 });
  });

  it('says which limit stopped validation when a document has many errors', async () => {
    const query = `{ ${Array.from({ length: 40 }, (_, i) => `nope${i}`).join(' ')} }`;
    const res = await post({ query });
    expect(res.status).toBe(400);
    const last = res.body.errors![res.body.errors!.length - 1];
    expect(res.body.errors!.length).toBe(21);
    expect(last.message).toBe('the query has more than 20 validation errors, so validation stopped there: fix the errors listed before this one and send it again');
    expect(res.body.errors!.some((e) => /Validation aborted/.test(e.message))).toBe(false);
  });

  it('refuses more directives than QUERY_MAX_DIRECTIVES (50)', async () => {
    const query = `{ ${Array.from({ length: 51 }, () => '__typename @include(if: true)').join(' ')} }`;
    const res = await post({ query });
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_MANY_DIRECTIVES', limit: 'directives', maximum: 50, actual: 51 });
  });

  it('applies the same document limits to GET requests', async () => {
    const query = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await fetch(`${api.server.url}/graphql?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as GraphQLResponse).errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_MANY_ALIASES' });
  });

  it('does not count fields under @skip(if: true) or @include(if: false) in depth or cost', async () => {
    const deep = `{ parent { parent { parent { parent { parent { parent { parent { parent { parent { slug } } } } } } } } } }`;
    const res = await post({ query: `query ($no: Boolean = false) { foundation(slug: "cncf") { slug p: parent @include(if: $no) ${deep} q: parent @skip(if: true) ${deep} } }` });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.extensions!.cost).toMatchObject({ depth: 2, requested: 2 });
  });
});

describe('lists without `first` cost what they can hold', () => {
  it('sizes a timeline by its series and its buckets: 50 daily series over 2.7 years are refused, a weekly year is cheap', async () => {
    // 50 series × 996 days × (1 + start + count) once cost 201 and returned 2.1 MB.
    const daily = `{ articleTimeline(first: 50, by: COMPANY, from: "2024-01-01T00:00:00Z", to: "2026-09-20T00:00:00Z", interval: DAY) { total points { start count } } }`;
    const refused = await post({ query: daily });
    expect(refused.status).toBe(400);
    // Buckets: at most ceil(span / 23 h, the shortest day) + 2 partial ones, capped at 1,000 (more is refused).
    // 1 + 50 series × (total 1 + points (1 + 1000 × (start 1 + count 1))) = 1 + 50 × 2002 = 100,101.
    expect(refused.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COSTLY', limit: 'cost', maximum: 10_000, actual: 100_101 });
    // One series (no `by`); 364 days in weeks of at least 167 h: 53 + 2 buckets. 1 + 1 × (1 + (1 + 55 × 2)) = 113.
    const weekly = await post({ query: `{ articleTimeline(interval: WEEK, from: "2026-01-05T00:00:00Z", to: "2027-01-04T00:00:00Z") { total points { start count } } }` });
    expect(weekly.body.errors).toBeUndefined();
    expect(weekly.body.data.articleTimeline[0].points).toHaveLength(52);
    expect(weekly.body.extensions!.cost).toMatchObject({ requested: 113 });
  });

  it('sizes a named type by the largest of its kind: aliased __type possibleTypes are refused', async () => {
    // Node has every object type as a possible type: its answer is about 40 KB, as big as its cost says.
    const one = `__type(name: "Node") { possibleTypes { name description fields { name description args { name description defaultValue type { name kind } } type { name kind ofType { name kind } } } } }`;
    const res = await post({ query: `{ ${[0, 1, 2].map((i) => `t${i}: ${one}`).join(' ')} }` });
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY' });
  });
});

describe('transport', () => {
  it('answers an operation type the API does not have with a client error, not QUERY_REFUSED', async () => {
    const res = await post({ query: 'mutation { __typename }' });
    expect(res.status).toBe(400);
    expect(res.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/^this API has no mutation operations/) });
    expect(api.logs.filter((line) => /unable to measure/.test(line))).toEqual([]);
  });

  it('drops a connection without traffic after HTTP_IDLE_TIMEOUT', async () => {
    const quick = await startTestServer(await referenceStore(), { httpIdleTimeoutMs: 300 });
    const { port } = new URL(quick.server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    onCleanup(() => socket.destroy());
    const closed = await new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      // Far longer than the limit: only a server that drops the socket resolves with true in time.
      setTimeout(() => resolve(false), 10_000).unref();
    });
    expect(closed).toBe(true);
  });

  it('answers a subscription sent over HTTP with a client error that points to the WebSocket endpoint', async () => {
    const res = await post({ query: 'subscription { articleAdded { title } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0].extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(res.body.errors![0].message).toMatch(/subscriptions are served over WebSocket.*graphql-transport-ws/);
  });
});

describe('the measure fails closed', () => {
  const limits: QueryLimits = { maxLength: 32_768, maxTokens: 5000, maxAliases: 30, maxDirectives: 50, maxDepth: 10, maxCost: 1000 };
  const schema = buildSchema(`type Query { a: A } type A { b: String }`);

  it('refuses, with QUERY_REFUSED, an operation it cannot measure (here: a field the schema lacks)', () => {
    expect(() => enforceLimits(schema, parse('{ a { nope } }'), undefined, {}, limits)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_REFUSED' }) }),
    );
    // A fragment that spreads itself (validation refuses it first; the measure does not loop).
    expect(() => enforceLimits(schema, parse('{ a { ...F } } fragment F on A { ...F }'), undefined, {}, limits)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_REFUSED' }) }),
    );
  });

  it('leaves variables that cannot be read to execution, which refuses them before running anything', async () => {
    expect(measureOperation(schema, parse('query ($n: Int) { a { b } }'), undefined, { n: 'ten' })).toBeNull();
    const res = await post({ query: 'query ($n: Int) { articles(first: $n) { nodes { id } } }', variables: { n: 'ten' } });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});

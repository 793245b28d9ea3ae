import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server';

// Error messages quote what the user sent, but only its start: a 10,000-character value must not come
// back 10,000 characters long (nor 100 of them, once per value of a list).

let api: TestServer;

beforeAll(async () => {
  api = await startTestServer(await referenceStore());
});

const LONG = 10_000;
/** A long value whose start is recognisable in a message. */
const long = (start: string, fill = 'x') => start + fill.repeat(LONG - start.length);

/** The one BAD_USER_INPUT error of a response, whose message must be short and quote the value's start. */
function shortBadInput(res: GraphQLResponse, start?: string): string {
  expect(res.errors).toHaveLength(1);
  const [error] = res.errors!;
  expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  expect(error.message.length).toBeLessThan(300);
  if (start !== undefined) {
    expect(error.message).toContain(`"${start}`);
    expect(error.message).toContain(`(${LONG} characters)`);
  }
  return error.message;
}

describe('messages quote long user input briefly', () => {
  it('an id: node(id:), nodes(ids:) and a typed id (article(id:), filter.feeds)', async () => {
    const id = long('start-of-the-id-');
    shortBadInput(await api.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id }), 'start-of-the-id-');
    shortBadInput(await api.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [id] }), 'start-of-the-id-');
    shortBadInput(await api.gql(`query ($id: ID!) { article(id: $id) { title } }`, { id }), 'start-of-the-id-');
    shortBadInput(await api.gql(`query ($f: [ID!]) { articles(filter: { feeds: $f }) { totalCount } }`, { f: [id] }), 'start-of-the-id-');
  });

  it('a cursor: articles(after:), and a forged cursor with a long ordering inside', async () => {
    const cursor = long('StartOfTheCursor', 'A');
    const message = shortBadInput(await api.gql(`query ($c: String) { articles(after: $c) { totalCount } }`, { c: cursor }), 'StartOfTheCursor');
    expect(message).toMatch(/^`after` is not a valid cursor: /);
    // A well-formed cursor (at most 1,024 characters) whose ordering a client made up, 700 characters long.
    const forged = Buffer.from(JSON.stringify([`forged-ordering-${'o'.repeat(684)}`, 1])).toString('base64url');
    const res = await api.gql(`query ($c: String) { articles(after: $c) { totalCount } }`, { c: forged });
    expect(shortBadInput(res)).toContain('is a cursor for the ordering "forged-ordering-ooo');
    expect(res.errors![0].message).toContain('(700 characters), but this request orders by PUBLISHED_AT');
  });

  it('a slug: foundation(slug:) and company(slug:) find nothing (null, no error); a filter refuses it', async () => {
    const slug = long('start-of-the-slug-');
    // "null when there is none", as documented: nothing is quoted back at all.
    const lookup = await api.gql(`query ($s: String!) { foundation(slug: $s) { id } company(slug: $s) { id } }`, { s: slug });
    expect(lookup).toMatchObject({ status: 200, data: { foundation: null, company: null } });
    expect(lookup.errors).toBeUndefined();
    for (const query of [
      `query ($s: [String!]) { articles(filter: { foundations: $s }) { totalCount } }`,
      `query ($s: [String!]) { companies(filter: { foundations: $s }) { totalCount } }`,
      `query ($s: [String!]) { memberships(filter: { companies: $s }) { totalCount } }`,
    ]) {
      shortBadInput(await api.gql(query, { s: [slug] }), 'start-of-the-slug-');
    }
  });

  it('many unknown slugs: the first five are named, the others counted', async () => {
    const slugs = Array.from({ length: 100 }, (_, i) => `unknown-${i}-${'s'.repeat(1000)}`);
    const res = await api.gql(`query ($s: [String!]) { articles(filter: { foundations: $s }) { totalCount } }`, { s: slugs });
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    const { message } = res.errors![0];
    expect(message.length).toBeLessThan(1000);
    expect(message).toMatch(/^`filter.foundations`: unknown foundation slugs "unknown-0-s+…" \(1010 characters\), "unknown-1-/);
    expect(message).toContain('"unknown-4-');
    expect(message).not.toContain('"unknown-5-');
    expect(message).toContain(', and 95 more; see `foundations { nodes { slug } }`');
  });

  it('a time zone: articleTimeline(timeZone:)', async () => {
    const zone = long('Start/Of_The_Zone');
    const res = await api.gql(
      `query ($z: String!) { articleTimeline(interval: DAY, from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z", timeZone: $z) { total } }`,
      { z: zone },
    );
    expect(shortBadInput(res, 'Start/Of_The_Zone')).toMatch(/is not an IANA time zone name/);
  });

  it('a language: filter.language', async () => {
    shortBadInput(await api.gql(`query ($l: String) { articles(filter: { language: $l }) { totalCount } }`, { l: long('en-start-') }), 'en-start-');
  });

  it('a search: too long, or a long word that cannot be searched', async () => {
    const tooLong = await api.gql(`query ($s: String) { articles(filter: { search: $s }) { totalCount } }`, { s: long('kubernetes ') });
    expect(shortBadInput(tooLong)).toBe('`filter.search`: at most 500 characters (got 10000)');
    // A 489-character word of punctuation and a star: under the length limit, and quoted in the message.
    const word = `${'#!&-'.repeat(122)}*`;
    const res = await api.gql(`query ($s: String) { articles(filter: { search: $s }) { totalCount } }`, { s: `rust ${word}` });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message.length).toBeLessThan(300);
    expect(res.errors![0].message).toBe(
      `\`filter.search\`: "${'#!&-'.repeat(25)}…" (489 characters) at character 6: a prefix search needs letters or digits before the *`,
    );
  });
});

describe('timeZone: UTC offsets are refused on every Node version', () => {
  it.each([['+05:30'], ['-0800'], ['+05']])('refuses %s, suggesting an IANA name', async (zone) => {
    const res = await api.gql(
      `query ($z: String!) { articleTimeline(interval: DAY, from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z", timeZone: $z) { total } }`,
      { z: zone },
    );
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(new RegExp(`^\`timeZone\`: "\\${zone}" is a UTC offset, not an IANA time zone name: name the zone, such as "Asia/Kolkata"`));
  });

  it('still accepts Asia/Kolkata', async () => {
    const res = await api.gql(
      `{ articleTimeline(interval: DAY, from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z", timeZone: "Asia/Kolkata") { total points { start } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.articleTimeline[0].points[0].start).toBe('2026-02-28T18:30:00.000Z');
  });
});

describe('messages of graphql-js and Apollo quote long input briefly too', () => {
  /** Every error of a response has a short message that holds the value's start, cut with an ellipsis. */
  function shortErrors(res: GraphQLResponse, start: string): void {
    expect(res.errors!.length).toBeGreaterThan(0);
    for (const error of res.errors!) expect(error.message.length).toBeLessThan(400);
    expect(res.errors![0].message).toContain(`"${start}`);
    expect(res.errors![0].message).toContain('…"');
  }

  it('a bad variable value (Int, DateTime, an enum)', async () => {
    const value = long('start-of-the-value-');
    shortErrors(await api.gql(`query ($n: Int) { articles(first: $n) { totalCount } }`, { n: value }), 'start-of-the-value-');
    shortErrors(await api.gql(`query ($d: DateTime) { articles(filter: { publishedAfter: $d }) { totalCount } }`, { d: value }), 'start-of-the-value-');
    shortErrors(await api.gql(`query ($b: ArticleDimension!) { articleCounts(by: $b) { count } }`, { b: value }), 'start-of-the-value-');
  });

  it('an unknown field and an unknown enum value written in the query', async () => {
    const name = long('startOfTheField', 'f');
    shortErrors(await api.gql(`{ ${name} }`), 'startOfTheField');
    const value = long('START_OF_THE_VALUE', 'Q');
    shortErrors(await api.gql(`{ articleCounts(by: ${value}) { count } }`), 'START_OF_THE_VALUE');
  });

  it('a value with spaces, which some scalars print unquoted, and an object printed by graphql-js', async () => {
    const spaced = 'a '.repeat(400_000);
    const res = await api.gql(`query ($d: DateTime) { articles(filter: { publishedAfter: $d }) { totalCount } }`, { d: spaced });
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    for (const error of res.errors!) expect(error.message.length).toBeLessThanOrEqual(1001);
    const keys = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key ${i} ${'b '.repeat(2000)}`, 1]));
    const object = await api.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id: keys });
    for (const error of object.errors!) expect(error.message.length).toBeLessThanOrEqual(1001);
  });

  it('a name search longer than 200 characters is refused, without reaching the database', async () => {
    for (const field of ['companies', 'foundations']) {
      const res = await api.gql(`query ($s: String) { ${field}(filter: { search: $s }) { totalCount } }`, { s: 'é'.repeat(25_000) });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: '`filter.search`: at most 200 characters (got 25000)' });
    }
    expect(api.logs.filter((line) => /unable to resolve/.test(line))).toEqual([]);
  });

  it('a syntax error at a long string literal', async () => {
    const res = await api.gql(`{ foundation(slug: "cncf") "${long('start-of-the-literal-', 'z').slice(0, 20_000)}" }`);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.errors![0].message.length).toBeLessThan(300);
    expect(res.errors![0].message).toContain('"start-of-the-literal-');
  });

  it('an unknown path of the HTTP server', async () => {
    const res = await fetch(`${api.server.url}/${long('start-of-the-path-')}`);
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text.length).toBeLessThan(400);
    expect(text).toContain('start-of-the-path-');
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { EXAMPLE_OPERATIONS } from '../../src/graphql/examples';
import { buildApiSchema } from '../../src/graphql/schema';
import { demoStore } from '../helpers/demo';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * The example operations (the explorer's tabs) and every GraphQL block of the README run, without
 * errors, on a database filled from the demo feeds: examples cannot rot as the schema changes.
 */
const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const readmeBlocks = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);

let api: TestServer;

beforeAll(async () => {
  const { store } = await demoStore();
  api = await startTestServer(store);
});

describe('example operations', () => {
  it('the README has GraphQL examples', () => {
    expect(readmeBlocks.length).toBeGreaterThanOrEqual(8);
  });

  it.each([
    ...EXAMPLE_OPERATIONS.map((e) => [`explorer tab "${e.name}"`, e.query, e.variables] as const),
    ...readmeBlocks.map((query, i) => [`README block ${i + 1}`, query, undefined] as const),
  ])('%s runs without errors', async (_, query, variables) => {
    if (/^\s*(#.*\n\s*)*subscription\b/.test(query)) {
      expect(validate(await buildApiSchema(), parse(query))).toEqual([]);
      return;
    }
    const res = await api.gql(query, variables ? JSON.parse(variables) : undefined);
    expect(res.errors).toBeUndefined();
    expect(Object.values(res.data as object).every((v) => v !== null)).toBe(true);
  });
});

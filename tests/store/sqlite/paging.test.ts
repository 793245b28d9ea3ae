import type { PageRequest } from '../../../src/store/paging';
import type { ArticleOrderField } from '../../../src/store/store';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { buildArticle, buildFeed } from '../../helpers/builders';
import { referenceStore } from '../../helpers/fresh-db';

const T0 = Date.UTC(2026, 3, 1);

/** Pages through a whole list with the store, forward or backward, collecting ids. */
async function walk(store: SqliteStore, limit: number, backward: boolean, filter = {}): Promise<number[]> {
  const ids: number[] = [];
  let cursor: readonly (string | number)[] | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await store.listArticles(filter, {
      orderBy: 'PUBLISHED_AT',
      direction: 'DESC',
      limit,
      backward,
      ...(backward ? { before: cursor } : { after: cursor }),
    });
    const pageIds = page.edges.map((e) => e.node.id);
    if (backward) ids.unshift(...pageIds);
    else ids.push(...pageIds);
    const more = backward ? page.hasPreviousPage : page.hasNextPage;
    if (!more) return ids;
    cursor = (backward ? page.edges[0] : page.edges[page.edges.length - 1]).key;
  }
  throw new Error('paging did not end');
}

describe('keyset pagination in the SQLite store', () => {
  let store: SqliteStore;
  let expected: number[];
  let feedA: number;
  let feedB: number;

  beforeAll(async () => {
    store = await referenceStore();
    feedA = buildFeed(store, { foundation: 'cncf' });
    feedB = buildFeed(store, { foundation: 'pytorch-foundation' });
    const rows: { id: number; publishedAt: number }[] = [];
    // 47 articles on only 5 distinct timestamps: most rows tie with others.
    for (let i = 0; i < 47; i++) {
      const publishedAt = T0 + (i % 5) * 3_600_000;
      rows.push({ id: buildArticle(store, i % 2 ? feedA : feedB, { publishedAt }), publishedAt });
    }
    expected = rows.sort((a, b) => b.publishedAt - a.publishedAt || b.id - a.id).map((r) => r.id);
  });

  it.each([1, 7, 10, 47, 100])('pages forward through every row exactly once (page size %i)', async (limit) => {
    expect(await walk(store, limit, false)).toEqual(expected);
  });

  it.each([1, 6, 20])('pages backward through every row exactly once (page size %i)', async (limit) => {
    expect(await walk(store, limit, true)).toEqual(expected);
  });

  it('returns the rows strictly between two cursors', async () => {
    const all = await store.listArticles({}, { orderBy: 'PUBLISHED_AT', direction: 'DESC', limit: 47, backward: false });
    const page = await store.listArticles({}, {
      orderBy: 'PUBLISHED_AT',
      direction: 'DESC',
      limit: 100,
      backward: false,
      after: all.edges[4].key,
      before: all.edges[12].key,
    });
    expect(page.edges.map((e) => e.node.id)).toEqual(expected.slice(5, 12));
  });

  it('orders ascending with the same tiebreak', async () => {
    const page = await store.listArticles({}, { orderBy: 'PUBLISHED_AT', direction: 'ASC', limit: 100, backward: false });
    expect(page.edges.map((e) => e.node.id)).toEqual([...expected].reverse());
  });

  it('gives each parent of a batched (nested) page the same rows as its own page', async () => {
    const request: PageRequest<ArticleOrderField> = { orderBy: 'PUBLISHED_AT', direction: 'DESC', limit: 5, backward: false };
    const [a, b] = await store.listArticlesOf('feed', [feedA, feedB], {}, request);
    const ownA = await store.listArticles({ feedIds: [feedA] }, request);
    const ownB = await store.listArticles({ feedIds: [feedB] }, request);
    expect(a).toEqual(ownA);
    expect(b).toEqual(ownB);
    expect(await store.countArticlesOf('feed', [feedA, feedB], {})).toEqual([{ count: 23, exact: true }, { count: 24, exact: true }]);
  });

  it('refuses a key of the wrong shape rather than paging from the wrong place', async () => {
    await expect(
      store.listArticles({}, { orderBy: 'PUBLISHED_AT', direction: 'DESC', limit: 5, backward: false, after: ['2026', 3] }),
    ).rejects.toThrow('the `after` cursor does not belong to this list and ordering');
  });

  it('seeks with the index instead of sorting or scanning past earlier pages', async () => {
    const statements: string[] = [];
    const probe = await referenceStore({ statements });
    const feed = buildFeed(probe);
    for (let i = 0; i < 3; i++) buildArticle(probe, feed);
    const first = await probe.listArticles({}, { orderBy: 'PUBLISHED_AT', direction: 'DESC', limit: 1, backward: false });
    statements.length = 0;
    await probe.listArticles({}, { orderBy: 'PUBLISHED_AT', direction: 'DESC', limit: 1, backward: false, after: first.edges[0].key });
    // better-sqlite3 reports each statement with its parameters expanded, ready to EXPLAIN.
    const [sql] = statements;
    expect(sql).not.toMatch(/OFFSET/i);
    const plan = (probe.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join('\n');
    expect(plan).toMatch(/USING (COVERING )?INDEX articles_published/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});

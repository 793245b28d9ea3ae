import { readReferenceData } from '../../../src/reference/load';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { REFERENCE_FILE, freshStore } from '../../helpers/fresh-db';

const data = readReferenceData(REFERENCE_FILE);
const TABLES = ['foundations', 'foundation_tiers', 'foundation_aliases', 'companies', 'company_aliases', 'memberships', 'feeds'];

function dump(store: SqliteStore): Record<string, unknown[]> {
  return Object.fromEntries(TABLES.map((t) => [t, store.db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
}

describe('loading reference data', () => {
  it('inserts everything on a fresh database', async () => {
    const store = freshStore();
    const result = await store.loadReferenceData(data);
    expect(result.foundations).toEqual({ inserted: data.foundations.length, updated: 0, unchanged: 0 });
    expect(result.companies.inserted).toBe(data.companies.length);
    expect(result.memberships.inserted).toBe(data.memberships.length);
    expect(result.feeds.inserted).toBe(data.foundations.flatMap((f) => f.feeds).length);
    expect(result.conflicts).toEqual([]);
    const [cncf] = await store.getFoundationsBySlug(['cncf']);
    const [lf] = await store.getFoundationsBySlug(['linux-foundation']);
    expect(cncf?.parentId).toBe(lf?.id);
  });

  it('gives the same rows when loaded twice (and writes nothing the second time)', async () => {
    let clock = 1_000;
    const store = freshStore({ now: () => clock });
    await store.loadReferenceData(data);
    const first = dump(store);
    clock = 2_000;
    const second = await store.loadReferenceData(data);
    expect(dump(store)).toEqual(first);
    expect(second.foundations).toEqual({ inserted: 0, updated: 0, unchanged: data.foundations.length });
    expect(second.memberships).toEqual({ inserted: 0, updated: 0, unchanged: data.memberships.length });
    expect(second.aliases.inserted).toBe(0);
  });

  it('updates by slug and keeps what an operator added', async () => {
    let clock = 1_000;
    const store = freshStore({ now: () => clock });
    await store.loadReferenceData(data);
    store.db.prepare("INSERT INTO companies (slug, name, created_at, updated_at) VALUES ('acme', 'Acme', 5, 5)").run();
    store.db.prepare("INSERT INTO feeds (url, title, origin, created_at, updated_at) VALUES ('https://acme.example/feed', 'Acme', 'operator', 5, 5)").run();
    // An operator re-titled a reference feed: the reference data must not overwrite it.
    store.db.prepare("UPDATE feeds SET title = 'Operator title', origin = 'operator' WHERE url = 'https://pytorch.org/feed/'").run();

    clock = 2_000;
    const renamed = structuredClone(data);
    renamed.foundations.find((f) => f.slug === 'psf')!.name = 'The Python Software Foundation (renamed)';
    const result = await store.loadReferenceData(renamed);

    expect(result.foundations).toEqual({ inserted: 0, updated: 1, unchanged: data.foundations.length - 1 });
    const [psf] = await store.getFoundationsBySlug(['psf']);
    expect(psf).toMatchObject({ name: 'The Python Software Foundation (renamed)', updatedAt: 2_000, createdAt: 1_000 });
    expect((await store.getCompaniesBySlug(['acme']))[0]?.name).toBe('Acme');
    expect(store.db.prepare("SELECT title FROM feeds WHERE url = 'https://pytorch.org/feed/'").pluck().get()).toBe('Operator title');
    expect(store.db.prepare("SELECT COUNT(*) FROM feeds WHERE url = 'https://acme.example/feed'").pluck().get()).toBe(1);
  });

  it('keeps an alias an operator moved to another company, and reports the conflict', async () => {
    const store = freshStore();
    await store.loadReferenceData(data);
    store.db
      .prepare("UPDATE company_aliases SET company_id = (SELECT id FROM companies WHERE slug = 'google') WHERE alias = 'AWS'")
      .run();
    const result = await store.loadReferenceData(data);
    expect(result.conflicts).toEqual(['alias "AWS" of company amazon-web-services belongs to company google']);
    expect(await store.listCompanyAliasesOf([(await store.getCompaniesBySlug(['google']))[0]!.id])).toEqual([
      expect.arrayContaining(['AWS']),
    ]);
  });

  it('changes nothing when the load fails half-way', async () => {
    const store = freshStore();
    await store.loadReferenceData(data);
    const before = dump(store);
    const broken = structuredClone(data);
    broken.foundations[0].name = 'Changed before the failure';
    // A membership whose company is missing violates a NOT NULL constraint after earlier upserts ran.
    broken.memberships.push({ ...broken.memberships[0], company: 'missing-company', statedOn: '2030-01-01' });
    await expect(store.loadReferenceData(broken)).rejects.toThrow(/store: unable to load reference data \(nothing was changed\)/);
    expect(dump(store)).toEqual(before);
  });
});

import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';

let api: TestServer;
beforeAll(async () => {
  api = await startTestServer(await referenceStore());
});

describe('foundations, companies and memberships over HTTP', () => {
  it('lists the PyTorch Foundation\'s six founding members, each with its source', async () => {
    const res = await api.gql(`{
      foundation(slug: "pytorch-foundation") {
        name
        parent { slug }
        memberships(first: 100) {
          totalCount
          nodes { company { slug name } tier joinedOn statedOn source note isActive foundation { slug } }
        }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const foundation = res.data.foundation;
    expect(foundation.parent.slug).toBe('linux-foundation');
    const founding = foundation.memberships.nodes.filter((m: any) => /founding/i.test(m.note ?? ''));
    expect(founding.map((m: any) => m.company.slug).sort()).toEqual(['amazon-web-services', 'amd', 'google', 'meta', 'microsoft', 'nvidia']);
    for (const m of founding) {
      expect(m.source).toMatch(/^https:\/\/\S+$/);
      expect(m.statedOn).toBe('2022-09-01');
      expect(m.foundation.slug).toBe('pytorch-foundation');
      expect(m.isActive).toBe(true);
    }
    const intel = foundation.memberships.nodes.find((m: any) => m.company.slug === 'intel');
    expect(intel.tier).toBe('Premier');
    expect(foundation.memberships.totalCount).toBe(foundation.memberships.nodes.length);
  });

  it('looks foundations and companies up by slug, null for unknown slugs', async () => {
    const res = await api.gql(`{
      cncf: foundation(slug: "cncf") { slug shortName homepage tiers aliases children { slug } parent { slug children { slug } } }
      nope: foundation(slug: "no-such-foundation") { slug }
      aws: company(slug: "amazon-web-services") { name aliases parent { slug } }
      github: company(slug: "github") { parent { slug subsidiaries { slug } } }
      ghost: company(slug: "ghost") { slug }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.cncf).toMatchObject({ slug: 'cncf', shortName: 'CNCF', homepage: 'https://www.cncf.io/', parent: { slug: 'linux-foundation' } });
    expect(res.data.cncf.tiers.slice(0, 2)).toEqual(['Platinum', 'Gold']);
    expect(res.data.cncf.parent.children.map((c: any) => c.slug)).toEqual(expect.arrayContaining(['cncf', 'openssf', 'pytorch-foundation', 'lf-ai-data']));
    expect(res.data.nope).toBeNull();
    expect(res.data.aws.aliases).toEqual(expect.arrayContaining(['AWS', 'Amazon']));
    expect(res.data.github.parent.slug).toBe('microsoft');
    expect(res.data.github.parent.subsidiaries.map((c: any) => c.slug)).toContain('github');
    expect(res.data.ghost).toBeNull();
  });

  it('filters foundations by search, parent and top level', async () => {
    const res = await api.gql(`{
      search: foundations(filter: { search: "cloud native" }) { nodes { slug } }
      byAlias: foundations(filter: { search: "CNCF" }) { nodes { slug } }
      lf: foundations(filter: { parents: ["linux-foundation"] }, first: 100) { totalCount nodes { slug parent { slug } } }
      top: foundations(filter: { topLevel: true }, first: 100) { nodes { parent { slug } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.search.nodes).toEqual([{ slug: 'cncf' }]);
    expect(res.data.byAlias.nodes).toEqual([{ slug: 'cncf' }]);
    expect(res.data.lf.nodes.every((f: any) => f.parent.slug === 'linux-foundation')).toBe(true);
    expect(res.data.lf.totalCount).toBeGreaterThanOrEqual(4);
    expect(res.data.top.nodes.every((f: any) => f.parent === null)).toBe(true);
  });

  it('filters companies by search (names and aliases), foundation, tier and date', async () => {
    const res = await api.gql(`{
      aws: companies(filter: { search: "aws" }) { nodes { slug } }
      cncfPlatinum: companies(filter: { foundations: ["cncf"], tiers: ["platinum"] }, first: 100) { totalCount nodes { slug } }
      rust2020: companies(filter: { foundations: ["rust-foundation"], activeOn: "2020-06-01" }) { totalCount }
      rust2022: companies(filter: { foundations: ["rust-foundation"], activeOn: "2022-06-01" }, first: 100) { nodes { slug } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.aws.nodes).toEqual([{ slug: 'amazon-web-services' }]);
    expect(res.data.cncfPlatinum.totalCount).toBeGreaterThanOrEqual(17);
    expect(res.data.cncfPlatinum.nodes.map((c: any) => c.slug)).toEqual(expect.arrayContaining(['apple', 'adyen', 'google', 'nvidia']));
    expect(res.data.rust2020.totalCount).toBe(0);
    expect(res.data.rust2022.nodes.map((c: any) => c.slug)).toEqual(
      expect.arrayContaining(['amazon-web-services', 'google', 'huawei', 'microsoft', 'mozilla']),
    );
  });

  it('filters memberships by foundations, companies, tiers and activeOn, all together', async () => {
    const res = await api.gql(`{
      all: memberships(filter: { companies: ["google"] }, first: 100) { totalCount nodes { foundation { slug } } }
      narrow: memberships(filter: { companies: ["google", "microsoft"], foundations: ["rust-foundation"], tiers: ["Platinum"], activeOn: "2021-03-01" }) {
        totalCount nodes { company { slug } tier }
      }
      nested: company(slug: "microsoft") { memberships(filter: { foundations: ["cncf"] }, orderBy: { field: STATED_ON, direction: DESC }) { nodes { statedOn foundation { slug } } } }
      foundationTier: foundation(slug: "cncf") { memberships(filter: { tiers: ["Gold"] }, first: 100) { totalCount nodes { tier } } }
    }`);
    expect(res.errors).toBeUndefined();
    const googleFoundations = res.data.all.nodes.map((m: any) => m.foundation.slug);
    expect(googleFoundations).toEqual(expect.arrayContaining(['cncf', 'pytorch-foundation', 'rust-foundation', 'openssf']));
    expect(res.data.narrow.nodes).toEqual([
      { company: { slug: 'google' }, tier: 'Platinum' },
      { company: { slug: 'microsoft' }, tier: 'Platinum' },
    ]);
    const dates = res.data.nested.memberships.nodes.map((m: any) => m.statedOn);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(res.data.nested.memberships.nodes.every((m: any) => m.foundation.slug === 'cncf')).toBe(true);
    expect(res.data.foundationTier.memberships.totalCount).toBe(17);
    expect(res.data.foundationTier.memberships.nodes.every((m: any) => m.tier === 'Gold')).toBe(true);
  });

  it('batches nested connections: every company of a page gets its own memberships', async () => {
    const res = await api.gql(`{
      companies(first: 30) { nodes { slug memberships(first: 10) { totalCount nodes { company { slug } } } } }
    }`);
    expect(res.errors).toBeUndefined();
    for (const company of res.data.companies.nodes) {
      expect(company.memberships.nodes.every((m: any) => m.company.slug === company.slug)).toBe(true);
      expect(company.memberships.totalCount).toBeGreaterThanOrEqual(company.memberships.nodes.length);
      expect(company.memberships.nodes.length).toBe(Math.min(10, company.memberships.totalCount));
    }
    expect(res.data.companies.nodes.some((c: any) => c.memberships.totalCount > 1)).toBe(true);
  });
});

import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { buildArticle, buildFeed } from '../helpers/builders';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1);

let api: TestServer;
let store: SqliteStore;
const ids: Record<string, number> = {};

beforeAll(async () => {
  store = await referenceStore();
  const cncfFeed = buildFeed(store, { foundation: 'cncf', url: 'https://www.cncf.io/test-feed/' });
  const pytorchFeed = buildFeed(store, { foundation: 'pytorch-foundation', url: 'https://pytorch.org/test-feed/' });
  const plainFeed = buildFeed(store, { foundation: null, url: 'https://example.org/independent.xml' });
  ids.cncfFeed = cncfFeed;
  ids.pytorchFeed = pytorchFeed;
  ids.plainFeed = plainFeed;
  ids.kubecon = buildArticle(store, cncfFeed, { title: 'KubeCon recap', publishedAt: T0, companies: ['google', 'microsoft'] });
  ids.pytorchConf = buildArticle(store, pytorchFeed, { title: 'PyTorch Conference', publishedAt: T0 + DAY, companies: ['meta'] });
  // Mentions CNCF from a feed that is not CNCF's: it belongs to CNCF too.
  ids.mention = buildArticle(store, plainFeed, { title: 'Independent take on CNCF', publishedAt: T0 + 2 * DAY, foundations: ['cncf'] });
  ids.old = buildArticle(store, cncfFeed, { title: 'Old news', publishedAt: T0 - 30 * DAY });
  // Mentions its own feed's foundation as well: listed once.
  ids.both = buildArticle(store, pytorchFeed, { title: 'PyTorch and CNCF', publishedAt: T0 + 3 * DAY, foundations: ['pytorch-foundation', 'cncf'], companies: ['nvidia'] });
  api = await startTestServer(store);
});

const titles = (connection: any) => connection.nodes.map((a: any) => a.title);

describe('articles over HTTP', () => {
  it('lists articles newest first with their feed, foundations and companies', async () => {
    const res = await api.gql(`{
      articles { totalCount nodes { id title url canonicalUrl publishedAt publishedAtSource fetchedAt
        feed { url foundation { slug } } foundations { slug } companies { slug } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(titles(res.data.articles)).toEqual(['PyTorch and CNCF', 'Independent take on CNCF', 'PyTorch Conference', 'KubeCon recap', 'Old news']);
    const [both, mention, , kubecon] = res.data.articles.nodes;
    expect(both.foundations.map((f: any) => f.slug)).toEqual(['pytorch-foundation', 'cncf']);
    expect(mention.foundations.map((f: any) => f.slug)).toEqual(['cncf']);
    expect(mention.feed.foundation).toBeNull();
    expect(kubecon.companies.map((c: any) => c.slug).sort()).toEqual(['google', 'microsoft']);
    expect(kubecon).toMatchObject({ publishedAt: new Date(T0).toISOString(), publishedAtSource: 'PUBLISHED' });
    expect(res.data.articles.totalCount).toBe(5);
  });

  it('matches a foundation through its feeds or a mention', async () => {
    const res = await api.gql(`{
      cncf: articles(filter: { foundations: ["cncf"] }) { totalCount nodes { title } }
      nested: foundation(slug: "cncf") { articles { totalCount nodes { title } } }
      lf: articles(filter: { foundations: ["linux-foundation"] }) { totalCount }
    }`);
    expect(res.errors).toBeUndefined();
    expect(titles(res.data.cncf)).toEqual(['PyTorch and CNCF', 'Independent take on CNCF', 'KubeCon recap', 'Old news']);
    expect(res.data.nested.articles).toEqual(res.data.cncf);
    // Subfoundations are not included unless asked (a later filter option).
    expect(res.data.lf.totalCount).toBe(0);
  });

  it('filters by companies, feeds and publication dates, combining filters with AND', async () => {
    const feedId = (await api.gql(`{ feeds(filter: { foundations: ["cncf"] }, first: 100) { nodes { id url } } }`)).data.feeds.nodes.find(
      (f: any) => f.url === 'https://www.cncf.io/test-feed/',
    ).id;
    const res = await api.gql(
      `query ($feed: ID!, $from: DateTime!, $to: DateTime!) {
        meta: articles(filter: { companies: ["meta", "nvidia"] }) { nodes { title } }
        feed: articles(filter: { feeds: [$feed] }) { nodes { title } }
        range: articles(filter: { publishedAfter: $from, publishedBefore: $to }) { nodes { title } }
        combined: articles(filter: { foundations: ["cncf"], publishedAfter: $from, companies: ["google"] }) { nodes { title } }
        company: company(slug: "google") { articles { nodes { title } } }
      }`,
      { feed: feedId, from: new Date(T0).toISOString(), to: new Date(T0 + 2 * DAY).toISOString() },
    );
    expect(res.errors).toBeUndefined();
    expect(titles(res.data.meta)).toEqual(['PyTorch and CNCF', 'PyTorch Conference']);
    expect(titles(res.data.feed)).toEqual(['KubeCon recap', 'Old news']);
    // publishedAfter is inclusive, publishedBefore exclusive.
    expect(titles(res.data.range)).toEqual(['PyTorch Conference', 'KubeCon recap']);
    expect(titles(res.data.combined)).toEqual(['KubeCon recap']);
    expect(titles(res.data.company.articles)).toEqual(['KubeCon recap']);
  });

  it('orders by fetch time or oldest first when asked', async () => {
    const res = await api.gql(`{
      oldest: articles(orderBy: { direction: ASC }) { nodes { title } }
      fetched: articles(orderBy: { field: FETCHED_AT }, first: 1) { nodes { title } }
    }`);
    expect(titles(res.data.oldest)[0]).toBe('Old news');
    expect(titles(res.data.fetched)).toEqual(['PyTorch and CNCF']);
  });

  it('shows feeds with their status, foundation, article count and articles', async () => {
    const res = await api.gql(`{
      feeds(filter: { foundations: ["pytorch-foundation"] }, first: 100) {
        nodes { url title status errorCount lastError lastFetchedAt nextFetchAt foundation { slug } articleCount articles(first: 1) { nodes { title } } }
      }
      fresh: feeds(filter: { statuses: [NEW] }) { totalCount }
      failing: feeds(filter: { statuses: [FAILING] }) { totalCount }
      lf: foundation(slug: "linux-foundation") { feeds(first: 100) { totalCount nodes { url } } }
    }`);
    expect(res.errors).toBeUndefined();
    const test = res.data.feeds.nodes.find((f: any) => f.url === 'https://pytorch.org/test-feed/');
    expect(test).toMatchObject({ status: 'NEW', errorCount: 0, lastError: null, lastFetchedAt: null, articleCount: 2, foundation: { slug: 'pytorch-foundation' } });
    expect(titles(test.articles)).toEqual(['PyTorch and CNCF']);
    const reference = res.data.feeds.nodes.find((f: any) => f.url === 'https://pytorch.org/feed/');
    expect(reference).toMatchObject({ status: 'NEW', articleCount: 0 });
    expect(res.data.fresh.totalCount).toBeGreaterThan(20);
    expect(res.data.failing.totalCount).toBe(0);
    expect(res.data.lf.feeds.nodes.map((f: any) => f.url)).toContain('https://www.linuxfoundation.org/feed/');
  });

  it('derives FAILING and DISABLED from the fetch state', async () => {
    store.db.prepare("UPDATE feeds SET last_fetched_at = 1, error_count = 2, last_error = 'fetch: HTTP 500' WHERE id = ?").run(ids.plainFeed);
    const res = await api.gql(`{ feeds(filter: { statuses: [FAILING] }) { nodes { url status errorCount lastError } } }`);
    expect(res.data.feeds.nodes).toEqual([
      { url: 'https://example.org/independent.xml', status: 'FAILING', errorCount: 2, lastError: 'fetch: HTTP 500' },
    ]);
    store.db.prepare('UPDATE feeds SET disabled_at = 2 WHERE id = ?').run(ids.plainFeed);
    const disabled = await api.gql(`{ feeds(filter: { statuses: [DISABLED] }) { nodes { url status nextFetchAt } } }`);
    expect(disabled.data.feeds.nodes).toEqual([{ url: 'https://example.org/independent.xml', status: 'DISABLED', nextFetchAt: null }]);
    store.db.prepare('UPDATE feeds SET disabled_at = NULL, last_fetched_at = NULL, error_count = 0, last_error = NULL WHERE id = ?').run(ids.plainFeed);
  });

  it('fetches any object again by its global id with node, nodes and article', async () => {
    const listed = await api.gql(`{
      articles(first: 1) { nodes { id title feed { id url } foundations { id slug } companies { id slug } } }
      memberships(first: 1) { nodes { id tier } }
    }`);
    const article = listed.data.articles.nodes[0];
    const membership = listed.data.memberships.nodes[0];
    const res = await api.gql(
      `query ($ids: [ID!]!, $article: ID!) {
        nodes(ids: $ids) {
          __typename id
          ... on Article { title }
          ... on Feed { url }
          ... on Foundation { slug }
          ... on Company { slug }
          ... on Membership { tier }
        }
        node(id: $article) { id ... on Article { title } }
        article(id: $article) { title }
      }`,
      { ids: [article.id, article.feed.id, article.foundations[0].id, article.companies[0].id, membership.id], article: article.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes).toEqual([
      { __typename: 'Article', id: article.id, title: article.title },
      { __typename: 'Feed', id: article.feed.id, url: article.feed.url },
      { __typename: 'Foundation', id: article.foundations[0].id, slug: article.foundations[0].slug },
      { __typename: 'Company', id: article.companies[0].id, slug: article.companies[0].slug },
      { __typename: 'Membership', id: membership.id, tier: membership.tier },
    ]);
    expect(res.data.node).toEqual({ id: article.id, title: article.title });
    expect(res.data.article).toEqual({ title: article.title });
  });

  it('answers null for ids of objects that do not exist', async () => {
    const gone = Buffer.from('Article:999999').toString('base64url');
    const res = await api.gql(`query ($id: ID!) { node(id: $id) { id } article(id: $id) { id } nodes(ids: [$id]) { id } }`, { id: gone });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ node: null, article: null, nodes: [null] });
  });
});

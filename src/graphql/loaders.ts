import DataLoader from 'dataloader';
import type { PageRequest } from '../store/paging';
import type { ArticleFilter, ArticleOrderField, ArticleParent, FeedFilter, MembershipFilter, MembershipParent, Store } from '../store/store';

/**
 * A loader for nested connections (`foundations { memberships(...) }`): keys that share the same
 * arguments are grouped, and each group is one store call for all its parents.
 */
function groupedLoader<Args, Result>(load: (args: Args, parentIds: number[]) => Promise<Result[]>) {
  return new DataLoader<{ parentId: number; args: Args }, Result, string>(
    async (keys) => {
      const groups = new Map<string, { args: Args; parentIds: number[]; positions: number[] }>();
      keys.forEach((key, position) => {
        const signature = JSON.stringify(key.args);
        let group = groups.get(signature);
        if (!group) groups.set(signature, (group = { args: key.args, parentIds: [], positions: [] }));
        group.parentIds.push(key.parentId);
        group.positions.push(position);
      });
      const results = new Array<Result>(keys.length);
      for (const group of groups.values()) {
        const groupResults = await load(group.args, group.parentIds);
        group.positions.forEach((position, i) => (results[position] = groupResults[i]));
      }
      return results;
    },
    { cacheKeyFn: (key) => `${JSON.stringify(key.args)}#${key.parentId}` },
  );
}

/**
 * The DataLoaders a request may use, each made from the store: every relation is fetched in batches
 * (one query per relation and page of results, not one per row) and cached for the rest of the
 * request only.
 */
const LOADERS = {
  foundation: (store: Store) => new DataLoader((ids: readonly number[]) => store.getFoundations(ids)),
  foundationBySlug: (store: Store) => new DataLoader((slugs: readonly string[]) => store.getFoundationsBySlug(slugs)),
  childFoundations: (store: Store) => new DataLoader((ids: readonly number[]) => store.listChildFoundationsOf(ids)),
  tiers: (store: Store) => new DataLoader((ids: readonly number[]) => store.listTiersOf(ids)),
  foundationAliases: (store: Store) => new DataLoader((ids: readonly number[]) => store.listFoundationAliasesOf(ids)),

  company: (store: Store) => new DataLoader((ids: readonly number[]) => store.getCompanies(ids)),
  companyBySlug: (store: Store) => new DataLoader((slugs: readonly string[]) => store.getCompaniesBySlug(slugs)),
  subsidiaries: (store: Store) => new DataLoader((ids: readonly number[]) => store.listSubsidiariesOf(ids)),
  companyAliases: (store: Store) => new DataLoader((ids: readonly number[]) => store.listCompanyAliasesOf(ids)),

  membership: (store: Store) => new DataLoader((ids: readonly number[]) => store.getMemberships(ids)),
  membershipsOf: (store: Store) => groupedLoader(
    (args: { parent: MembershipParent; filter: MembershipFilter; page: PageRequest<'COMPANY_NAME' | 'STATED_ON'> }, ids) =>
      store.listMembershipsOf(args.parent, ids, args.filter, args.page),
  ),
  membershipCountOf: (store: Store) => groupedLoader((args: { parent: MembershipParent; filter: MembershipFilter }, ids) =>
    store.countMembershipsOf(args.parent, ids, args.filter),
  ),

  feed: (store: Store) => new DataLoader((ids: readonly number[]) => store.getFeeds(ids)),
  feedsOf: (store: Store) => groupedLoader((args: { filter: FeedFilter; page: PageRequest<'URL' | 'CREATED_AT'> }, ids) =>
    store.listFeedsOf(ids, args.filter, args.page),
  ),
  feedCountOf: (store: Store) => groupedLoader((args: { filter: FeedFilter }, ids) => store.countFeedsOf(ids, args.filter)),
  articleCountOfFeed: (store: Store) => new DataLoader((ids: readonly number[]) => store.countArticlesOfFeeds(ids)),

  article: (store: Store) => new DataLoader((ids: readonly number[]) => store.getArticles(ids)),
  articlesOf: (store: Store) => groupedLoader(
    (args: { parent: ArticleParent; filter: ArticleFilter; page: PageRequest<ArticleOrderField> }, ids) =>
      store.listArticlesOf(args.parent, ids, args.filter, args.page),
  ),
  articleCountOf: (store: Store) => groupedLoader((args: { parent: ArticleParent; filter: ArticleFilter }, ids) =>
    store.countArticlesOf(args.parent, ids, args.filter),
  ),
  foundationLinks: (store: Store) => new DataLoader((ids: readonly number[]) => store.listFoundationLinksOf(ids)),
  enclosures: (store: Store) => new DataLoader((ids: readonly number[]) => store.listEnclosuresOf(ids)),
  story: (store: Store) => new DataLoader((ids: readonly number[]) => store.listStoryArticlesOf(ids)),
  coMentioned: (store: Store) => groupedLoader((limit: number, ids) => store.listCoMentionedCompaniesOf(ids, limit)),
  recentFetches: (store: Store) => groupedLoader((limit: number, ids) => store.listRecentFetchesOf(ids, limit)),
  companyMentions: (store: Store) => new DataLoader((ids: readonly number[]) => store.listCompanyMentionsOf(ids)),
};

export type Loaders = { readonly [Name in keyof typeof LOADERS]: ReturnType<(typeof LOADERS)[Name]> };

/**
 * The loaders of one request, each made when a resolver first asks for it: a request uses a few of
 * them, and making all of them on every request was measurable.
 */
const STORE = Symbol('store');
class RequestLoaders {
  readonly [STORE]: Store;
  constructor(store: Store) {
    this[STORE] = store;
  }
}
for (const [name, make] of Object.entries(LOADERS) as [keyof typeof LOADERS, (store: Store) => unknown][]) {
  Object.defineProperty(RequestLoaders.prototype, name, {
    get(this: RequestLoaders) {
      const loader = make(this[STORE]);
      Object.defineProperty(this, name, { value: loader, enumerable: true });
      return loader;
    },
  });
}

export function createLoaders(store: Store): Loaders {
  return new RequestLoaders(store) as unknown as Loaders;
}

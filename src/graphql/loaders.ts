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
 * The DataLoaders of one request: every relation is fetched in batches (one query per relation and
 * page of results, not one per row) and cached for the rest of the request only.
 */
export function createLoaders(store: Store) {
  return {
    foundation: new DataLoader((ids: readonly number[]) => store.getFoundations(ids)),
    foundationBySlug: new DataLoader((slugs: readonly string[]) => store.getFoundationsBySlug(slugs)),
    childFoundations: new DataLoader((ids: readonly number[]) => store.listChildFoundationsOf(ids)),
    tiers: new DataLoader((ids: readonly number[]) => store.listTiersOf(ids)),
    foundationAliases: new DataLoader((ids: readonly number[]) => store.listFoundationAliasesOf(ids)),

    company: new DataLoader((ids: readonly number[]) => store.getCompanies(ids)),
    companyBySlug: new DataLoader((slugs: readonly string[]) => store.getCompaniesBySlug(slugs)),
    subsidiaries: new DataLoader((ids: readonly number[]) => store.listSubsidiariesOf(ids)),
    companyAliases: new DataLoader((ids: readonly number[]) => store.listCompanyAliasesOf(ids)),

    membership: new DataLoader((ids: readonly number[]) => store.getMemberships(ids)),
    membershipsOf: groupedLoader(
      (args: { parent: MembershipParent; filter: MembershipFilter; page: PageRequest<'COMPANY_NAME' | 'STATED_ON'> }, ids) =>
        store.listMembershipsOf(args.parent, ids, args.filter, args.page),
    ),
    membershipCountOf: groupedLoader((args: { parent: MembershipParent; filter: MembershipFilter }, ids) =>
      store.countMembershipsOf(args.parent, ids, args.filter),
    ),

    feed: new DataLoader((ids: readonly number[]) => store.getFeeds(ids)),
    feedsOf: groupedLoader((args: { filter: FeedFilter; page: PageRequest<'URL' | 'CREATED_AT'> }, ids) =>
      store.listFeedsOf(ids, args.filter, args.page),
    ),
    feedCountOf: groupedLoader((args: { filter: FeedFilter }, ids) => store.countFeedsOf(ids, args.filter)),
    articleCountOfFeed: new DataLoader((ids: readonly number[]) => store.countArticlesOfFeeds(ids)),

    article: new DataLoader((ids: readonly number[]) => store.getArticles(ids)),
    articlesOf: groupedLoader(
      (args: { parent: ArticleParent; filter: ArticleFilter; page: PageRequest<ArticleOrderField> }, ids) =>
        store.listArticlesOf(args.parent, ids, args.filter, args.page),
    ),
    articleCountOf: groupedLoader((args: { parent: ArticleParent; filter: ArticleFilter }, ids) =>
      store.countArticlesOf(args.parent, ids, args.filter),
    ),
    foundationLinks: new DataLoader((ids: readonly number[]) => store.listFoundationLinksOf(ids)),
    enclosures: new DataLoader((ids: readonly number[]) => store.listEnclosuresOf(ids)),
    story: new DataLoader((ids: readonly number[]) => store.listStoryArticlesOf(ids)),
    coMentioned: groupedLoader((limit: number, ids) => store.listCoMentionedCompaniesOf(ids, limit)),
    recentFetches: groupedLoader((limit: number, ids) => store.listRecentFetchesOf(ids, limit)),
    companyMentions: new DataLoader((ids: readonly number[]) => store.listCompanyMentionsOf(ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

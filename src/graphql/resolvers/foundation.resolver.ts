import { Arg, Args, Ctx, Extensions, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { CostHints } from '../limits';
import type { Context } from '../context';
import { toArticleFilter, toFeedFilter, toFoundationFilter, toMembershipFilter } from '../filters';
import { ArticleOrder } from '../inputs/article.input';
import { FeedOrder } from '../inputs/feed.input';
import { FoundationOrder } from '../inputs/foundation.input';
import { MembershipOrder } from '../inputs/membership.input';
import { resolveConnection } from '../relay/connection';
import { resolveArticleConnection } from './article-connection';
import { Article } from '../types/article.type';
import { ArticleConnection, FeedConnection, FoundationConnection, MembershipConnection } from '../types/connections';
import { Feed } from '../types/feed.type';
import { Foundation } from '../types/foundation.type';
import { Membership } from '../types/membership.type';
import { ArticlesArgs, FeedsArgs, FoundationMembershipsArgs, FoundationsArgs } from './args';

@Resolver(() => Foundation)
export class FoundationResolver {
  @Query(() => FoundationConnection, { description: 'All foundations, by name unless `orderBy` says otherwise.' })
  async foundations(@Args() args: FoundationsArgs, @Ctx() ctx: Context): Promise<FoundationConnection> {
    const filter = await toFoundationFilter(ctx, args.filter);
    return resolveConnection(
      FoundationConnection,
      args,
      args.orderBy ?? new FoundationOrder(),
      Foundation.from,
      (page) => ctx.store.listFoundations(filter, page),
      () => ctx.store.countFoundations(filter),
    );
  }

  @Query(() => Foundation, { nullable: true, description: 'The foundation with this slug; null when there is none.' })
  async foundation(
    @Arg('slug', { description: 'The foundation\'s slug, e.g. "cncf".' }) slug: string,
    @Ctx() ctx: Context,
  ): Promise<Foundation | null> {
    const record = await ctx.loaders.foundationBySlug.load(slug);
    return record && Foundation.from(record);
  }

  @FieldResolver(() => Foundation, { nullable: true, description: 'The foundation that hosts this one (CNCF\'s is the Linux Foundation); null for independent foundations.' })
  async parent(@Root() foundation: Foundation, @Ctx() ctx: Context): Promise<Foundation | null> {
    if (foundation.parentId === null) return null;
    const record = await ctx.loaders.foundation.load(foundation.parentId);
    return record && Foundation.from(record);
  }

  @Extensions({ cost: { listSize: 20 } satisfies CostHints })
  @FieldResolver(() => [Foundation], { description: 'The foundations this one hosts, by name.' })
  async children(@Root() foundation: Foundation, @Ctx() ctx: Context): Promise<Foundation[]> {
    return (await ctx.loaders.childFoundations.load(foundation.rowId)).map(Foundation.from);
  }

  @FieldResolver(() => [String], { description: 'The membership tiers this foundation offers, highest first (e.g. ["Platinum", "Gold", "Silver"]).' })
  tiers(@Root() foundation: Foundation, @Ctx() ctx: Context): Promise<string[]> {
    return ctx.loaders.tiers.load(foundation.rowId);
  }

  @FieldResolver(() => [String], { description: 'Other names by which articles mention this foundation (e.g. "CNCF").' })
  aliases(@Root() foundation: Foundation, @Ctx() ctx: Context): Promise<string[]> {
    return ctx.loaders.foundationAliases.load(foundation.rowId);
  }

  @FieldResolver(() => MembershipConnection, { description: 'The recorded memberships of this foundation, by company name unless `orderBy` says otherwise.' })
  async memberships(
    @Root() foundation: Foundation,
    @Args() args: FoundationMembershipsArgs,
    @Ctx() ctx: Context,
  ): Promise<MembershipConnection> {
    const filter = await toMembershipFilter(ctx, args.filter);
    const parentId = foundation.rowId;
    return resolveConnection(
      MembershipConnection,
      args,
      args.orderBy ?? new MembershipOrder(),
      Membership.from,
      (page) => ctx.loaders.membershipsOf.load({ parentId, args: { parent: 'foundation', filter, page } }),
      () => ctx.loaders.membershipCountOf.load({ parentId, args: { parent: 'foundation', filter } }),
    );
  }

  @FieldResolver(() => FeedConnection, { description: 'The news feeds of this foundation.' })
  async feeds(@Root() foundation: Foundation, @Args() args: FeedsArgs, @Ctx() ctx: Context): Promise<FeedConnection> {
    const filter = await toFeedFilter(ctx, args.filter);
    const parentId = foundation.rowId;
    return resolveConnection(
      FeedConnection,
      args,
      args.orderBy ?? new FeedOrder(),
      Feed.from,
      (page) => ctx.loaders.feedsOf.load({ parentId, args: { filter, page } }),
      () => ctx.loaders.feedCountOf.load({ parentId, args: { filter } }),
    );
  }

  @FieldResolver(() => ArticleConnection, { description: 'Articles of this foundation: from its feeds, or mentioning it. Newest first unless `orderBy` says otherwise.' })
  async articles(@Root() foundation: Foundation, @Args() args: ArticlesArgs, @Ctx() ctx: Context): Promise<ArticleConnection> {
    const filter = await toArticleFilter(ctx, args.filter);
    const parentId = foundation.rowId;
    return resolveArticleConnection(
      args,
      args.orderBy ?? new ArticleOrder(),
      (page) => ctx.loaders.articlesOf.load({ parentId, args: { parent: 'foundation', filter, page } }),
      () => ctx.loaders.articleCountOf.load({ parentId, args: { parent: 'foundation', filter } }),
    );
  }
}

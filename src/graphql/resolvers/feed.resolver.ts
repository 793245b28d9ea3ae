import { Arg, Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { checkFirst } from '../errors';
import { FetchAttempt } from '../types/fetch-attempt.type';
import type { Context } from '../context';
import { toArticleFilter, toFeedFilter } from '../filters';
import { ArticleOrder } from '../inputs/article.input';
import { FeedOrder } from '../inputs/feed.input';
import { resolveConnection } from '../relay/connection';
import { resolveArticleConnection } from './article-connection';
import { Article } from '../types/article.type';
import { ArticleConnection, FeedConnection } from '../types/connections';
import { Feed } from '../types/feed.type';
import { Foundation } from '../types/foundation.type';
import { ArticlesArgs, FeedsArgs } from './args';

@Resolver(() => Feed)
export class FeedResolver {
  @Query(() => FeedConnection, { description: 'The feeds Foundation Wire fetches, with their health. By URL unless `orderBy` says otherwise.' })
  async feeds(@Args() args: FeedsArgs, @Ctx() ctx: Context): Promise<FeedConnection> {
    const filter = await toFeedFilter(ctx, args.filter);
    return resolveConnection(
      FeedConnection,
      args,
      args.orderBy ?? new FeedOrder(),
      Feed.from,
      (page) => ctx.store.listFeeds(filter, page),
      () => ctx.store.countFeeds(filter),
    );
  }

  @FieldResolver(() => Foundation, { nullable: true, description: 'The foundation whose news this feed carries; null for feeds not tied to one.' })
  async foundation(@Root() feed: Feed, @Ctx() ctx: Context): Promise<Foundation | null> {
    if (feed.foundationId === null) return null;
    const record = await ctx.loaders.foundation.load(feed.foundationId);
    return record && Foundation.from(record);
  }

  @FieldResolver(() => Int, { description: 'How many articles of this feed are stored.' })
  articleCount(@Root() feed: Feed, @Ctx() ctx: Context): Promise<number> {
    return ctx.loaders.articleCountOfFeed.load(feed.rowId);
  }

  @FieldResolver(() => [FetchAttempt], { description: 'The latest fetch attempts of this feed, newest first.' })
  async recentFetches(
    @Root() feed: Feed,
    @Arg('first', () => Int, { defaultValue: 10, description: 'How many attempts, newest first (1 to 100).' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<FetchAttempt[]> {
    checkFirst(first, 100);
    return (await ctx.loaders.recentFetches.load({ parentId: feed.rowId, args: first })).map(FetchAttempt.from);
  }

  @FieldResolver(() => ArticleConnection, { description: 'Articles of this feed, newest first unless `orderBy` says otherwise.' })
  async articles(@Root() feed: Feed, @Args() args: ArticlesArgs, @Ctx() ctx: Context): Promise<ArticleConnection> {
    const filter = await toArticleFilter(ctx, args.filter);
    const parentId = feed.rowId;
    return resolveArticleConnection(
      args,
      args.orderBy ?? new ArticleOrder(),
      (page) => ctx.loaders.articlesOf.load({ parentId, args: { parent: 'feed', filter, page } }),
      () => ctx.loaders.articleCountOf.load({ parentId, args: { parent: 'feed', filter } }),
    );
  }
}

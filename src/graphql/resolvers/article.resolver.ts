import { Arg, Args, Ctx, Extensions, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { CostHints } from '../limits';
import type { ArticleRecord } from '../../store/types';
import { ArticleFilter } from '../inputs/article.input';
import type { Context } from '../context';
import { badInput } from '../errors';
import { toArticleFilter } from '../filters';
import { ArticleOrder } from '../inputs/article.input';
import { resolveConnection } from '../relay/connection';
import { rowIdOf } from '../relay/global-id';
import { Article } from '../types/article.type';
import { Company } from '../types/company.type';
import { Enclosure } from '../types/enclosure.type';
import { ArticleConnection } from '../types/connections';
import { Feed } from '../types/feed.type';
import { Foundation } from '../types/foundation.type';
import { resolveArticleConnection } from './article-connection';
import { ArticlesArgs } from './args';

@Resolver(() => Article)
export class ArticleResolver {
  @Query(() => ArticleConnection, { description: 'Articles from all feeds, newest first unless `orderBy` says otherwise.' })
  async articles(@Args() args: ArticlesArgs, @Ctx() ctx: Context): Promise<ArticleConnection> {
    const filter = await toArticleFilter(ctx, args.filter);
    return resolveArticleConnection(
      args,
      args.orderBy ?? new ArticleOrder(),
      (page) => ctx.store.listArticles(filter, page),
      () => ctx.store.countArticles(filter),
    );
  }

  @Subscription(() => Article, {
    description:
      'Each article stored from now on that matches the filter (search included), within a second of being stored, whichever process stored it. Over the graphql-ws protocol on this endpoint.',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      if (!ctx.live) throw badInput('live updates are not available on this server');
      return ctx.live.subscribe(await toArticleFilter(ctx, (args as { filter?: ArticleFilter | null }).filter));
    },
  })
  articleAdded(
    @Root() record: ArticleRecord,
    @Arg('filter', () => ArticleFilter, { nullable: true, description: 'Only articles that match (the same filter as `articles`).' })
    _filter: ArticleFilter | null,
  ): Article {
    return Article.from(record);
  }

  @Query(() => Article, { nullable: true, description: 'The article with this id; null when there is none.' })
  async article(@Arg('id', () => ID, { description: 'The article\'s `id`.' }) id: string, @Ctx() ctx: Context): Promise<Article | null> {
    const record = await ctx.loaders.article.load(rowIdOf(id, 'Article', 'id'));
    return record && Article.from(record);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The full content as sanitized HTML (no scripts, styles, event handlers or tracking pixels).' })
  async contentHtml(@Root() article: Article, @Ctx() ctx: Context): Promise<string | null> {
    return (await bodyOf(article, ctx)).html;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The full content as plain text (what full-text search reads).' })
  async contentText(@Root() article: Article, @Ctx() ctx: Context): Promise<string | null> {
    return (await bodyOf(article, ctx)).text;
  }

  @FieldResolver(() => Feed, { description: 'The feed the article came from.' })
  async feed(@Root() article: Article, @Ctx() ctx: Context): Promise<Feed> {
    return Feed.from((await ctx.loaders.feed.load(article.feedId))!);
  }

  @Extensions({ cost: { listSize: 5 } satisfies CostHints })
  @FieldResolver(() => [Foundation], { description: 'The foundation of the article\'s feed, then the other foundations it mentions (most mentioned first).' })
  async foundations(@Root() article: Article, @Ctx() ctx: Context): Promise<Foundation[]> {
    const links = await ctx.loaders.foundationLinks.load(article.rowId);
    const records = await ctx.loaders.foundation.loadMany(links.map((link) => link.foundationId));
    return records.flatMap((record) => (record && !(record instanceof Error) ? [Foundation.from(record)] : []));
  }

  @Extensions({ cost: { listSize: 10 } satisfies CostHints })
  @FieldResolver(() => [Article], {
    description: 'The same story from other feeds: the articles with the same `canonicalUrl`, oldest first (the first one stored is the story\'s origin).',
  })
  async story(@Root() article: Article, @Ctx() ctx: Context): Promise<Article[]> {
    return (await ctx.loaders.story.load(article.rowId)).map(Article.from);
  }

  @Extensions({ cost: { listSize: 5 } satisfies CostHints })
  @FieldResolver(() => [Enclosure], { description: 'Files attached to the article by its feed, in feed order.' })
  async enclosures(@Root() article: Article, @Ctx() ctx: Context): Promise<Enclosure[]> {
    return (await ctx.loaders.enclosures.load(article.rowId)).map((e) => Object.assign(new Enclosure(), e));
  }

  @Extensions({ cost: { listSize: 10 } satisfies CostHints })
  @FieldResolver(() => [Company], { description: 'The companies the article mentions, those in the title first, then by number of mentions.' })
  async companies(@Root() article: Article, @Ctx() ctx: Context): Promise<Company[]> {
    const mentions = await ctx.loaders.companyMentions.load(article.rowId);
    const records = await ctx.loaders.company.loadMany(mentions.map((mention) => mention.entityId));
    return records.flatMap((record) => (record && !(record instanceof Error) ? [Company.from(record)] : []));
  }
}

/**
 * An article's full text: list pages leave it out (most queries of a list never ask for it, and it is
 * most of an article's bytes), so it is read by id, batched with the other articles of the page.
 */
async function bodyOf(article: Article, ctx: Context): Promise<{ html: string | null; text: string | null }> {
  if (article.body) return article.body;
  const record = await ctx.loaders.article.load(article.rowId);
  return { html: record?.contentHtml ?? null, text: record?.contentText ?? null };
}

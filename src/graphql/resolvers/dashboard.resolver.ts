import { Arg, Ctx, Extensions, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { bucketBoundaries, bucketCountBound, checkTimeZone } from '../../analytics/time-buckets';
import type { CostHints } from '../limits';
import type { Context } from '../context';
import { checkFirst } from '../errors';
import { toArticleFilter, todayIso } from '../filters';
import { ArticleFilter } from '../inputs/article.input';
import { Company } from '../types/company.type';
import { ArticleCount, KeyedByDimension, TimePoint, TimeSeries } from '../types/dashboard.type';
import { ArticleDimension, TimeInterval } from '../types/enums';
import { Feed } from '../types/feed.type';
import { Foundation } from '../types/foundation.type';

/** The entity fields of a count bucket or a series, loaded in batches. */
function entityResolvers<T extends KeyedByDimension>(Type: new () => T, name: string) {
  @Resolver(() => Type)
  class KeyResolver {
    @FieldResolver(() => Foundation, { nullable: true, description: `With \`by: FOUNDATION\` or \`TIER\`: the foundation of this ${name}.` })
    async foundation(@Root() root: T, @Ctx() ctx: Context): Promise<Foundation | null> {
      const id = root.key?.foundationId;
      const record = id === undefined ? null : await ctx.loaders.foundation.load(id);
      return record && Foundation.from(record);
    }

    @FieldResolver(() => Company, { nullable: true, description: `With \`by: COMPANY\`: the company of this ${name}.` })
    async company(@Root() root: T, @Ctx() ctx: Context): Promise<Company | null> {
      const id = root.key?.companyId;
      const record = id === undefined ? null : await ctx.loaders.company.load(id);
      return record && Company.from(record);
    }

    @FieldResolver(() => Feed, { nullable: true, description: `With \`by: FEED\`: the feed of this ${name}.` })
    async feed(@Root() root: T, @Ctx() ctx: Context): Promise<Feed | null> {
      const id = root.key?.feedId;
      const record = id === undefined ? null : await ctx.loaders.feed.load(id);
      return record && Feed.from(record);
    }
  }
  return KeyResolver;
}

export const ArticleCountResolver = entityResolvers(ArticleCount, 'bucket');
export const TimeSeriesResolver = entityResolvers(TimeSeries, 'series');

@Resolver()
export class DashboardResolver {
  @Query(() => [ArticleCount], {
    description:
      'How many articles match a filter, per foundation, company, feed or membership tier, largest first. An article counts once for each key it has.',
  })
  async articleCounts(
    @Arg('by', () => ArticleDimension, { description: 'What to count by.' }) by: ArticleDimension,
    @Arg('filter', () => ArticleFilter, { nullable: true, description: 'Only articles that match.' }) filter: ArticleFilter | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many buckets, largest first (1 to 100).' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<ArticleCount[]> {
    checkFirst(first, 100);
    const buckets = await ctx.store.countArticlesBy(await toArticleFilter(ctx, filter), by, first, todayIso());
    return buckets.map((b) => Object.assign(new ArticleCount(), { key: b.key, count: b.count }));
  }

  // The measure counts one series without `by` (else `first`), and a point per bucket of the range.
  @Extensions({
    cost: {
      listSize: (args) => (args.by == null ? 1 : Number(args.first)),
      listSizes: (args) => ({ points: bucketCountBound(args.from, args.to, args.interval) }),
    } satisfies CostHints,
  })
  @Query(() => [TimeSeries], {
    description:
      'Article counts over time, in calendar buckets of a time zone, empty buckets included: one series in all, or one per key of `by` (the largest `first`).',
  })
  async articleTimeline(
    @Arg('interval', () => TimeInterval, { description: 'The length of a bucket.' }) interval: TimeInterval,
    @Arg('from', () => DateTimeResolver, { description: 'Start of the range (inclusive).' }) from: Date,
    @Arg('to', () => DateTimeResolver, { description: 'End of the range (exclusive).' }) to: Date,
    @Arg('filter', () => ArticleFilter, { nullable: true, description: 'Only articles that match.' }) filter: ArticleFilter | null,
    @Arg('by', () => ArticleDimension, { nullable: true, description: 'One series per key of this dimension; one series in all when omitted.' })
    by: ArticleDimension | null,
    @Arg('timeZone', { defaultValue: 'UTC', description: 'IANA time zone of the calendar, e.g. "Europe/Paris".' }) timeZone: string,
    @Arg('first', () => Int, { defaultValue: 10, description: 'With `by`: how many series, largest first (1 to 50).' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<TimeSeries[]> {
    checkFirst(first, 50);
    const zone = checkTimeZone(timeZone);
    const boundaries = bucketBoundaries(from.getTime(), to.getTime(), interval, zone);
    const storeFilter = await toArticleFilter(ctx, filter);
    // Only [from, to) counts, even where the first bucket starts earlier.
    const restricted = {
      ...storeFilter,
      publishedAfter: Math.max(storeFilter.publishedAfter ?? from.getTime(), from.getTime()),
      publishedBefore: Math.min(storeFilter.publishedBefore ?? to.getTime(), to.getTime()),
    };
    const series = await ctx.store.articleTimeline(restricted, boundaries, by ?? null, first, todayIso());
    return series.map((s) =>
      Object.assign(new TimeSeries(), {
        key: s.key,
        total: s.total,
        points: s.counts.map((count, i) => Object.assign(new TimePoint(), { start: new Date(boundaries[i]), count })),
      }),
    );
  }
}

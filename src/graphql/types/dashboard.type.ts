import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { DimensionKey } from '../../store/store';

/** What a count bucket and a time series share: their key (the resolvers load its entities). */
export interface KeyedByDimension {
  key: DimensionKey | null;
}

const TIER_DESCRIPTION = 'With `by: TIER`: the tier (of `foundation`).';
const tierOf = (keyed: KeyedByDimension) => keyed.key?.tier ?? null;

@ObjectType('ArticleCount', {
  description:
    'The number of articles of one key of a dimension. Only the field of that dimension is set (`foundation` and `tier` for TIER). `count` equals `articles(filter: <the filter narrowed to this key>).totalCount`.',
})
export class ArticleCount implements KeyedByDimension {
  key!: DimensionKey | null;

  @Field(() => String, { nullable: true, description: TIER_DESCRIPTION })
  tier(): string | null {
    return tierOf(this);
  }

  @Field(() => Int, { description: 'How many articles match the filter and have this key.' })
  count!: number;
}

@ObjectType('TimePoint', { description: 'One bucket of a time series.' })
export class TimePoint {
  @Field(() => DateTimeResolver, {
    description: 'When the bucket starts (local midnight in `timeZone`, as a UTC instant). The first bucket may start before `from`; only articles from `from` on are counted.',
  })
  start!: Date;

  @Field(() => Int, { description: 'Articles published in the bucket (0 when none: empty buckets are included).' })
  count!: number;
}

@ObjectType('TimeSeries', {
  description: 'Article counts over time for one key of a dimension (or for all articles when not broken down). Only the field of the dimension is set.',
})
export class TimeSeries implements KeyedByDimension {
  key!: DimensionKey | null;

  @Field(() => String, { nullable: true, description: TIER_DESCRIPTION })
  tier(): string | null {
    return tierOf(this);
  }

  @Field(() => Int, { description: 'All the articles of the series in the range.' })
  total!: number;

  @Field(() => [TimePoint], { description: 'Every bucket from `from` to `to`, in order, empty ones included.' })
  points!: TimePoint[];
}

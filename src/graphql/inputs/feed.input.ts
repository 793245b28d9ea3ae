import { Field, InputType } from 'type-graphql';
import { FeedOrderField, FeedStatus, OrderDirection } from '../types/enums';

@InputType('FeedFilter', { description: 'Narrows a list of feeds. All given fields must match.' })
export class FeedFilter {
  @Field(() => [String], { nullable: true, description: 'Feeds of one of these foundations (slugs, at most 100).' })
  foundations?: string[] | null;

  @Field(() => [FeedStatus], { nullable: true, description: 'Feeds in one of these states, e.g. [FAILING] to see what is broken.' })
  statuses?: FeedStatus[] | null;
}

@InputType('FeedOrder', { description: 'Ordering of a list of feeds.' })
export class FeedOrder {
  @Field(() => FeedOrderField, { description: 'What to order by.' })
  field: FeedOrderField = FeedOrderField.URL;

  @Field(() => OrderDirection, { description: 'Ascending or descending.' })
  direction: OrderDirection = OrderDirection.ASC;
}

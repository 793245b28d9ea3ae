import { Field, ID, InputType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { ArticleOrderField, OrderDirection } from '../types/enums';

@InputType('ArticleFilter', {
  description: 'Narrows a list of articles. All given fields must match; a list matches any of its values.',
})
export class ArticleFilter {
  @Field(() => [String], {
    nullable: true,
    description: 'Articles of one of these foundations (slugs, at most 100): from the foundation\'s feeds, or mentioning it.',
  })
  foundations?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Articles mentioning one of these companies (slugs, at most 100).' })
  companies?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Articles from one of these feeds (Feed ids, at most 100).' })
  feeds?: string[] | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Published at or after this time (inclusive).' })
  publishedAfter?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Published before this time (exclusive).' })
  publishedBefore?: Date | null;
}

@InputType('ArticleOrder', { description: 'Ordering of a list of articles.' })
export class ArticleOrder {
  @Field(() => ArticleOrderField, { description: 'What to order by.' })
  field: ArticleOrderField = ArticleOrderField.PUBLISHED_AT;

  @Field(() => OrderDirection, { description: 'Ascending or descending (newest first by default).' })
  direction: OrderDirection = OrderDirection.DESC;
}

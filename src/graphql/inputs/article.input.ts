import { Field, ID, InputType } from 'type-graphql';
import { DateResolver, DateTimeResolver } from 'graphql-scalars';
import { ArticleOrderField, OrderDirection } from '../types/enums';

@InputType('MemberOfFilter', {
  description: 'Articles mentioning companies that are (or were, on `activeOn`) members of a foundation, at some tiers.',
})
export class MemberOfFilter {
  @Field({ description: 'The foundation\'s slug, e.g. "cncf".' })
  foundation!: string;

  @Field(() => [String], { nullable: true, description: 'Only members at one of these tiers (case-insensitive, at most 100), e.g. ["Platinum"].' })
  tiers?: string[] | null;

  @Field(() => DateResolver, { nullable: true, description: 'The date membership is judged on; today when omitted.' })
  activeOn?: Date | null;
}

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

  @Field(() => String, {
    nullable: true,
    description:
      'Full-text search over title and text: words (all must appear), "quoted phrases", prefix* searches, AND, OR, NOT (upper case) and parentheses, e.g. `kubernetes "supply chain" NOT docker`. Words match their variants ("release" finds "released").',
  })
  search?: string | null;

  @Field(() => MemberOfFilter, { nullable: true, description: 'Only articles mentioning members of a foundation (at some tiers, on a date).' })
  memberOf?: MemberOfFilter | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'With `foundations` and `memberOf`: also the foundations they host, at any depth (the Linux Foundation includes CNCF, OpenSSF, ...).',
  })
  includeSubfoundations?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only articles mentioning at least one company; false: only those mentioning none.' })
  hasCompanies?: boolean | null;

  @Field(() => String, { nullable: true, description: 'The language the feed states, e.g. "en" (also matches "en-us") or "de".' })
  language?: string | null;
}

@InputType('ArticleOrder', { description: 'Ordering of a list of articles.' })
export class ArticleOrder {
  @Field(() => ArticleOrderField, { description: 'What to order by.' })
  field: ArticleOrderField = ArticleOrderField.PUBLISHED_AT;

  @Field(() => OrderDirection, { description: 'Ascending or descending (newest first by default).' })
  direction: OrderDirection = OrderDirection.DESC;
}

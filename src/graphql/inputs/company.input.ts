import { Field, InputType } from 'type-graphql';
import { DateResolver } from 'graphql-scalars';
import { CompanyOrderField, OrderDirection } from '../types/enums';

@InputType('CompanyFilter', { description: 'Narrows a list of companies. All given fields must match.' })
export class CompanyFilter {
  @Field(() => String, { nullable: true, description: 'Name, slug or alias contains this text (case-insensitive): "aws" finds Amazon Web Services.' })
  search?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Only companies with a membership in one of these foundations (slugs, at most 100). Combined with `tiers` and `activeOn`, the same membership must match all three.',
  })
  foundations?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Only companies with a membership at one of these tiers (case-insensitive, at most 100).' })
  tiers?: string[] | null;

  @Field(() => DateResolver, { nullable: true, description: 'Only companies whose matching membership was active on this date.' })
  activeOn?: Date | null;
}

@InputType('CompanyOrder', { description: 'Ordering of a list of companies.' })
export class CompanyOrder {
  @Field(() => CompanyOrderField, { description: 'What to order by.' })
  field: CompanyOrderField = CompanyOrderField.NAME;

  @Field(() => OrderDirection, { description: 'Ascending or descending.' })
  direction: OrderDirection = OrderDirection.ASC;
}

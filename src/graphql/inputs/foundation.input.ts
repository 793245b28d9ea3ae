import { Field, InputType } from 'type-graphql';
import { FoundationOrderField, OrderDirection } from '../types/enums';

@InputType('FoundationFilter', { description: 'Narrows a list of foundations. All given fields must match.' })
export class FoundationFilter {
  @Field(() => String, { nullable: true, description: 'Name, short name, slug or alias contains this text (case-insensitive).' })
  search?: string | null;

  @Field(() => [String], { nullable: true, description: 'Only foundations hosted directly by one of these foundations (slugs, at most 100).' })
  parents?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only foundations without a parent; false: only those hosted by another foundation.' })
  topLevel?: boolean | null;
}

@InputType('FoundationOrder', { description: 'Ordering of a list of foundations.' })
export class FoundationOrder {
  @Field(() => FoundationOrderField, { description: 'What to order by.' })
  field: FoundationOrderField = FoundationOrderField.NAME;

  @Field(() => OrderDirection, { description: 'Ascending or descending.' })
  direction: OrderDirection = OrderDirection.ASC;
}

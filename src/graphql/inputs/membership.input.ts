import { Field, InputType } from 'type-graphql';
import { DateResolver } from 'graphql-scalars';
import { MembershipOrderField, OrderDirection } from '../types/enums';

@InputType('MembershipFilter', { description: 'Narrows a list of memberships. All given fields must match; a list matches any of its values.' })
export class MembershipFilter {
  @Field(() => [String], { nullable: true, description: 'Memberships in one of these foundations (slugs, at most 100).' })
  foundations?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Memberships of one of these companies (slugs, at most 100).' })
  companies?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Memberships at one of these tiers (case-insensitive, at most 100).' })
  tiers?: string[] | null;

  @Field(() => DateResolver, {
    nullable: true,
    description: 'Memberships active on this date: joined (or, when the joining date is unknown, stated) on or before it, and not left by then.',
  })
  activeOn?: Date | null;
}

@InputType('FoundationMembershipFilter', { description: 'Narrows the memberships of one foundation.' })
export class FoundationMembershipFilter {
  @Field(() => [String], { nullable: true, description: 'Memberships at one of these tiers (case-insensitive, at most 100).' })
  tiers?: string[] | null;

  @Field(() => DateResolver, { nullable: true, description: 'Memberships active on this date (see `MembershipFilter.activeOn`).' })
  activeOn?: Date | null;
}

@InputType('CompanyMembershipFilter', { description: 'Narrows the memberships of one company.' })
export class CompanyMembershipFilter {
  @Field(() => [String], { nullable: true, description: 'Memberships in one of these foundations (slugs, at most 100).' })
  foundations?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Memberships at one of these tiers (case-insensitive, at most 100).' })
  tiers?: string[] | null;

  @Field(() => DateResolver, { nullable: true, description: 'Memberships active on this date (see `MembershipFilter.activeOn`).' })
  activeOn?: Date | null;
}

@InputType('MembershipOrder', { description: 'Ordering of a list of memberships.' })
export class MembershipOrder {
  @Field(() => MembershipOrderField, { description: 'What to order by.' })
  field: MembershipOrderField = MembershipOrderField.COMPANY_NAME;

  @Field(() => OrderDirection, { description: 'Ascending or descending.' })
  direction: OrderDirection = OrderDirection.ASC;
}

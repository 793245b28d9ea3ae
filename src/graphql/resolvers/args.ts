import { ArgsType, Field } from 'type-graphql';
import { ArticleFilter, ArticleOrder } from '../inputs/article.input';
import { CompanyFilter, CompanyOrder } from '../inputs/company.input';
import { FeedFilter, FeedOrder } from '../inputs/feed.input';
import { FoundationFilter, FoundationOrder } from '../inputs/foundation.input';
import {
  CompanyMembershipFilter,
  FoundationMembershipFilter,
  MembershipFilter,
  MembershipOrder,
} from '../inputs/membership.input';
import { ConnectionArgs } from '../relay/connection';

/** The arguments of each connection field: paging plus the entity's filter and ordering. */

@ArgsType()
export class FoundationsArgs extends ConnectionArgs {
  @Field(() => FoundationFilter, { nullable: true, description: 'Only foundations that match.' })
  filter?: FoundationFilter | null;

  @Field(() => FoundationOrder, { nullable: true, description: 'Ordering; by name A to Z when omitted.' })
  orderBy?: FoundationOrder | null;
}

@ArgsType()
export class CompaniesArgs extends ConnectionArgs {
  @Field(() => CompanyFilter, { nullable: true, description: 'Only companies that match.' })
  filter?: CompanyFilter | null;

  @Field(() => CompanyOrder, { nullable: true, description: 'Ordering; by name A to Z when omitted.' })
  orderBy?: CompanyOrder | null;
}

@ArgsType()
export class MembershipsArgs extends ConnectionArgs {
  @Field(() => MembershipFilter, { nullable: true, description: 'Only memberships that match.' })
  filter?: MembershipFilter | null;

  @Field(() => MembershipOrder, { nullable: true, description: 'Ordering; by company name A to Z when omitted.' })
  orderBy?: MembershipOrder | null;
}

@ArgsType()
export class FoundationMembershipsArgs extends ConnectionArgs {
  @Field(() => FoundationMembershipFilter, { nullable: true, description: 'Only memberships that match.' })
  filter?: FoundationMembershipFilter | null;

  @Field(() => MembershipOrder, { nullable: true, description: 'Ordering; by company name A to Z when omitted.' })
  orderBy?: MembershipOrder | null;
}

@ArgsType()
export class CompanyMembershipsArgs extends ConnectionArgs {
  @Field(() => CompanyMembershipFilter, { nullable: true, description: 'Only memberships that match.' })
  filter?: CompanyMembershipFilter | null;

  @Field(() => MembershipOrder, { nullable: true, description: 'Ordering; by company name A to Z when omitted.' })
  orderBy?: MembershipOrder | null;
}

@ArgsType()
export class FeedsArgs extends ConnectionArgs {
  @Field(() => FeedFilter, { nullable: true, description: 'Only feeds that match.' })
  filter?: FeedFilter | null;

  @Field(() => FeedOrder, { nullable: true, description: 'Ordering; by URL when omitted.' })
  orderBy?: FeedOrder | null;
}

@ArgsType()
export class ArticlesArgs extends ConnectionArgs {
  @Field(() => ArticleFilter, { nullable: true, description: 'Only articles that match.' })
  filter?: ArticleFilter | null;

  @Field(() => ArticleOrder, { nullable: true, description: 'Ordering; newest first when omitted.' })
  orderBy?: ArticleOrder | null;
}

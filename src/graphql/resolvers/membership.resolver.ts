import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { toMembershipFilter } from '../filters';
import { MembershipOrder } from '../inputs/membership.input';
import { resolveConnection } from '../relay/connection';
import { Company } from '../types/company.type';
import { MembershipConnection } from '../types/connections';
import { Foundation } from '../types/foundation.type';
import { Membership } from '../types/membership.type';
import { MembershipsArgs } from './args';

@Resolver(() => Membership)
export class MembershipResolver {
  @Query(() => MembershipConnection, {
    description: 'Recorded memberships of companies in foundations, by company name unless `orderBy` says otherwise.',
  })
  async memberships(@Args() args: MembershipsArgs, @Ctx() ctx: Context): Promise<MembershipConnection> {
    const filter = await toMembershipFilter(ctx, args.filter);
    return resolveConnection(
      MembershipConnection,
      args,
      args.orderBy ?? new MembershipOrder(),
      Membership.from,
      (page) => ctx.store.listMemberships(filter, page),
      () => ctx.store.countMemberships(filter),
    );
  }

  @FieldResolver(() => Company, { description: 'The member.' })
  async company(@Root() membership: Membership, @Ctx() ctx: Context): Promise<Company> {
    // The foreign key guarantees the row exists.
    return Company.from((await ctx.loaders.company.load(membership.companyId))!);
  }

  @FieldResolver(() => Foundation, { description: 'The foundation.' })
  async foundation(@Root() membership: Membership, @Ctx() ctx: Context): Promise<Foundation> {
    return Foundation.from((await ctx.loaders.foundation.load(membership.foundationId))!);
  }
}

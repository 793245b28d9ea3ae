import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { quote } from '../../errors';
import { badInput } from '../errors';
import { capList } from '../filters';
import { fromGlobalId } from '../relay/global-id';
import { Article } from '../types/article.type';
import { Company } from '../types/company.type';
import { Feed } from '../types/feed.type';
import { Foundation } from '../types/foundation.type';
import { Membership } from '../types/membership.type';
import { Node } from '../types/node.type';

async function loadNode(ctx: Context, id: string, argument: string): Promise<Node | null> {
  const decoded = fromGlobalId(id);
  if (!decoded) throw badInput(`\`${argument}\`: ${quote(id)} is not an id of this API; use the \`id\` field of an object`, argument);
  switch (decoded.type) {
    case 'Foundation': {
      const record = await ctx.loaders.foundation.load(decoded.rowId);
      return record && Foundation.from(record);
    }
    case 'Company': {
      const record = await ctx.loaders.company.load(decoded.rowId);
      return record && Company.from(record);
    }
    case 'Membership': {
      const record = await ctx.loaders.membership.load(decoded.rowId);
      return record && Membership.from(record);
    }
    case 'Feed': {
      const record = await ctx.loaders.feed.load(decoded.rowId);
      return record && Feed.from(record);
    }
    case 'Article': {
      const record = await ctx.loaders.article.load(decoded.rowId);
      return record && Article.from(record);
    }
  }
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its `id`; null when it no longer exists.' })
  node(@Arg('id', () => ID, { description: 'An `id` returned by this API.' }) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    return loadNode(ctx, id, 'id');
  }

  @Query(() => [Node], { nullable: 'items', description: 'Several objects by id (at most 100), in the order asked; null for each that no longer exists.' })
  nodes(
    @Arg('ids', () => [ID], { description: 'Ids returned by this API (at most 100).' }) ids: string[],
    @Ctx() ctx: Context,
  ): Promise<(Node | null)[]> {
    capList(ids, 'ids');
    return Promise.all(ids.map((id) => loadNode(ctx, id, 'ids')));
  }
}

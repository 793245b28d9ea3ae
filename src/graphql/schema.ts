import { DateTimeResolver } from 'graphql-scalars';
import { GraphQLObjectType, GraphQLSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ArticleResolver } from './resolvers/article.resolver';
import { ArticleCountResolver, DashboardResolver, TimeSeriesResolver } from './resolvers/dashboard.resolver';
import { CompanyCoMentionResolver, CompanyResolver } from './resolvers/company.resolver';
import { FeedResolver } from './resolvers/feed.resolver';
import { FoundationResolver } from './resolvers/foundation.resolver';
import { MembershipResolver } from './resolvers/membership.resolver';
import { NodeResolver } from './resolvers/node.resolver';

/** Builds the executable schema from the resolver classes. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      NodeResolver,
      FoundationResolver,
      CompanyResolver,
      CompanyCoMentionResolver,
      MembershipResolver,
      FeedResolver,
      ArticleResolver,
      DashboardResolver,
      ArticleCountResolver,
      TimeSeriesResolver,
    ],
    // Arguments are checked by the resolvers' helpers (connection sizes, list caps, slugs), not class-validator.
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // type-graphql wants a PubSub to build any subscription, even when each brings its own
    // `subscribe` (ours read new articles from the ArticleWatcher): this one is never used.
    pubSub: {
      publish: () => undefined,
      subscribe: () => {
        throw new Error('graphql: subscriptions bring their own event source');
      },
    },
  });
  // type-graphql has no option for the root types' descriptions, which Sandbox shows first.
  const config = schema.toConfig();
  const query = new GraphQLObjectType({
    ...config.query!.toConfig(),
    description:
      'Foundation Wire: news of open-source foundations, the companies that are their members, and the articles that mention them. Start with `articles`, `foundations` or `companies`; `articleCounts` and `articleTimeline` count them.',
  });
  const subscription = new GraphQLObjectType({
    ...config.subscription!.toConfig(),
    description: 'Live updates, over the graphql-ws protocol (WebSocket) on the same URL as queries.',
  });
  const replaced = new Map<string, GraphQLObjectType>([
    ['Query', query],
    ['Subscription', subscription],
  ]);
  return new GraphQLSchema({ ...config, query, subscription, types: config.types.map((type) => replaced.get(type.name) ?? type) });
}

/** The SDL committed as schema/schema.graphql (`npm run schema` writes it; a test compares). */
export function printApiSchema(schema: GraphQLSchema): string {
  return `# Foundation Wire GraphQL schema. Generated from the code by \`npm run schema\`: do not edit by hand.\n\n${printSchema(schema)}\n`;
}

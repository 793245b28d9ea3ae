import { DateTimeResolver } from 'graphql-scalars';
import { GraphQLObjectType, GraphQLSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ArticleResolver } from './resolvers/article.resolver';
import { CompanyResolver } from './resolvers/company.resolver';
import { FeedResolver } from './resolvers/feed.resolver';
import { FoundationResolver } from './resolvers/foundation.resolver';
import { MembershipResolver } from './resolvers/membership.resolver';
import { NodeResolver } from './resolvers/node.resolver';

/** Builds the executable schema from the resolver classes. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [NodeResolver, FoundationResolver, CompanyResolver, MembershipResolver, FeedResolver, ArticleResolver],
    // Arguments are checked by the resolvers' helpers (connection sizes, list caps, slugs), not class-validator.
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
  });
  // type-graphql has no option for the root type's description, which Sandbox shows first.
  const config = schema.toConfig();
  const query = new GraphQLObjectType({
    ...config.query!.toConfig(),
    description:
      'Foundation Wire: news of open-source foundations, the companies that are their members, and the articles that mention them. Start with `articles`, `foundations` or `companies`.',
  });
  return new GraphQLSchema({ ...config, query, types: config.types.map((type) => (type.name === 'Query' ? query : type)) });
}

/** The SDL committed as schema/schema.graphql (`npm run schema` writes it; a test compares). */
export function printApiSchema(schema: GraphQLSchema): string {
  return `# Foundation Wire GraphQL schema. Generated from the code by \`npm run schema\`: do not edit by hand.\n\n${printSchema(schema)}\n`;
}

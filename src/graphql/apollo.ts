import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { BadInputError } from '../errors';
import type { Logger } from '../log';
import type { Context } from './context';

/**
 * Errors leave the server in one of two shapes: the caller's mistake (BAD_USER_INPUT and Apollo's own
 * validation codes) with a message that says what to change, or INTERNAL_SERVER_ERROR with a fixed
 * message, the detail (stack, SQL) going to the log only.
 */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof BadInputError) {
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
    }
    const code = formatted.extensions?.code;
    if (code === undefined || code === ApolloServerErrorCode.INTERNAL_SERVER_ERROR) {
      log.error({ err: original, path: formatted.path }, 'graphql: unable to resolve a field');
      return {
        message: 'Internal server error: the failure was logged on the server',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR },
      };
    }
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  };
}

export function createApollo(schema: GraphQLSchema, log: Logger, plugins: ApolloServerPlugin<Context>[] = []): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    // The API is public and self-describing: Sandbox needs introspection, also with NODE_ENV=production.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    formatError: formatError(log),
    plugins: [
      // Sandbox on a browser GET of /graphql, whatever NODE_ENV says (it loads from Apollo's CDN).
      ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false, footer: false }),
      ...plugins,
    ],
  });
}

import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import { BadInputError, QueryTimeoutError, shortenQuoted } from '../errors';
import type { Logger } from '../log';
import type { Context } from './context';
import { explainValidationLimit, MAX_VALIDATION_ERRORS, type QueryLimits } from './limits';
import { cacheHeadersPlugin, limitsPlugin, outcomePlugin, subscriptionTransportPlugin } from './plugins';

/** What a client is told of a query stopped at its time budget (in a field, or the whole request). */
export function queryTimeoutMessage(budgetMs: number): string {
  return `the query ran longer than the limit of ${budgetMs} ms (QUERY_TIMEOUT): ask for fewer or smaller pages, or a narrower filter`;
}

/** Errors reported about the variables of one request (graphql-js adds one saying it stopped). */
export const MAX_COERCION_ERRORS = 3;

export interface ApiOptions {
  limits: QueryLimits;
  queryTimeoutMs: number;
  /** Seconds public responses may be cached (0: no caching). */
  cacheMaxAgeSeconds: number;
}

/** The API's options from the service's configuration. */
export function apiOptionsOf(
  config: Pick<
    Config,
    'queryMaxLength' | 'queryMaxTokens' | 'queryMaxAliases' | 'queryMaxDirectives' | 'queryMaxDepth' | 'queryMaxCost' | 'queryTimeoutMs' | 'cacheMaxAgeSeconds'
  >,
): ApiOptions {
  return {
    limits: {
      maxLength: config.queryMaxLength,
      maxTokens: config.queryMaxTokens,
      maxAliases: config.queryMaxAliases,
      maxDirectives: config.queryMaxDirectives,
      maxDepth: config.queryMaxDepth,
      maxCost: config.queryMaxCost,
    },
    queryTimeoutMs: config.queryTimeoutMs,
    cacheMaxAgeSeconds: config.cacheMaxAgeSeconds,
  };
}

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
    // A read the store stopped at its time budget (its thread was replaced): the caller may retry smaller.
    if (original instanceof QueryTimeoutError) {
      return {
        message: queryTimeoutMessage(original.budgetMs),
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'QUERY_TIMEOUT', maximumMs: original.budgetMs },
      };
    }
    // graphql-js stops validating with a bare "Validation aborted.": say which limit.
    const limit = explainValidationLimit(formatted.message);
    if (limit) return { message: limit.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: limit.limit, maximum: limit.maximum } };
    const code = formatted.extensions?.code;
    const unexplained = code === undefined || code === ApolloServerErrorCode.INTERNAL_SERVER_ERROR;
    // Apollo refuses some requests (a persisted query's hash that does not match, an unknown
    // persisted-query version) with a GraphQLError outside any field and without a code: the
    // caller's mistake, said plainly.
    if (unexplained && original instanceof GraphQLError && formatted.path === undefined && !original.originalError) {
      return { message: shortenQuoted(formatted.message), locations: formatted.locations, extensions: { code: 'BAD_REQUEST' } };
    }
    if (unexplained) {
      log.error({ err: original, path: formatted.path }, 'graphql: unable to resolve a field');
      return {
        message: 'Internal server error: the failure was logged on the server',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR },
      };
    }
    // graphql-js and Apollo quote the caller's values and names whole (`got invalid value "..."`).
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, message: shortenQuoted(formatted.message), extensions };
  };
}

export function createApollo(
  schema: GraphQLSchema,
  log: Logger,
  options: ApiOptions,
  plugins: ApolloServerPlugin<Context>[] = [],
): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    // The API is public and self-describing: Sandbox needs introspection, also with NODE_ENV=production.
    introspection: true,
    // `serve` owns shutdown (scheduler, HTTP, read threads, database, in that order). Apollo's own
    // SIGTERM handler, installed unless NODE_ENV=test, raced it and left the process running.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    // One operation per request: a batch would multiply every limit below.
    allowBatchedHttpRequests: false,
    // A request with many bad variables gets a few errors, not one per value.
    executionOptions: { maxCoercionErrors: MAX_COERCION_ERRORS },
    // The HTTP front refuses over-long documents before Apollo sees them (guardDocument); this is the
    // same token limit again for anything that reaches Apollo another way (a persisted query).
    parseOptions: { maxTokens: options.limits.maxTokens },
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    // Automatic persisted queries (on by default) keep their hashes in the server's bounded in-memory cache.
    // The document store is left at its default (on: a 30 MiB LRU of parsed and validated documents,
    // keyed by the text's sha256): a repeated document is parsed and validated once.
    formatError: formatError(log),
    plugins: [
      // Sandbox on a browser GET of /graphql, whatever NODE_ENV says (it loads from Apollo's CDN).
      ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false, footer: false }),
      subscriptionTransportPlugin(),
      limitsPlugin(options.limits, log),
      // Everything this API serves is public and read-only: one max-age for every response, so
      // responses say Cache-Control: max-age=N, public. The HTTP front (src/http/response-cache.ts)
      // keeps exactly those answers and serves repeats without reaching Apollo, keyed on the
      // articles' version, so new articles (from any process) make them unreachable.
      ApolloServerPluginCacheControlDisabled(),
      cacheHeadersPlugin(options.cacheMaxAgeSeconds),
      outcomePlugin(),
      // The time limit (QUERY_TIMEOUT) is the store's: each request's reads fail once its deadline
      // has passed (storeWithDeadline, context.ts), so no hook runs on every field.
      ...plugins,
    ],
  });
}

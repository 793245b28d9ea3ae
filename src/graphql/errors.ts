import { GraphQLError } from 'graphql';

/** A `BAD_USER_INPUT` error: the message says what was wrong and what is allowed. */
export function badInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argument } : {}) } });
}

/** Refuses a `first` argument outside [1, max] with BAD_USER_INPUT. */
export function checkFirst(first: number, max: number): void {
  if (first < 1 || first > max) throw badInput(`\`first\` must be between 1 and ${max} (got ${first})`, 'first');
}

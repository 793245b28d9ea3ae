import type { SortKey } from '../../store/paging';
import { quote } from '../../errors';
import { badInput } from '../errors';

/**
 * Cursors are opaque to clients: base64url of JSON [ordering, ...sort key]. The ordering travels
 * with the key so that a cursor taken under one `orderBy` is refused under another rather than
 * silently paging from the wrong place.
 */
export function encodeCursor(ordering: string, key: SortKey): string {
  return Buffer.from(JSON.stringify([ordering, ...key]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, ordering: string, argument: 'after' | 'before'): SortKey {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.length >= 2 &&
    typeof parsed[0] === 'string' &&
    parsed.slice(1).every((part) => typeof part === 'string' || (typeof part === 'number' && Number.isFinite(part)));
  if (!valid) {
    throw badInput(
      `\`${argument}\` is not a valid cursor: ${quote(cursor)}; pass a \`cursor\` of an edge, or \`pageInfo.startCursor\`/\`endCursor\`, from this connection`,
      argument,
    );
  }
  const [cursorOrdering, ...key] = parsed as [string, ...(string | number)[]];
  if (cursorOrdering !== ordering) {
    throw badInput(
      `\`${argument}\` is a cursor for the ordering ${orderingName(cursorOrdering)}, but this request orders by ${ordering}: ` +
        'cursors are only valid with the orderBy they were returned under',
      argument,
    );
  }
  return key;
}

/**
 * An ordering read from a cursor, for a message: as the schema spells it ("FETCHED_AT") when it is
 * such a name, which every cursor this API returns holds; quoted and cut when a client made it up.
 */
function orderingName(ordering: string): string {
  return /^[A-Z][A-Z0-9_]{0,63}$/.test(ordering) ? ordering : quote(ordering);
}

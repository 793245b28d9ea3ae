import { quote } from '../../errors';
import { badInput } from '../errors';

/** The types that implement Node, as they appear inside global ids. */
export const NODE_TYPES = ['Foundation', 'Company', 'Membership', 'Feed', 'Article'] as const;
export type NodeTypeName = (typeof NODE_TYPES)[number];

/**
 * Global ids are opaque to clients: base64url of "Type:rowId". Clients must not build them, but the
 * encoding is stable, so ids stay valid across restarts and releases.
 */
export function toGlobalId(type: NodeTypeName, rowId: number): string {
  return Buffer.from(`${type}:${rowId}`, 'utf8').toString('base64url');
}

export interface DecodedId {
  type: NodeTypeName;
  rowId: number;
}

/** Decodes a global id; null when it is not one of ours (the caller decides whether that is an error). */
export function fromGlobalId(id: string): DecodedId | null {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
  const match = /^([A-Za-z]+):([1-9][0-9]{0,15})$/.exec(Buffer.from(id, 'base64url').toString('utf8'));
  if (!match || !(NODE_TYPES as readonly string[]).includes(match[1])) return null;
  const rowId = Number(match[2]);
  return Number.isSafeInteger(rowId) ? { type: match[1] as NodeTypeName, rowId } : null;
}

/** Decodes an id that must name a given type, or throws BAD_USER_INPUT naming the argument. */
export function rowIdOf(id: string, type: NodeTypeName, argument: string): number {
  const decoded = fromGlobalId(id);
  if (!decoded || decoded.type !== type) {
    throw badInput(`\`${argument}\`: ${quote(id)} is not the id of ${article(type)} ${type}; use the \`id\` field of ${article(type)} ${type}`, argument);
  }
  return decoded.rowId;
}

function article(type: string): string {
  return /^[AEIOU]/.test(type) ? 'an' : 'a';
}

/**
 * Opaque cursors of the home page's ordered lists. Product lists keyset on the id (platform/connection.ts); groups
 * are in staff order (sort order, then id) and a group's members in position order, so their cursors carry those.
 */
import { badInput } from '../../../platform/errors';
import { isBigintId } from '../../../platform/loaders';

const encode = (parts: (string | number)[]) => Buffer.from(parts.join(':')).toString('base64url');
const decode = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8').split(':');
const refused = () => badInput('after is not a cursor of this list', 'after');
const isSortOrder = (text: string | undefined) => text !== undefined && /^-?\d{1,7}$/.test(text);

export const groupCursor = (group: { sort_order: number; id: string }) => encode(['ProductGroup', group.sort_order, group.id]);

export function afterGroup(cursor: string | null | undefined): { sortOrder: number; id: string } | undefined {
  if (cursor == null) return undefined;
  const [kind, sort, id, extra] = decode(cursor);
  if (kind !== 'ProductGroup' || !isSortOrder(sort) || !isBigintId(id) || extra !== undefined) throw refused();
  return { sortOrder: Number(sort), id };
}

export const memberCursor = (position: number) => encode(['GroupMember', position]);

/** The position after which a page of members starts (0: the first page). */
export function afterMember(cursor: string | null | undefined): number {
  if (cursor == null) return 0;
  const [kind, position, extra] = decode(cursor);
  if (kind !== 'GroupMember' || !isBigintId(position) || Number(position) > 2 ** 31 || extra !== undefined) throw refused();
  return Number(position);
}

/**
 * Relay connections over keyset pagination by id (newest first): page-size rules, opaque cursors and the
 * `{ edges, pageInfo }` shape, shared by every list that can grow (products, coupon templates, later orders).
 * Data access fetches `limit + 1` rows with `id < afterId`; the extra row only says whether a next page exists.
 */
import { badInput } from './errors';
import { isBigintId } from './loaders';

export const DEFAULT_PAGE_SIZE = 20;

export interface PageRequest {
  /** Rows to show. */
  size: number;
  /** Rows to fetch: one more than shown, to learn `hasNextPage` without a count. */
  limit: number;
  /** Keyset position: only rows with a smaller id. */
  afterId?: string;
}

const cursorOf = (kind: string, id: string) => Buffer.from(`${kind}:${id}`).toString('base64url');

/** Validates `first` (1..maxPageSize, default 20) and `after` (a cursor this list issued); BAD_USER_INPUT otherwise. */
export function pageRequest(
  kind: string,
  args: { first?: number | null; after?: string | null },
  maxPageSize: number,
): PageRequest {
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > maxPageSize) {
    throw badInput(`first must be between 1 and ${maxPageSize}`, 'first');
  }
  if (args.after === undefined || args.after === null) return { size, limit: size + 1 };
  const [cursorKind, id, extra] = Buffer.from(args.after, 'base64url').toString('utf8').split(':');
  if (cursorKind !== kind || !isBigintId(id) || extra !== undefined) throw badInput('after is not a cursor of this list', 'after');
  return { size, limit: size + 1, afterId: id };
}

/** The connection for rows fetched with `pageRequest(...).limit`. */
export function toConnection<Row extends { id: string }>(kind: string, rows: Row[], page: PageRequest) {
  const edges = rows.slice(0, page.size).map((node) => ({ cursor: cursorOf(kind, node.id), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > page.size, endCursor: edges.at(-1)?.cursor ?? null } };
}

/**
 * Staff reads of shoppers' personal data (docs/shoppers.md), scope customer:read: the look-up (mobile masked, nothing
 * audited: a list shows no more than the member identification does) and the detail (full mobile and addresses; one
 * access-log row per read). The access log itself is for staff:admin. Payment records its staff wallet reads here
 * too (recordShopperAccess), so the log is the one place that says who read whose data.
 */
import { requireScope, requireService } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { badInput, notFound } from '../../platform/errors';
import type { Scope } from '../../platform/identity';
import { isBigintId } from '../../platform/loaders';
import { hitOrThrow } from '../../platform/rate-limit';
import type { UserContext } from './context';
import { findShopper, insertShopperAccess, pageShopperAccess, pageShoppers, type ShopperAccessFilter, type ShopperAccessKind, type ShopperFilter } from './data/shoppers';
import type { UserRow } from './data/users';
import { maskPhone } from './member-identification';
import { MOBILE_PHONE } from './validation';

export const CUSTOMER_READ: Scope = 'customer:read';
const MAX_NICKNAME = 64;
/**
 * Look-ups and detail views together, per staff account: far more than a person answering customers needs, far less
 * than a stolen account walking phone numbers to customers (the same reasoning as member identification's limit).
 */
export const SHOPPER_READ_RULE = { limit: 120, windowMs: 60_000 };

/** customer:read, and a read counted against the caller's limit whether it finds anyone or not. */
async function reader(context: UserContext): Promise<string> {
  const staffUserId = requireScope(context, CUSTOMER_READ);
  await hitOrThrow(context.services.limiter, `shoppers:user:${staffUserId}`, SHOPPER_READ_RULE, 'Too many shopper look-ups, try again in a minute');
  return staffUserId;
}

/** What a staff view shows: `detail` only for `shopper(id)`, whose read was recorded. */
export interface ShopperView {
  user: UserRow;
  detail: boolean;
}

export interface ShopperFilterInput {
  mobile?: string | null;
  userId?: string | null;
  nickname?: string | null;
}

/** Validates the look-up's conditions: at least one, each well formed (BAD_USER_INPUT with the field otherwise). */
export function shopperFilter(input: ShopperFilterInput | null | undefined): ShopperFilter {
  const filter: ShopperFilter = {};
  const mobile = input?.mobile?.trim();
  if (mobile) {
    if (!MOBILE_PHONE.test(mobile)) throw badInput('mobile must be an 11-digit mainland mobile number', 'mobile');
    filter.mobile = mobile;
  }
  const userId = input?.userId?.trim();
  if (userId) {
    if (!isBigintId(userId)) throw badInput('userId is not a user id', 'userId');
    filter.userId = userId;
  }
  const nickname = input?.nickname?.trim();
  if (nickname) {
    if ([...nickname].length > MAX_NICKNAME) throw badInput(`nickname must be at most ${MAX_NICKNAME} characters`, 'nickname');
    filter.nicknamePrefix = nickname;
  }
  // Without a condition the look-up would be a listing of every customer: not what customer service needs.
  if (!Object.keys(filter).length) throw badInput('Give a mobile, a user id or the beginning of a nickname', 'filter');
  return filter;
}

export async function searchShoppers(context: UserContext, input: ShopperFilterInput | null | undefined, args: { first?: number | null; after?: string | null }) {
  await reader(context);
  const filter = shopperFilter(input);
  const page = pageRequest('Shopper', args, context.config.maxPageSize);
  const rows = await pageShoppers(context.db, filter, page.limit, page.afterId ?? null);
  const connection = toConnection('Shopper', rows, page);
  return { ...connection, edges: connection.edges.map((edge) => ({ cursor: edge.cursor, node: { user: edge.node, detail: false } satisfies ShopperView })) };
}

/** The detail view; the read is recorded before anything is shown (no log row, no data). */
export async function shopperDetail(context: UserContext, id: string): Promise<ShopperView> {
  const staffUserId = await reader(context);
  const user = isBigintId(id) ? await findShopper(context.db, id) : undefined;
  if (!user) throw notFound(`No shopper ${id}`);
  await insertShopperAccess(context.db, staffUserId, [user.id], 'PROFILE');
  return { user, detail: true };
}

/** A reference from another subgraph: the list's view (masked mobile, no addresses), for customer:read only. */
export async function shopperReference(context: UserContext, id: string): Promise<ShopperView | null> {
  if (!context.identity.scopes.includes(CUSTOMER_READ)) return null;
  const user = isBigintId(id) ? await findShopper(context.db, id) : undefined;
  return user ? { user, detail: false } : null;
}

export const shopperMobile = (view: ShopperView) => (view.detail ? view.user.phone : maskPhone(view.user.phone));

export interface AccessLogFilterInput {
  userId?: string | null;
  staffUserId?: string | null;
  from?: string | null;
  to?: string | null;
}

/**
 * An ISO 8601 instant with date, time and offset: Date.parse alone would take "12" or a local time, and roll
 * 2026-02-30 over into March.
 */
function instant(value: string, field: string): Date {
  const parts = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  const day = parts ? new Date(Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]))) : null;
  const date = new Date(value);
  if (!parts || !day || day.getUTCDate() !== Number(parts[3]) || day.getUTCMonth() !== Number(parts[2]) - 1 || Number.isNaN(date.getTime())) {
    throw badInput(`${field} must be an ISO 8601 instant with its offset, e.g. 2026-12-05T10:00:00+08:00`, field);
  }
  return date;
}

/** Validates the log's conditions (BAD_USER_INPUT with the field): ids well formed, `to` after `from` when both given. */
export function accessLogFilter(input: AccessLogFilterInput): ShopperAccessFilter {
  const filter: ShopperAccessFilter = {};
  if (input.userId) {
    if (!isBigintId(input.userId)) throw badInput('userId is not a user id', 'userId');
    filter.shopperId = input.userId;
  }
  if (input.staffUserId) {
    if (!isBigintId(input.staffUserId)) throw badInput('staffUserId is not a user id', 'staffUserId');
    filter.staffUserId = input.staffUserId;
  }
  if (input.from) filter.from = instant(input.from, 'from');
  if (input.to) filter.to = instant(input.to, 'to');
  if (filter.from && filter.to && filter.to <= filter.from) throw badInput('to must be after from', 'to');
  return filter;
}

export async function accessLog(context: UserContext, input: AccessLogFilterInput, args: { first?: number | null; after?: string | null }) {
  requireScope(context, 'staff:admin');
  const filter = accessLogFilter(input);
  const page = pageRequest('ShopperAccess', args, context.config.maxPageSize);
  return toConnection('ShopperAccess', await pageShopperAccess(context.db, filter, page.limit, page.afterId ?? null), page);
}

/** Internal (payment): records staff reads of shoppers' wallets. */
export async function recordAccess(context: UserContext, input: { staffUserId: string; shopperIds: readonly string[]; what: ShopperAccessKind }): Promise<boolean> {
  requireService(context, 'payment');
  const ids = [...new Set(input.shopperIds)];
  if (!isBigintId(input.staffUserId)) throw badInput('staffUserId must be a user id', 'staffUserId');
  if (!ids.length || ids.length > context.config.maxPageSize || !ids.every(isBigintId)) {
    throw badInput(`shopperIds must be 1..${context.config.maxPageSize} user ids`, 'shopperIds');
  }
  // Wallet reads count against the staff member's look-up limit like profile reads (payment asks here first).
  await hitOrThrow(context.services.limiter, `shoppers:user:${input.staffUserId}`, SHOPPER_READ_RULE, 'Too many shopper look-ups, try again in a minute');
  await insertShopperAccess(context.db, input.staffUserId, ids, input.what);
  return true;
}

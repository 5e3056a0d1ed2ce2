/**
 * Who may see an entity that holds one user's private data (an order, a payment, a coupon, a cart) when it is
 * resolved by reference (`_entities`) or reached through another entity: its owner, another subgraph (a signed
 * service call, which acts for a user it names or for the system), or staff holding the scope that manages it.
 * Everyone else gets null — the same answer as for an id that does not exist, so ids cannot be probed.
 */
import type { Identity } from './identity';

export function mayRead(identity: Identity, ownerId: string | null | undefined, staffScope?: string): boolean {
  if (identity.service) return true;
  if (identity.userId !== undefined && ownerId != null && String(ownerId) === identity.userId) return true;
  return staffScope !== undefined && identity.scopes.includes(staffScope);
}

/** `row` when `mayRead`, else null. */
export function ownedOrNull<T>(identity: Identity, row: T | null | undefined, ownerOf: (row: T) => string | null | undefined, staffScope?: string): T | null {
  return row && mayRead(identity, ownerOf(row), staffScope) ? row : null;
}

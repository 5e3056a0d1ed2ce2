/**
 * "Guess you like" (猜你喜欢): cheap and stable. The pool is the catalog's best sellers (reads.ts, `guessPool`); each
 * caller gets it in an order of their own that stays the same all day (UTC) and changes the next, so a shopper who
 * scrolls back sees the same list, and tomorrow a new one. When the pool changes (a new best seller), the products
 * that stay keep their order. Anonymous callers share one order per day.
 * What a shopper viewed or has in the cart belongs to other subgraphs; this rule needs none of it.
 */
import crypto from 'node:crypto';

/** The day (UTC) a caller's order is stable for, e.g. 2026-12-05. */
export const dayOf = (now: Date) => now.toISOString().slice(0, 10);

/**
 * `ids` in the caller's order of the day: each id ranked by a hash of (caller, day, id). The same inputs give the
 * same order, and a product joining or leaving the pool moves no other: the rest keep their relative order.
 */
export function shuffledFor(ids: readonly string[], caller: string, day: string): string[] {
  const rank = (id: string) => crypto.createHash('sha256').update(`${caller}|${day}|${id}`).digest().readUInt32BE(0);
  return ids
    .map((id) => ({ id, rank: rank(id) }))
    .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1))
    .map((entry) => entry.id);
}

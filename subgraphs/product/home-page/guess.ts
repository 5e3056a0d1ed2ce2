/**
 * "Guess you like" (猜你喜欢): cheap and stable. The pool is the catalog's best sellers (reads.ts, `guessPool`); each
 * caller gets it in an order of their own that stays the same all day (UTC) and changes the next, so a shopper who
 * scrolls back sees the same list, and tomorrow a new one. Anonymous callers share one order per day.
 * What a shopper viewed or has in the cart belongs to other subgraphs; this rule needs none of it.
 */
import crypto from 'node:crypto';

/** The day (UTC) a caller's order is stable for, e.g. 2026-12-05. */
export const dayOf = (now: Date) => now.toISOString().slice(0, 10);

/** A deterministic PRNG (mulberry32) from a 32-bit seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `ids` shuffled (Fisher-Yates) by a seed made of the caller and the day: the same inputs give the same order. */
export function shuffledFor(ids: readonly string[], caller: string, day: string): string[] {
  const seed = crypto.createHash('sha256').update(`${caller}|${day}`).digest().readUInt32BE(0);
  const random = mulberry32(seed);
  const order = [...ids];
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

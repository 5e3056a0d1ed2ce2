/**
 * The split of a lucky red packet: `total` fen into `shares` parts of at least 1 fen each, summing to `total`.
 * Sorted random cut points: `shares - 1` distinct cuts drawn uniformly from 1..total-1 make every such split equally
 * likely, so no opener's position (first or last) is favoured, unlike "double average".
 */
import crypto from 'node:crypto';

export function splitRedPacket(total: number, shares: number, randomInt: (max: number) => number = (max) => crypto.randomInt(max)): number[] {
  if (!Number.isSafeInteger(total) || !Number.isSafeInteger(shares) || shares < 1 || total < shares) {
    throw new RangeError(`Cannot split ${total} fen into ${shares} shares of at least 1 fen`);
  }
  const cuts = new Set<number>();
  // Shares are at most MAX_RED_PACKET_SHARES, so drawing until distinct ends quickly even when total is close to shares.
  while (cuts.size < shares - 1) cuts.add(1 + randomInt(total - 1));
  const sorted = [...cuts].sort((a, b) => a - b);
  const parts: number[] = [];
  let previous = 0;
  for (const cut of [...sorted, total]) {
    parts.push(cut - previous);
    previous = cut;
  }
  return parts;
}

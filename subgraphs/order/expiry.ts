/**
 * The payment timeout: every ORDER_EXPIRY_SWEEP_SECONDS each order instance cancels unpaid orders whose
 * `expiresAt` has passed (see cancelExpiredOrders). Every instance may sweep at once: each cancel is a
 * conditional update, so an order is cancelled once and a payment that won the race keeps it PAID.
 */
import type { Knex } from 'knex';
import { cancelExpiredOrders } from './orders';

export function startExpirySweep(db: Knex, everySeconds: number): { stop(): Promise<void> } {
  if (everySeconds <= 0) return { stop: async () => {} };
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = cancelExpiredOrders(db).catch((error) => console.error('[order] payment-timeout sweep failed:', error));
  }, everySeconds * 1000);
  // The sweep never keeps a process (or a test run) alive by itself.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

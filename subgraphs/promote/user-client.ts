/**
 * Signed service calls from promote to user (internal `@inaccessible` operations): may a staff account act for a store
 * (docs/back-office.md). Asked on every redemption, never cached across requests, so a store taken away, a disabled
 * account or a revoked terminal is refused at once; within one request a DataLoader sends every pair in one call.
 */
import DataLoader from 'dataloader';
import type { ServiceClient } from '../../platform/service-client';

export interface StoreAccess {
  userId: string;
  storeCode: string;
  storeId: string | null;
  allowed: boolean;
  /** NO_SUCH_STORE, STORE_DISABLED, NOT_STAFF, ACCOUNT_DISABLED, NOT_ASSIGNED, TERMINAL_REVOKED; null when allowed. */
  reason: string | null;
  terminalId: string | null;
}

/** Per request: store access by (user id, store code). */
export function createStoreAccessLoader(services: ServiceClient, requestId?: string) {
  return new DataLoader<{ userId: string; storeCode: string }, StoreAccess, string>(
    async (checks) => {
      const data = await services.request<{ storeAccess: StoreAccess[] }>(
        'user',
        'query($c: [StoreAccessCheck!]!) { storeAccess(checks: $c) { userId storeCode storeId allowed reason terminalId } }',
        { c: checks.map(({ userId, storeCode }) => ({ userId, storeCode })) },
        { requestId },
      );
      return data.storeAccess;
    },
    { cacheKeyFn: (check) => `${check.userId}\u0000${check.storeCode}` },
  );
}

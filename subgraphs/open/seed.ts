/**
 * Development demo data of the open platform (never with NODE_ENV=production; the launcher checks, and so does this):
 * the seed's two order APIs (`order.query`, `order.cancel`, seed 004 §3.1.3) and a few more, and one demo app granted
 * all of them with a session for the demo admin (user 1, order:write). The demo app's secret and session token are
 * fixed development values printed in docs/open-platform.md, so `clients/open-client.ts` works against `npm start`.
 * Idempotent: what exists is left alone.
 */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { findAppByKey, insertApp } from './data/apps';
import { findApiByMethod, upsertApi, type OpenApiValues } from './data/apis';
import { insertGrant } from './data/grants';
import { insertSession } from './data/sessions';
import { sealSecret, tokenHash } from './registry';

export const DEMO_APP_KEY = 'ak_000000000000000000de0001';
export const DEMO_APP_SECRET = 'sk_dev-only-open-app-secret-never-in-production';
export const DEMO_SESSION_TOKEN = 'st_dev-only-open-session-token';

export const SEED_APIS: OpenApiValues[] = [
  {
    method: 'order.query',
    description: '订单查询: one order by id, with its lines (seed 004 §3.1.3).',
    document: `query OrderQuery($id: ID!) {
  order(id: $id) { id orderNo status subtotal discount shippingFee total createdAt items { title quantity unitPrice } }
}`,
    enabled: true,
    idempotent: true,
    cost: 1,
    max_concurrency: 32,
    alert_threshold_ms: null,
  },
  {
    method: 'order.cancel',
    description: '订单退订: cancels an order waiting for payment (seed 004 §3.1.3). Not idempotent: never retried.',
    document: `mutation OrderCancel($id: ID!, $reason: String) {
  cancelOrder(id: $id, reason: $reason) { id orderNo status }
}`,
    enabled: true,
    idempotent: false,
    cost: 1,
    max_concurrency: 8,
    alert_threshold_ms: null,
  },
  {
    method: 'order.ship',
    description: 'Marks a paid order shipped with its carrier and tracking number (a warehouse system).',
    document: `mutation OrderShip($id: ID!, $carrier: String!, $trackingNo: String!) {
  shipOrder(id: $id, carrier: $carrier, trackingNo: $trackingNo) { id orderNo status }
}`,
    enabled: true,
    idempotent: false,
    cost: 1,
    max_concurrency: 8,
    alert_threshold_ms: 2000,
  },
  {
    method: 'product.get',
    description: 'One product with its SKUs, prices (fen) and stock.',
    document: `query ProductGet($id: ID!) {
  product(id: $id) { id title skus { id price stock } }
}`,
    enabled: true,
    idempotent: true,
    cost: 1,
    max_concurrency: 32,
    alert_threshold_ms: null,
  },
];

export async function seedDemoOpenPlatform(db: Knex, config: Config): Promise<void> {
  if (config.isProduction) throw new Error('Demo data is never seeded with NODE_ENV=production');
  const key = config.open.secretKey!;
  const apiIds: string[] = [];
  for (const api of SEED_APIS) {
    const existing = await findApiByMethod(db, api.method);
    apiIds.push((existing ?? (await upsertApi(db, api))).id);
  }
  if (await findAppByKey(db, DEMO_APP_KEY)) return;
  const app = await insertApp(db, {
    app_key: DEMO_APP_KEY,
    name: '演示ERP',
    corp_name: '演示软件有限公司',
    description: 'Development demo app (docs/open-platform.md).',
    minute_limit: 600,
    daily_limit: 100_000,
    enabled: true,
    secret_sealed: sealSecret(key, DEMO_APP_KEY, DEMO_APP_SECRET),
  });
  for (const apiId of apiIds) await insertGrant(db, app.id, apiId, null);
  await insertSession(db, {
    app_id: app.id,
    token_hash: tokenHash(DEMO_SESSION_TOKEN),
    token_hint: DEMO_SESSION_TOKEN.slice(-6),
    merchant: '1',
    scopes: ['order:write'],
    expires_at: new Date(Date.now() + 365 * 86_400_000),
    created_by: null,
  });
}

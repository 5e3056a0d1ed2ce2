/**
 * TEST-ONLY fixtures for the order subgraph. Checkout (createOrder) comes with its own issue, so tests place
 * orders by writing them with the data-access layer directly — the same functions checkout will use — and walk
 * them to the wanted status through the real lifecycle `transition` (actor `system`, reason `test fixture`).
 * Owners are real registered users (the user subgraph's `register`).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { insertItems, type NewOrderItem } from '../data/order-items';
import { insertOrder, type AddressSnapshot, type StoredOrderStatus } from '../data/orders';
import { recordStatusChange } from '../data/status-history';
import { actors, transition } from '../lifecycle';
import { anonymousTo, gql, uniquePhone } from '../../../test/support/harness';

/** A registered shopper: id and access token (the token only matters through the router). */
export interface RegisteredUser {
  userId: string;
  accessToken: string;
}

/** Registers a real account through `register` (router or user subgraph URL). */
export async function registerUser(url: string): Promise<RegisteredUser> {
  const response = await gql<{ register: { accessToken: string; user: { id: string } } }>(
    url,
    'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
    { input: { phone: uniquePhone(), password: 'orders123', nickname: 'order test' } },
    // Needed when `url` is the user subgraph itself; the router replaces it with its own signature.
    anonymousTo('user'),
  );
  if (response.errors?.length || !response.data) throw new Error(`register failed: ${JSON.stringify(response.errors)}`);
  return { userId: response.data.register.user.id, accessToken: response.data.register.accessToken };
}

/** How to reach each status from PENDING_PAYMENT along allowed transitions. */
const PATH: Record<Exclude<StoredOrderStatus, 'CREATING'>, StoredOrderStatus[]> = {
  PENDING_PAYMENT: [],
  PAID: ['PAID'],
  SHIPPED: ['PAID', 'SHIPPED'],
  COMPLETED: ['PAID', 'SHIPPED', 'COMPLETED'],
  CANCELLED: ['CANCELLED'],
  REFUNDING: ['PAID', 'REFUNDING'],
  REFUNDED: ['PAID', 'REFUNDING', 'REFUNDED'],
};

export const ADDRESS: AddressSnapshot = {
  contactName: '张三',
  phone: '13800138000',
  province: '上海市',
  city: '上海市',
  district: '浦东新区',
  detail: '世纪大道 100 号',
};

export interface TestOrderOptions {
  userId: string;
  status?: Exclude<StoredOrderStatus, 'CREATING'>;
  /** Default: one line of SKU 1 at 1000 fen. */
  items?: NewOrderItem[];
  expiresAt?: Date | null;
  shippingFee?: number;
}

/** Writes an order (PENDING_PAYMENT, with items and its creation history row) and moves it to `status`. */
export async function placeTestOrder(db: Knex, options: TestOrderOptions): Promise<string> {
  const items = options.items ?? [{ skuId: '1', productId: '1', title: 'Test product', skuName: 'v0', unitPrice: 1000, quantity: 1 }];
  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
  const shippingFee = options.shippingFee ?? 0;
  const orderId = await db.transaction(async (trx) => {
    const order = await insertOrder(trx, {
      orderNo: `T${Date.now()}${crypto.randomInt(0, 1_000_000).toString().padStart(6, '0')}`,
      userId: options.userId,
      status: 'PENDING_PAYMENT',
      subtotal,
      discount: 0,
      shippingFee,
      total: subtotal + shippingFee,
      expiresAt: options.expiresAt === undefined ? new Date(Date.now() + 30 * 60_000) : options.expiresAt,
      shippingAddress: ADDRESS,
    });
    await insertItems(trx, order.id, items);
    await recordStatusChange(trx, { orderId: order.id, userId: options.userId, from: null, to: 'PENDING_PAYMENT', actor: actors.user(options.userId), reason: 'test fixture' });
    return order.id;
  });
  let from: StoredOrderStatus = 'PENDING_PAYMENT';
  for (const to of PATH[options.status ?? 'PENDING_PAYMENT']) {
    const changes = to === 'PAID' ? { payment_id: `fixture-${orderId}`, paid_at: new Date(), expires_at: null } : {};
    await db.transaction((trx) => transition(trx, { orderId, from: [from], to, actor: actors.system, reason: 'test fixture', changes }));
    from = to;
  }
  return orderId;
}

/** The order's status and history straight from the table (what "nothing changed" is checked against). */
export async function snapshot(db: Knex, orderId: string) {
  const order = await db('orders').where({ id: orderId }).first();
  const history = await db('order_status_history').where({ order_id: orderId }).orderBy('id');
  return { order, history };
}

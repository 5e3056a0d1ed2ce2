/**
 * Test helpers for checkout: shoppers registered through the user subgraph with an address, createOrder /
 * previewOrder calls signed as the router would, and the state of the holds (stock, reservation, coupon) read from
 * the owners' tables.
 */
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../../app/launcher';
import { asIdentity, gql, type GraphQLResponse } from '../../../test/support/harness';
import { registerUser } from './fixtures';

export interface Buyer {
  userId: string;
  accessToken: string;
  addressId: string;
}

export const ADDRESS_INPUT = { contactName: '李四', phone: '13900139000', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园 1 号' };

/** Registers a shopper (user subgraph) and adds one address. */
export async function newBuyer(userUrl: string): Promise<Buyer> {
  const user = await registerUser(userUrl);
  const added = await gql<{ addAddress: { id: string } }>(
    userUrl,
    'mutation($input: AddressInput!) { addAddress(input: $input) { id } }',
    { input: ADDRESS_INPUT },
    asIdentity({ userId: user.userId }, 'user'),
  );
  if (!added.data) throw new Error(`addAddress failed: ${JSON.stringify(added.errors)}`);
  return { ...user, addressId: added.data.addAddress.id };
}

export const ORDER_FIELDS = `id orderNo status subtotal discount shippingFee total expiresAt
  items { sku { id } title skuName unitPrice quantity } shippingAddress { contactName city detail }`;

export interface CheckoutInput {
  cartItemIds?: string[];
  items?: { skuId: string; quantity: number }[];
  couponId?: string | null;
  addressId: string;
  expectedTotal?: number;
}

export function checkoutClient(orderUrl: string) {
  return {
    create: (userId: string, input: CheckoutInput, idempotencyKey: string): Promise<GraphQLResponse<{ createOrder: any }>> =>
      gql(
        orderUrl,
        `mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { ${ORDER_FIELDS} } }`,
        { input, key: idempotencyKey },
        asIdentity({ userId }, 'order'),
      ),
    preview: (userId: string, input: CheckoutInput): Promise<GraphQLResponse<{ previewOrder: any }>> =>
      gql(
        orderUrl,
        `query($input: CheckoutInput!) { previewOrder(input: $input) {
          items { sku { id } product { id } title skuName image unitPrice quantity lineTotal }
          subtotal discount shippingFee total coupon { coupon { id } discount shippingWaived } address { contactName city detail } } }`,
        { input },
        asIdentity({ userId }, 'order'),
      ),
    cancel: (userId: string, id: string) =>
      gql(orderUrl, 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }', { id }, asIdentity({ userId }, 'order')),
    pay: (id: string, amount: number) =>
      gql(
        orderUrl,
        'mutation($id: ID!, $amount: Int!) { markOrderPaid(orderId: $id, paymentId: $id, amount: $amount) { id status } }',
        { id, amount },
        asIdentity({ service: 'payment' }, 'order'),
      ),
  };
}

/** Stock counts of a SKU (available, reserved, sold). */
export async function skuCounts(product: Knex, skuId: string): Promise<{ stock: number; reserved: number; sold: number }> {
  const row = await product('skus').where({ id: skuId }).first('stock', 'reserved', 'sold');
  return { stock: Number(row.stock), reserved: Number(row.reserved), sold: Number(row.sold) };
}

export async function reservationStatus(product: Knex, orderId: string): Promise<string | null> {
  const row = await product('stock_reservations').where({ order_id: String(orderId) }).first('status');
  return row?.status ?? null;
}

export async function couponStatus(promote: Knex, couponId: string): Promise<string> {
  const row = await promote('coupons').where({ id: couponId }).first('status');
  return row.status;
}

/** Waits until `check` holds (event consumers and job runners work after the response). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const dbOf = (supergraph: RunningSupergraph, name: 'product' | 'promote' | 'order' | 'cart') => supergraph.subgraphs[name]!.db;

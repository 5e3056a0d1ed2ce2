/**
 * Payment tests: user, order and payment subgraphs on ephemeral ports against the run's databases, orders placed
 * with the order subgraph's fixture (checkout comes with its own issue), the sandbox providers of this process.
 */
import type { Knex } from 'knex';
import { asIdentity, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { waitFor } from '../../../test/support/events-db';
import type { RunningSupergraph } from '../../../app/launcher';
import { placeTestOrder, registerUser, type TestOrderOptions } from '../../order/test/fixtures';
import { sharedAlipaySandbox, sharedWechatSandbox } from '../providers';

export { waitFor };

/** Jobs polled often (settling and refunds follow within milliseconds); reconciliation far away unless a test wants it. */
export function paymentTestConfig(overrides: Record<string, string> = {}) {
  return testConfig({ EVENTS_JOB_POLL_INTERVAL_MS: '25', EVENTS_POLL_INTERVAL_MS: '25', PAYMENT_RECONCILE_AFTER_SECONDS: '3600', ...overrides });
}

export interface PaymentWorld {
  running: RunningSupergraph;
  paymentUrl: string;
  paymentOrigin: string;
  orderDb: Knex;
  paymentDb: Knex;
  wechat: ReturnType<typeof sharedWechatSandbox>;
  alipay: ReturnType<typeof sharedAlipaySandbox>;
  stop(): Promise<void>;
}

export async function startPaymentWorld(overrides: Record<string, string> = {}): Promise<PaymentWorld> {
  const running = await startSupergraph({ subgraphs: ['user', 'order', 'payment'], router: false, config: paymentTestConfig(overrides) });
  const paymentUrl = running.subgraphs.payment!.url;
  return {
    running,
    paymentUrl,
    paymentOrigin: new URL(paymentUrl).origin,
    orderDb: running.subgraphs.order!.db,
    paymentDb: running.subgraphs.payment!.db,
    wechat: sharedWechatSandbox(),
    alipay: sharedAlipaySandbox(),
    stop: () => running.stop(),
  };
}

export async function newShopper(world: PaymentWorld) {
  return registerUser(world.running.subgraphs.user!.url);
}

export async function newOrder(world: PaymentWorld, options: TestOrderOptions) {
  return placeTestOrder(world.orderDb, options);
}

export const PAY = `mutation($orderId: ID!, $method: PaymentMethodType!) { payOrder(orderId: $orderId, method: $method) {
  payment { id amount method status outTradeNo } wechat { appId timeStamp nonceStr package signType paySign } alipayOrderString sandboxPayUrl } }`;

export async function payOrder(world: PaymentWorld, userId: string, orderId: string, method: string): Promise<GraphQLResponse> {
  return gql(world.paymentUrl, PAY, { orderId, method }, asIdentity({ userId }, 'payment'));
}

/** The prepay id of a WeChat payOrder answer. */
export const prepayOf = (response: GraphQLResponse) => String(response.data.payOrder.wechat.package).replace('prepay_id=', '');

export async function postNotify(world: PaymentWorld, channel: 'wechat' | 'alipay', body: string, headers: Record<string, string>) {
  const response = await fetch(`${world.paymentOrigin}/notify/${channel}`, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

export async function orderStatus(world: PaymentWorld, orderId: string): Promise<string> {
  return (await world.orderDb('orders').where({ id: orderId }).first()).status;
}

/** Everything payment and order hold about one order: what "nothing changed" is compared against. */
export async function stateOf(world: PaymentWorld, orderId: string) {
  const payments = await world.paymentDb('payments').where({ order_id: orderId }).orderBy('id');
  const ids = payments.map((p: { id: string }) => p.id);
  return {
    order: await world.orderDb('orders').where({ id: orderId }).first(),
    history: await world.orderDb('order_status_history').where({ order_id: orderId }).orderBy('id'),
    payments,
    refunds: await world.paymentDb('refunds').where({ order_id: orderId }).orderBy('id'),
    events: ids.length ? await world.paymentDb('outbox').whereIn('aggregate_id', ids).orderBy('id') : [],
  };
}

/** The order reached `status` (settling runs in durable jobs, so tests wait for it). */
export async function untilOrder(world: PaymentWorld, orderId: string, status: string) {
  await waitFor(async () => (await orderStatus(world, orderId)) === status);
}

export async function untilRefunds(world: PaymentWorld, orderId: string, settled: (rows: any[]) => boolean) {
  await waitFor(async () => settled(await world.paymentDb('refunds').where({ order_id: orderId })));
}

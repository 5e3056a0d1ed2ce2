/**
 * Payment tests: user, order and payment subgraphs on ephemeral ports against the run's databases, orders placed
 * with the order subgraph's fixture (checkout comes with its own issue), the sandbox providers of this process.
 */
import type { Knex } from 'knex';
import { asIdentity, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { startIsolatedSupergraph } from '../../../test/support/isolated-supergraph';
import { waitFor } from '../../../test/support/events-db';
import { PERIODIC_KEY } from '../../../platform/events';
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
  /** Orders and shoppers this world made: the invariants look at these only (other test files share the database). */
  orders: string[];
  users: string[];
  stop(): Promise<void>;
}

export async function startPaymentWorld(overrides: Record<string, string> = {}, options: { isolated?: boolean } = {}): Promise<PaymentWorld> {
  // Isolated: a database of the file's own, for a file that changes what its process's provider sandbox answers — in
  // the run's shared database another worker's payment instance could claim its jobs and call an unchanged sandbox.
  const running = options.isolated
    ? await startIsolatedSupergraph(
        { EVENTS_JOB_POLL_INTERVAL_MS: '25', EVENTS_POLL_INTERVAL_MS: '25', PAYMENT_RECONCILE_AFTER_SECONDS: '3600', ...overrides },
        { subgraphs: ['user', 'order', 'payment'], router: false },
      )
    : await startSupergraph({ subgraphs: ['user', 'order', 'payment'], router: false, config: paymentTestConfig(overrides) });
  const paymentUrl = running.subgraphs.payment!.url;
  return {
    running,
    paymentUrl,
    paymentOrigin: new URL(paymentUrl).origin,
    orderDb: running.subgraphs.order!.db,
    paymentDb: running.subgraphs.payment!.db,
    wechat: sharedWechatSandbox(paymentTestConfig(overrides)),
    alipay: sharedAlipaySandbox(paymentTestConfig(overrides)),
    orders: [],
    users: [],
    stop: () => running.stop(),
  };
}

export async function newShopper(world: PaymentWorld) {
  const user = await registerUser(world.running.subgraphs.user!.url);
  world.users.push(user.userId);
  return user;
}

export async function newOrder(world: PaymentWorld, options: TestOrderOptions) {
  const orderId = await placeTestOrder(world.orderDb, options);
  world.orders.push(orderId);
  return orderId;
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
    // published_at left out: the relay sets it whenever it runs.
    events: ids.length ? await world.paymentDb('outbox').whereIn('aggregate_id', ids).orderBy('id').select('event_id', 'type', 'aggregate_id', 'payload') : [],
  };
}

/** The order reached `status` (settling runs in durable jobs, so tests wait for it). */
export async function untilOrder(world: PaymentWorld, orderId: string, status: string) {
  await waitFor(async () => (await orderStatus(world, orderId)) === status);
}

export async function untilRefunds(world: PaymentWorld, orderId: string, settled: (rows: any[]) => boolean) {
  await waitFor(async () => settled(await world.paymentDb('refunds').where({ order_id: orderId })));
}

export const STAFF = (userId = '1') => asIdentity({ userId, scopes: ['payment:refund'] }, 'payment');

/**
 * Waits until no payment job is left to run (settling, refunds, order updates, closing trades), reconciliation aside
 * (trade queries, member card queries, and refund queries, which a refund finished by its notification leaves to run later as a no-op) and
 * periodic jobs.
 */
export async function untilJobsSettled(world: Pick<PaymentWorld, 'paymentDb'>) {
  await waitFor(async () => {
    const open = await world.paymentDb('jobs')
      .whereNotIn('kind', ['payment.reconcile', 'payment.refundQuery', 'payment.memberCardQuery'])
      .whereNot({ key: PERIODIC_KEY }) // a periodic job (retention) is never done: it is rescheduled
      .whereNull('done_at')
      .whereNull('cancelled_at');
    return open.length === 0;
  });
}

/**
 * The money invariants over every payment and wallet: refunded_amount = the successful refunds; per order, what
 * stays paid (amounts less refunds) = the order's total less the refunds of the payment the order took, and 0 for
 * any payment it did not take; every wallet's ledger sums to its balance, never below zero.
 */
export async function expectMoneyInvariants(world: Pick<PaymentWorld, 'paymentDb' | 'orderDb' | 'orders' | 'users'>) {
  await untilJobsSettled(world);
  const payments = await world.paymentDb('payments').whereIn('status', ['SUCCEEDED', 'REFUNDED']).whereIn('order_id', world.orders);
  const refunds = await world.paymentDb('refunds').where({ status: 'SUCCEEDED' });
  const refundedBy = new Map<string, number>();
  for (const r of refunds) refundedBy.set(r.payment_id, (refundedBy.get(r.payment_id) ?? 0) + r.amount);
  const orders = new Map<string, any>(
    (await world.orderDb('orders').whereIn('id', [...new Set(payments.map((p: any) => p.order_id))])).map((o: any) => [o.id, o]),
  );
  for (const p of payments) {
    expect({ payment: p.id, refunded: p.refunded_amount }).toEqual({ payment: p.id, refunded: refundedBy.get(p.id) ?? 0 });
    const order = orders.get(p.order_id);
    const taken = order.payment_id === p.id;
    const net = p.amount - p.refunded_amount;
    expect({ payment: p.id, taken, net }).toEqual({ payment: p.id, taken, net: taken ? order.total - (refundedBy.get(p.id) ?? 0) : 0 });
  }
  const accounts = await world.paymentDb('wallet_accounts').whereIn('user_id', world.users);
  for (const account of accounts) {
    const sum = await world.paymentDb('wallet_entries').where({ user_id: account.user_id }).sum<{ sum: string }[]>({ sum: 'amount' });
    expect({ user: account.user_id, balance: account.balance }).toEqual({ user: account.user_id, balance: Number(sum[0].sum ?? 0) });
    expect(account.balance).toBeGreaterThanOrEqual(0);
  }
  expect(await world.paymentDb('wallet_entries').whereIn('user_id', world.users).where('balance_after', '<', 0)).toHaveLength(0);
}

/** The sandboxes of this process (what the payment subgraph started with `config` uses). */
export function sharedSandboxes(config: ReturnType<typeof paymentTestConfig>) {
  return { wechat: sharedWechatSandbox(config), alipay: sharedAlipaySandbox(config) };
}

/**
 * A test file's world: started before its tests, stopped after them, and checked for the money invariants before it
 * stops. `use` receives the started world (assign it to the file's `world`).
 */
export function paymentWorldForFile(
  use: (world: PaymentWorld) => void,
  overrides: Record<string, string> = {},
  options: { isolated?: boolean } = {},
): void {
  let started: PaymentWorld | undefined;
  beforeAll(async () => {
    started = await startPaymentWorld(overrides, options);
    use(started);
  });
  afterAll(async () => {
    if (started) await expectMoneyInvariants(started);
    await started?.stop();
  });
}

/**
 * Family wallets and the member card through the router (docs/family-wallets.md), on real PostgreSQL and Redis, on a
 * database of its own (isolated-supergraph: the subscription scheduler and the card jobs are per database): staff
 * credit a family's wallet; the owner pays a subscription order from it (seed /pay/wx/subscribe "家庭余额"); a
 * member reads the wallet but cannot spend it; racing payments never overdraw; the subscription cancelled after one
 * period shipped refunds the undelivered periods to the family wallet; the member card bought with the WeChat sandbox
 * through the router's /notify routes makes the family FORMAL for a year, the price being staff's.
 */
import { signAccessToken } from '../platform/access-token';
import { createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT } from '../subgraphs/order/test/checkout-fixtures';
import { expectMoneyInvariants, paymentTestConfig, waitFor } from '../subgraphs/payment/test/support';
import { bearer, codes, gql, uniquePhone } from './support/harness';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';

const overrides = { SUBSCRIPTION_SCHEDULER_INTERVAL_SECONDS: '1', SUBSCRIPTION_PACKAGE_LEAD_DAYS: '1', CATALOG_CACHE: 'false' };
const config = paymentTestConfig(overrides);
let supergraph: IsolatedSupergraph;
let router: string;
let origin: string;
const orders: string[] = [];

beforeAll(async () => {
  supergraph = await startIsolatedSupergraph({ EVENTS_JOB_POLL_INTERVAL_MS: '25', EVENTS_POLL_INTERVAL_MS: '25', PAYMENT_RECONCILE_AFTER_SECONDS: '3600', ...overrides });
  router = supergraph.routerUrl!;
  origin = new URL(router).origin;
}, 120_000);
afterAll(async () => {
  if (supergraph) await expectMoneyInvariants({ paymentDb: supergraph.subgraphs.payment!.db, orderDb: supergraph.subgraphs.order!.db, orders, users: [] });
  await supergraph?.stop();
});

const staff = bearer(signAccessToken({ userId: '999995', scopes: ['order:write', 'catalog:write', 'payment:refund', 'member:write'] }, config));

interface Shopper {
  id: string;
  phone: string;
  auth: Record<string, string>;
}

async function shopper(): Promise<Shopper> {
  const phone = uniquePhone();
  const answer = ok(await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', { input: { phone, password: 'family123', nickname: '家' } }));
  return { id: answer.register.user.id, phone, auth: bearer(answer.register.accessToken) };
}

async function familyOf(owner: Shopper, member?: Shopper): Promise<string> {
  const input = { name: '我家', contactName: '张三', phone: '13800138000', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园1号' };
  const id = ok(await gql(router, 'mutation($input: FamilyInput!) { createFamily(input: $input) { id } }', { input }, owner.auth)).createFamily.id;
  if (member) ok(await gql(router, 'mutation($f: ID!, $p: String!) { addFamilyMember(familyId: $f, phone: $p) { id } }', { f: id, p: member.phone }, owner.auth));
  return id;
}

const RUN = Date.now().toString(36);
const credit = (familyId: string, amount: number, key: string) =>
  gql(router, `mutation($f: ID!, $a: Int!, $k: String!) { creditFamilyWallet(familyId: $f, amount: $a, note: "门店充值", idempotencyKey: $k) { amount balanceAfter } }`, { f: familyId, a: amount, k: `${RUN}-${key}` }, staff);
const WALLET = `query($f: ID!) { familyWallet(familyId: $f) { balance canSpend bills(first: 20) { edges { node { amount kind balanceAfter } } } } }`;
const PAY = `mutation($o: ID!, $f: ID) { payOrder(orderId: $o, method: FAMILY_BALANCE, familyId: $f) { payment { status method amount } } }`;

async function subscriptionOrder(owner: Shopper, waresId: string) {
  const addressId = ok(await gql(router, 'mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT }, owner.auth)).addAddress.id;
  const order = ok(await gql(router, `mutation($input: CreateSubscriptionOrderInput!) { createSubscriptionOrder(input: $input) { id total } }`, { input: { waresId, addressId } }, owner.auth)).createSubscriptionOrder;
  orders.push(order.id);
  return order as { id: string; total: number };
}

const SUBSCRIPTION = `query($id: ID!) { order(id: $id) { status refundedAmount subscription { packages { id periodNo amount status } } payment { method status refundedAmount } } }`;

it('a subscription paid from the family wallet; a member reads but cannot spend; the pro-rata refund goes back to the family', async () => {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 3000, stock: 20 }]);
  const wares = ok(
    await gql(router, `mutation($input: CreateSubscriptionWaresInput!) { createSubscriptionWares(input: $input) { id } }`,
      { input: { skuId: skuIds[0], title: '每周鲜奶', cycle: 'WEEKLY', periods: 4, quantityPerPeriod: 1, price: 10001, onShelf: true } }, staff),
  ).createSubscriptionWares;
  const owner = await shopper();
  const member = await shopper();
  const familyId = await familyOf(owner, member);
  expect(ok(await credit(familyId, 12_000, 'sub')).creditFamilyWallet).toEqual({ amount: 12_000, balanceAfter: 12_000 });
  expect(codes(await gql(router, WALLET, { f: familyId }))).toEqual(['UNAUTHENTICATED']);

  const order = await subscriptionOrder(owner, wares.id);
  // The member sees the wallet (not spendable); paying their own order from it is refused, nothing moves.
  expect(ok(await gql(router, WALLET, { f: familyId }, member.auth)).familyWallet).toMatchObject({ balance: 12_000, canSpend: false });
  const memberOrder = await subscriptionOrder(member, wares.id);
  expect((await gql(router, PAY, { o: memberOrder.id, f: familyId }, member.auth)).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_FAMILY_OWNER' });
  const stranger = await shopper();
  expect(codes(await gql(router, WALLET, { f: familyId }, stranger.auth))).toEqual(['NOT_FOUND']);

  expect(ok(await gql(router, PAY, { o: order.id, f: familyId }, owner.auth)).payOrder.payment).toEqual({ status: 'SUCCEEDED', method: 'FAMILY_BALANCE', amount: 10001 });
  await waitFor(async () => {
    const o = ok(await gql(router, SUBSCRIPTION, { id: order.id }, owner.auth)).order;
    return o.status === 'PAID' && o.subscription.packages.length === 4 && o.subscription.packages[0].status === 'TO_SHIP';
  }, 50);
  expect(ok(await gql(router, WALLET, { f: familyId }, owner.auth)).familyWallet.balance).toBe(1999);

  // Period 1 ships; the shopper cancels: periods 2..4 (2500 + 2500 + 2501) go back to the family wallet.
  const paid = ok(await gql(router, SUBSCRIPTION, { id: order.id }, owner.auth)).order;
  ok(await gql(router, `mutation($p: ID!) { shipSubscriptionPackage(packageId: $p, carrierCode: "SF", trackingNumber: "SF900800700") { status } }`, { p: paid.subscription.packages[0].id }, staff));
  ok(await gql(router, `mutation($o: ID!) { cancelSubscription(orderId: $o, reason: "不要了") { id } }`, { o: order.id }, owner.auth));
  await waitFor(async () => ok(await gql(router, SUBSCRIPTION, { id: order.id }, owner.auth)).order.payment.refundedAmount === 7501, 50);
  const wallet = ok(await gql(router, WALLET, { f: familyId }, owner.auth)).familyWallet;
  expect(wallet.balance).toBe(1999 + 7501);
  expect(wallet.bills.edges.map((e: any) => [e.node.kind, e.node.amount])).toEqual([['REFUND', 7501], ['PAYMENT', -10001], ['CREDIT', 12_000]]);
}, 120_000);

it('8 orders racing on a family wallet that covers 3: exactly 3 paid, the balance never negative', async () => {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 1000, stock: 50 }]);
  const wares = ok(
    await gql(router, `mutation($input: CreateSubscriptionWaresInput!) { createSubscriptionWares(input: $input) { id } }`,
      { input: { skuId: skuIds[0], title: '月度', cycle: 'MONTHLY', periods: 2, quantityPerPeriod: 1, price: 2000, onShelf: true } }, staff),
  ).createSubscriptionWares;
  const owner = await shopper();
  const familyId = await familyOf(owner);
  ok(await credit(familyId, 6000, 'race'));
  const placed: { id: string }[] = [];
  for (let i = 0; i < 8; i += 1) placed.push(await subscriptionOrder(owner, wares.id).catch(() => null as never));
  const payable = placed.filter(Boolean);
  const answers = await Promise.all(payable.map((o) => gql(router, PAY, { o: o.id, f: familyId }, owner.auth)));
  const succeeded = answers.filter((a) => !a.errors).length;
  expect(succeeded).toBe(Math.min(3, payable.length));
  expect(answers.filter((a) => a.errors).every((a) => a.errors![0].extensions?.reason === 'INSUFFICIENT_BALANCE')).toBe(true);
  const db = supergraph.subgraphs.payment!.db;
  const account = await db('family_wallet_accounts').where({ family_id: familyId }).first();
  expect(account.balance).toBe(6000 - succeeded * 2000);
  const sum = await db('family_wallet_entries').where({ family_id: familyId }).sum({ s: 'amount' });
  expect(Number(sum[0].s)).toBe(account.balance);
}, 120_000);

it('the member card: staff set the price, shoppers read it; bought and paid in the WeChat sandbox through the router → FORMAL for a year', async () => {
  const priced = ok(await gql(router, 'mutation { setMemberCardPrice(price: 29900) { price months } }', {}, staff)).setMemberCardPrice;
  expect(priced).toEqual({ price: 29900, months: 12 });
  const owner = await shopper();
  expect(codes(await gql(router, 'mutation { setMemberCardPrice(price: 1) { price } }', {}, owner.auth))).toEqual(['FORBIDDEN']);
  expect(ok(await gql(router, '{ memberCardPrice { price months } }', {}, owner.auth)).memberCardPrice).toEqual({ price: 29900, months: 12 });
  const familyId = await familyOf(owner);
  const bought = ok(await gql(router, `mutation($f: ID!) { buyMemberCard(familyId: $f) { order { id status amount } wechat { paySign } sandboxPayUrl } }`, { f: familyId }, owner.auth)).buyMemberCard;
  expect(bought.order).toMatchObject({ status: 'PENDING', amount: 29900 });
  const before = Date.now();
  // As the shopper's phone: the cashier pays and the sandbox posts its signed notification to the router's /notify/wechat.
  const cashier = await fetch(`${origin}${new URL(bought.sandboxPayUrl).pathname}`, { method: 'POST' });
  expect(await cashier.json()).toMatchObject({ paid: true, delivered: true });
  await waitFor(async () => ok(await gql(router, `query($id: ID!) { memberCardOrder(id: $id) { membershipExpiresAt } }`, { id: bought.order.id }, owner.auth)).memberCardOrder.membershipExpiresAt !== null, 50);
  const family = ok(await gql(router, `query($f: ID!) { family(id: $f) { membership { level expiresAt } } me { membership { level familyId } } }`, { f: familyId }, owner.auth));
  expect(family.family.membership.level).toBe('FORMAL');
  expect(new Date(family.family.membership.expiresAt).getTime()).toBeGreaterThan(before + 364 * 86_400_000);
  expect(family.me.membership).toEqual({ level: 'FORMAL', familyId });
}, 120_000);

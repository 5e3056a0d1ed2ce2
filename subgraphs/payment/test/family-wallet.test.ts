/**
 * Family wallets and the member card at the subgraph level (user, order, payment on real PostgreSQL): staff credits,
 * who reads and who spends, 20 racing FAMILY_BALANCE payments on a wallet covering 5, a refund back to the family,
 * the member card bought in the WeChat sandbox with its notification replayed concurrently and racing the query job,
 * and an unpaid card order expiring (docs/family-wallets.md).
 */
import { scheduleJob } from '../../../platform/events';
import { familyWalletDiscrepancies } from '../data/audit';
import { anonymousTo, asIdentity, codes, gql, uniquePhone } from '../../../test/support/harness';
import { newOrder, paymentWorldForFile, postNotify, STAFF, untilJobsSettled, untilOrder, waitFor, type PaymentWorld } from './support';

let world: PaymentWorld;
paymentWorldForFile((started) => (world = started));

const userUrl = () => world.running.subgraphs.user!.url;
const asUser = (userId: string) => asIdentity({ userId }, 'user');
const asPayer = (userId: string) => asIdentity({ userId }, 'payment');
const MEMBER_STAFF = asIdentity({ userId: '1', scopes: ['member:write'] }, 'payment');

async function shopper() {
  const phone = uniquePhone();
  const answer = await gql(userUrl(), 'mutation($input: RegisterInput!) { register(input: $input) { user { id } } }', { input: { phone, password: 'family123', nickname: 'fam' } }, anonymousTo('user'));
  const userId = answer.data.register.user.id as string;
  world.users.push(userId);
  return { userId, phone };
}

async function family(ownerId: string, memberPhone?: string) {
  const created = await gql(
    userUrl(),
    'mutation($input: FamilyInput!) { createFamily(input: $input) { id } }',
    { input: { name: '我家', contactName: '张三', phone: '13800138000', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园1号' } },
    asUser(ownerId),
  );
  const familyId = created.data.createFamily.id as string;
  if (memberPhone) {
    const added = await gql(userUrl(), 'mutation($f: ID!, $p: String!) { addFamilyMember(familyId: $f, phone: $p) { id } }', { f: familyId, p: memberPhone }, asUser(ownerId));
    expect(added.errors).toBeUndefined();
  }
  return familyId;
}

const CREDIT = `mutation($f: ID!, $a: Int!, $k: String!) { creditFamilyWallet(familyId: $f, amount: $a, note: "家庭充值", idempotencyKey: $k) { id amount balanceAfter kind } }`;
const WALLET = `query($f: ID!) { familyWallet(familyId: $f) { familyId balance canSpend bills(first: 50) { edges { node { amount balanceAfter kind note paidBy } } } } }`;
const PAY_FAMILY = `mutation($o: ID!, $f: ID) { payOrder(orderId: $o, method: FAMILY_BALANCE, familyId: $f) { payment { id status method amount } } }`;

const RUN = Date.now().toString(36);
/** Credit keys are global (ref credit:<key>): this run's own. */
const credit = (familyId: string, amount: number, key: string) => gql(world.paymentUrl, CREDIT, { f: familyId, a: amount, k: `${RUN}-${key}` }, STAFF());
const wallet = (userId: string, familyId: string) => gql(world.paymentUrl, WALLET, { f: familyId }, asPayer(userId));
const order = (userId: string, price = 1000) => newOrder(world, { userId, items: [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: price, quantity: 1 }] });
const ledgerSum = async (familyId: string) => Number((await world.paymentDb('family_wallet_entries').where({ family_id: familyId }).sum({ s: 'amount' }))[0].s ?? 0);

describe('family wallet', () => {
  it('staff credit once per key; owner and members read it, only the owner may spend; strangers and shoppers are refused', async () => {
    const owner = await shopper();
    const member = await shopper();
    const stranger = await shopper();
    const familyId = await family(owner.userId, member.phone);
    const first = await credit(familyId, 800, `fam-${familyId}-a`);
    expect(first.errors).toBeUndefined();
    expect(first.data.creditFamilyWallet).toMatchObject({ amount: 800, balanceAfter: 800, kind: 'CREDIT' });
    expect((await credit(familyId, 800, `fam-${familyId}-a`)).data.creditFamilyWallet.id).toBe(first.data.creditFamilyWallet.id);
    expect(codes(await credit(familyId, 900, `fam-${familyId}-a`))).toEqual(['CONFLICT']);
    expect(codes(await credit('999999999', 100, `fam-unknown-${familyId}`))).toEqual(['NOT_FOUND']);
    expect(codes(await credit(familyId, 0, `fam-${familyId}-zero`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(world.paymentUrl, CREDIT, { f: familyId, a: 1, k: `${RUN}-fam-${familyId}-self` }, asPayer(owner.userId)))).toEqual(['FORBIDDEN']);

    const seenByOwner = (await wallet(owner.userId, familyId)).data.familyWallet;
    expect(seenByOwner).toEqual({ familyId, balance: 800, canSpend: true, bills: { edges: [{ node: { amount: 800, balanceAfter: 800, kind: 'CREDIT', note: '家庭充值', paidBy: null } }] } });
    expect((await wallet(member.userId, familyId)).data.familyWallet).toMatchObject({ balance: 800, canSpend: false });
    expect(codes(await wallet(stranger.userId, familyId))).toEqual(['NOT_FOUND']);
    expect(codes(await wallet(owner.userId, 'abc'))).toEqual(['NOT_FOUND']);

    // A member cannot pay with it; without familyId the method is refused; nothing moved.
    const orderId = await order(member.userId, 300);
    expect((await gql(world.paymentUrl, PAY_FAMILY, { o: orderId, f: familyId }, asPayer(member.userId))).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_FAMILY_OWNER' });
    expect(codes(await gql(world.paymentUrl, PAY_FAMILY, { o: orderId }, asPayer(member.userId)))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(world.paymentUrl, PAY_FAMILY, { o: orderId, f: familyId }, asPayer(stranger.userId)))).toEqual(['NOT_FOUND']);
    expect(await world.paymentDb('payments').where({ order_id: orderId })).toHaveLength(0);
    expect((await wallet(owner.userId, familyId)).data.familyWallet.balance).toBe(800);

    // paymentMethods shows the named family's balance to its owner.
    const methods = await gql(world.paymentUrl, `query($o: ID!, $f: ID) { paymentMethods(orderId: $o, familyId: $f) { type available balance unavailableReason } }`, { o: await order(owner.userId, 500), f: familyId }, asPayer(owner.userId));
    expect(methods.data.paymentMethods.find((m: any) => m.type === 'FAMILY_BALANCE')).toEqual({ type: 'FAMILY_BALANCE', available: true, balance: 800, unavailableReason: null });
  });

  it('20 concurrent family-balance payments on a wallet covering 5: exactly 5 succeed, never negative, the ledger sums to the balance', async () => {
    const owner = await shopper();
    const familyId = await family(owner.userId);
    await credit(familyId, 5000, `fam-${familyId}-20`);
    const orders = await Promise.all(Array.from({ length: 20 }, () => order(owner.userId)));
    const answers = await Promise.all(orders.map((o) => gql(world.paymentUrl, PAY_FAMILY, { o, f: familyId }, asPayer(owner.userId))));
    const paid = answers.filter((a) => !a.errors);
    expect(paid).toHaveLength(5);
    expect(paid.every((a) => a.data.payOrder.payment.status === 'SUCCEEDED' && a.data.payOrder.payment.method === 'FAMILY_BALANCE')).toBe(true);
    expect(answers.filter((a) => a.errors).map((a) => a.errors![0].extensions)).toEqual(Array(15).fill(expect.objectContaining({ code: 'CONFLICT', reason: 'INSUFFICIENT_BALANCE' })));
    expect((await wallet(owner.userId, familyId)).data.familyWallet.balance).toBe(0);
    expect(await ledgerSum(familyId)).toBe(0);
    expect(await world.paymentDb('family_wallet_entries').where({ family_id: familyId }).where('balance_after', '<', 0)).toHaveLength(0);
    await untilJobsSettled(world);
    expect((await world.orderDb('orders').whereIn('id', orders).where({ status: 'PAID' })).length).toBe(5);
    expect(await world.paymentDb('payments').whereIn('order_id', orders)).toHaveLength(5);
  });

  it('one order paid 5 times at once from the family wallet is debited once; its refund goes back to the family', async () => {
    const owner = await shopper();
    const familyId = await family(owner.userId);
    await credit(familyId, 10_000, `fam-${familyId}-r`);
    const orderId = await order(owner.userId, 1200);
    const answers = await Promise.all(Array.from({ length: 5 }, () => gql(world.paymentUrl, PAY_FAMILY, { o: orderId, f: familyId }, asPayer(owner.userId))));
    expect(answers.filter((a) => a.errors).map((a) => a.errors![0].extensions?.code)).toEqual(Array(4).fill('CONFLICT'));
    await untilOrder(world, orderId, 'PAID');
    expect((await wallet(owner.userId, familyId)).data.familyWallet.balance).toBe(8800);
    const refund = await gql(world.paymentUrl, `mutation($o: ID!) { refundOrder(orderId: $o, amount: 1200, reason: "缺货", idempotencyKey: "fam-refund-${orderId}") { status amount } }`, { o: orderId }, STAFF());
    expect(refund.data.refundOrder).toMatchObject({ amount: 1200 });
    await untilOrder(world, orderId, 'REFUNDED');
    const after = (await wallet(owner.userId, familyId)).data.familyWallet;
    expect(after.balance).toBe(10_000);
    expect(after.bills.edges.map((e: any) => e.node.kind)).toEqual(['REFUND', 'PAYMENT', 'CREDIT']);
    expect(after.bills.edges[1].node.paidBy).toBe(owner.userId);
    // The shopper's own wallet was not touched.
    expect(await world.paymentDb('wallet_entries').where({ user_id: owner.userId })).toHaveLength(0);

    // The invariant checker's view (audit/invariants/family-wallet.ts): clean; a balance changed outside the ledger shows.
    const mine = async () => (await familyWalletDiscrepancies(world.paymentDb)).filter((row) => row.familyId === familyId);
    expect(await mine()).toEqual([]);
    await world.paymentDb('family_wallet_accounts').where({ family_id: familyId }).increment('balance', 1);
    expect((await mine()).map((row) => row.problem).sort()).toEqual(['BALANCE_NOT_LAST_ENTRY', 'BALANCE_NOT_LEDGER_SUM']);
    await world.paymentDb('family_wallet_accounts').where({ family_id: familyId }).decrement('balance', 1);
    expect(await mine()).toEqual([]);
  });
});

const BUY = `mutation($f: ID!) { buyMemberCard(familyId: $f) { order { id status amount familyId outTradeNo expiresAt } wechat { paySign package } sandboxPayUrl } }`;
const FAMILY_MEMBERSHIP = `query($f: ID!) { family(id: $f) { membership { level expiresAt } } }`;
const membership = async (userId: string, familyId: string) => (await gql(userUrl(), FAMILY_MEMBERSHIP, { f: familyId }, asUser(userId))).data.family.membership;
const YEAR_MS = 365 * 24 * 3600_000;

describe('member card', () => {
  beforeAll(async () => {
    const set = await gql(world.paymentUrl, 'mutation { setMemberCardPrice(price: 19900) { price months since } }', {}, MEMBER_STAFF);
    expect(set.data.setMemberCardPrice).toMatchObject({ price: 19900, months: 12 });
  });

  it('price: staff only (member:write), bounded; shoppers read it', async () => {
    const someone = await shopper();
    expect(codes(await gql(world.paymentUrl, 'mutation { setMemberCardPrice(price: 100) { price } }', {}, asPayer(someone.userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(world.paymentUrl, 'mutation { setMemberCardPrice(price: 0) { price } }', {}, MEMBER_STAFF))).toEqual(['BAD_USER_INPUT']);
    expect((await gql(world.paymentUrl, '{ memberCardPrice { price months } }', {}, asPayer(someone.userId))).data.memberCardPrice).toEqual({ price: 19900, months: 12 });
  });

  it('paid in the sandbox, the notification replayed 10 times at once while the query job races it: one year, once; a second card extends it', async () => {
    const owner = await shopper();
    const member = await shopper();
    const familyId = await family(owner.userId, member.phone);
    expect((await gql(world.paymentUrl, BUY, { f: familyId }, asPayer(member.userId))).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_FAMILY_OWNER' });
    const bought = await gql(world.paymentUrl, BUY, { f: familyId }, asPayer(owner.userId));
    expect(bought.errors).toBeUndefined();
    const card = bought.data.buyMemberCard;
    expect(card.order).toMatchObject({ status: 'PENDING', amount: 19900, familyId });
    expect(card.order.outTradeNo.startsWith('M')).toBe(true);
    // A retry answers the same open order and prepay.
    const again = await gql(world.paymentUrl, BUY, { f: familyId }, asPayer(owner.userId));
    expect(again.data.buyMemberCard.order.id).toBe(card.order.id);
    expect(again.data.buyMemberCard.wechat.package).toBe(card.wechat.package);

    // The shopper pays; WeChat's notification is captured and delivered 10 times at once, racing the query job.
    const notice = world.wechat.pay(String(card.wechat.package).replace('prepay_id=', ''))!;
    await scheduleJob(world.paymentDb, { kind: 'payment.memberCardQuery', key: `MC${card.order.id}:test`, runAt: new Date(), payload: { cardOrderId: card.order.id, final: false } });
    const before = Date.now();
    const answers = await Promise.all(Array.from({ length: 10 }, () => postNotify(world, 'wechat', notice.body, notice.headers)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(204));
    await waitFor(async () => Boolean((await world.paymentDb('member_card_orders').where({ id: card.order.id }).first()).granted_at));
    await untilJobsSettled(world);
    const first = await membership(owner.userId, familyId);
    expect(first.level).toBe('FORMAL');
    const expiry = new Date(first.expiresAt).getTime();
    expect(expiry).toBeGreaterThanOrEqual(before + YEAR_MS - 24 * 3600_000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + YEAR_MS + 24 * 3600_000);
    expect(await world.running.subgraphs.user!.db('membership_grants').where({ family_id: familyId })).toHaveLength(1);
    const seen = await gql(world.paymentUrl, `query($id: ID!) { memberCardOrder(id: $id) { status paidAt membershipExpiresAt } }`, { id: card.order.id }, asPayer(owner.userId));
    expect(seen.data.memberCardOrder).toMatchObject({ status: 'PAID', membershipExpiresAt: first.expiresAt });
    expect((await gql(world.paymentUrl, `query($id: ID!) { memberCardOrder(id: $id) { status } }`, { id: card.order.id }, asPayer(member.userId))).data.memberCardOrder).toBeNull();
    // The replay, later: nothing more.
    expect((await postNotify(world, 'wechat', notice.body, notice.headers)).status).toBe(204);
    await untilJobsSettled(world);
    expect((await membership(owner.userId, familyId)).expiresAt).toBe(first.expiresAt);
    expect(await world.paymentDb('outbox').where({ type: 'MemberCardPaid', aggregate_id: `MC${card.order.id}` })).toHaveLength(1);

    // A second card extends the FORMAL year by another year.
    const second = (await gql(world.paymentUrl, BUY, { f: familyId }, asPayer(owner.userId))).data.buyMemberCard;
    expect(second.order.id).not.toBe(card.order.id);
    const cashier = await fetch(`${world.paymentOrigin}${new URL(second.sandboxPayUrl).pathname}`, { method: 'POST' });
    expect(await cashier.json()).toMatchObject({ paid: true, delivered: true });
    await waitFor(async () => Boolean((await world.paymentDb('member_card_orders').where({ id: second.order.id }).first()).granted_at));
    const extended = await membership(owner.userId, familyId);
    const added = new Date(extended.expiresAt).getTime() - expiry;
    expect(added).toBeGreaterThanOrEqual(YEAR_MS);
    expect(added).toBeLessThanOrEqual(YEAR_MS + 24 * 3600_000);
  });

  it('a forged or tampered notification changes nothing', async () => {
    const owner = await shopper();
    const familyId = await family(owner.userId);
    const card = (await gql(world.paymentUrl, BUY, { f: familyId }, asPayer(owner.userId))).data.buyMemberCard;
    const notice = world.wechat.pay(String(card.wechat.package).replace('prepay_id=', ''))!;
    const tampered = await postNotify(world, 'wechat', notice.body.replace('"', ' "'), notice.headers);
    expect(tampered.status).toBe(401);
    expect((await world.paymentDb('member_card_orders').where({ id: card.order.id }).first()).status).toBe('PENDING');
    expect((await membership(owner.userId, familyId)).level).toBe('NONE');
  });

  it('an order never paid expires at its deadline (closed at WeChat); the next purchase is a new order', async () => {
    const owner = await shopper();
    const familyId = await family(owner.userId);
    const card = (await gql(world.paymentUrl, BUY, { f: familyId }, asPayer(owner.userId))).data.buyMemberCard;
    // Its deadline, now.
    await world.paymentDb('member_card_orders').where({ id: card.order.id }).update({ expires_at: new Date(Date.now() - 1000) });
    await world.paymentDb('jobs').where({ kind: 'payment.memberCardQuery', key: `MC${card.order.id}:deadline` }).update({ run_at: new Date() });
    await waitFor(async () => (await world.paymentDb('member_card_orders').where({ id: card.order.id }).first()).status === 'EXPIRED');
    const prepay = String(card.wechat.package).replace('prepay_id=', '');
    expect(world.wechat.cashierRefusal(prepay)).toBe('ORDER_CLOSED');
    expect((await membership(owner.userId, familyId)).level).toBe('NONE');
    const next = (await gql(world.paymentUrl, BUY, { f: familyId }, asPayer(owner.userId))).data.buyMemberCard;
    expect(next.order.id).not.toBe(card.order.id);
    expect(next.order.status).toBe('PENDING');
  });
});

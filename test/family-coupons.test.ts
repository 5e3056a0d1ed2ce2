/**
 * Family coupon wallets through the router (real PostgreSQL and Redis, a database and events namespace of its own):
 * a free trial in the user subgraph reaches promote as MembershipChanged (outbox → relay → Redis stream → consumer)
 * and becomes the family's free-shipping coupons; members see the wallet and the cart's best coupon, a member's
 * checkout uses a family coupon (shipping waived), and the owner and a member ordering with the same coupon at once
 * get it once.
 */
import crypto from 'node:crypto';
import { ADDRESS_INPUT } from '../subgraphs/order/test/checkout-fixtures';
import { createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { bearer, codes, gql, uniquePhone } from './support/harness';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';

let supergraph: IsolatedSupergraph;
let router: string;

beforeAll(async () => {
  // A flat 800 fen fee below 1,000,000 fen of goods, so the coupon has something to waive.
  supergraph = await startIsolatedSupergraph({ SHIPPING_FEE_FEN: '800', FREE_SHIPPING_THRESHOLD_FEN: '1000000', FAMILY_FREE_SHIPPING_PER_MONTH: '3' });
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
});

async function signUp() {
  const phone = uniquePhone();
  const data = ok(
    await gql<any>(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', { input: { phone, password: 'member123' } }),
  ).register;
  const headers = bearer(data.accessToken);
  const call = (query: string, variables: Record<string, unknown> = {}) => gql<any>(router, query, variables, headers);
  return { id: data.user.id as string, phone, call };
}

const WALLET = 'query($f: ID!) { familyCoupons(familyId: $f) { id type status familyId } }';
const ORDER = 'mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id subtotal shippingFee total } }';

async function walletOnce(call: (q: string, v?: Record<string, unknown>) => Promise<any>, familyId: string, count: number): Promise<any[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    // NOT_FOUND until promote has heard that the caller belongs to the family (the event is on its way).
    const response = await call(WALLET, { f: familyId });
    const wallet = (response.data?.familyCoupons ?? []) as any[];
    if (Date.now() > deadline) return (ok(response) as any).familyCoupons;
    if (!response.errors && wallet.length >= count) return wallet;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it("a trial fills the family's wallet once; members use it at checkout, one order per coupon", async () => {
  const owner = await signUp();
  const member = await signUp();
  const stranger = await signUp();
  const familyId = ok(
    await owner.call('mutation($input: FamilyInput!) { createFamily(input: $input) { id } }', {
      input: { name: '我家', contactName: '张三', phone: '13800138000', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园1号' },
    }),
  ).createFamily.id;
  ok(await owner.call('mutation($f: ID!, $p: String!) { addFamilyMember(familyId: $f, phone: $p) { id } }', { f: familyId, p: member.phone }));
  ok(await owner.call('mutation($f: ID!) { startMemberTrial(familyId: $f) { id } }', { f: familyId }));

  const wallet = await walletOnce(member.call, familyId, 3);
  expect(wallet).toHaveLength(3);
  expect(wallet.every((coupon) => coupon.type === 'FREE_SHIPPING' && coupon.status === 'AVAILABLE' && coupon.familyId === familyId)).toBe(true);
  // Later events of the same period (a member removed and added again) issue nothing more.
  ok(await owner.call('mutation($f: ID!, $u: ID!) { removeFamilyMember(familyId: $f, userId: $u) }', { f: familyId, u: member.id }));
  // Promote's copy of the family learns of the removal by an event: until then the member still reads the wallet. Wait
  // for it, or the reads below could see the copy before the removal and the removal land after them.
  for (const deadline = Date.now() + 15_000; codes(await member.call(WALLET, { f: familyId }))[0] !== 'NOT_FOUND' && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(codes(await member.call(WALLET, { f: familyId }))).toEqual(['NOT_FOUND']);
  ok(await owner.call('mutation($f: ID!, $p: String!) { addFamilyMember(familyId: $f, phone: $p) { id } }', { f: familyId, p: member.phone }));
  expect(await walletOnce(member.call, familyId, 3)).toHaveLength(3);
  const activated = ok(await member.call('mutation($f: ID!) { activateFamilyFreeShippingCoupons(familyId: $f) { issued { id } available { id } } }', { f: familyId }));
  expect(activated.activateFamilyFreeShippingCoupons.issued).toEqual([]);
  expect(activated.activateFamilyFreeShippingCoupons.available).toHaveLength(3);
  expect(codes(await stranger.call(WALLET, { f: familyId }))).toEqual(['NOT_FOUND']);
  expect(codes(await stranger.call('mutation($f: ID!) { activateFamilyFreeShippingCoupons(familyId: $f) { familyId } }', { f: familyId }))).toEqual(['NOT_FOUND']);

  // The member's cart recommends a family coupon (the quote includes the family's wallet).
  const endpoints = viaRouter(router);
  const { skuIds } = await createTestProduct(endpoints, [{ price: 3000, stock: 20 }]);
  ok(await member.call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 1) { id } }', { s: skuIds[0] }));
  const price = ok(await member.call('{ cart { price { shippingFee total bestCoupon { id familyId } } } }')).cart.price;
  expect(price.bestCoupon.familyId).toBe(familyId);

  // Owner and member order with the same family coupon at once: exactly one order gets it.
  const coupon = wallet[0].id;
  const addresses = await Promise.all(
    [owner, member].map(async (who) => ok(await who.call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id),
  );
  const attempts = await Promise.all(
    [owner, member, owner, member].map((who, i) =>
      who.call(ORDER, { input: { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: addresses[i % 2], couponId: coupon }, key: crypto.randomUUID() }),
    ),
  );
  const placed = attempts.filter((attempt) => !attempt.errors);
  expect(placed).toHaveLength(1);
  expect(placed[0].data.createOrder).toMatchObject({ subtotal: 3000, shippingFee: 0, total: 3000 });
  expect(attempts.filter((attempt) => attempt.errors).map((attempt) => codes(attempt)[0])).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
  const after = ok(await owner.call(WALLET, { f: familyId })).familyCoupons as any[];
  expect(after.find((row) => row.id === coupon).status).toBe('LOCKED');
  expect(after.filter((row) => row.status === 'AVAILABLE')).toHaveLength(2);
});

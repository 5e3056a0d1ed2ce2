/** Coupons through the router: staff create templates and codes, shoppers claim, redeem and see their wallet. */
import crypto from 'node:crypto';
import { signAccessToken } from '../platform/access-token';
import type { RunningSupergraph } from '../app/launcher';
import { bearer, codes, gql, startSupergraph, testConfig } from './support/harness';

let supergraph: RunningSupergraph;
let router: string;

beforeAll(async () => {
  supergraph = await startSupergraph();
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
});

const newUserId = () => String(crypto.randomInt(1, 2 ** 47));
const tokenFor = (userId: string, scopes: string[] = []) => bearer(signAccessToken({ userId, scopes }, testConfig()));

it('lets staff create a template and codes, and shoppers claim, redeem and list their coupons', async () => {
  const staff = tokenFor(newUserId(), ['promote:write']);
  const input = { name: `满50减5-${crypto.randomBytes(3).toString('hex')}`, type: 'CASH', amount: 500, minSpend: 5000, totalQuantity: 10, perUserLimit: 2, validDays: 30 };
  const created = await gql(router, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id name remainingQuantity } }', { input }, staff);
  expect(created.errors).toBeUndefined();
  const template = created.data.createCouponTemplate;
  expect(template).toMatchObject({ name: input.name, remainingQuantity: 10 });

  const generated = await gql(router, 'mutation($id: ID!) { createCouponCodes(templateId: $id, count: 2) }', { id: template.id }, staff);
  expect(generated.errors).toBeUndefined();
  const [code] = generated.data.createCouponCodes as string[];

  const shopper = tokenFor(newUserId());
  const claimable = await gql(router, '{ claimableCoupons { id name remainingQuantity } }', {}, shopper);
  expect(claimable.data.claimableCoupons).toContainEqual({ id: template.id, name: input.name, remainingQuantity: 8 });

  const claimed = await gql(router, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id name status amount minSpend validUntil } }', { id: template.id }, shopper);
  expect(claimed.errors).toBeUndefined();
  expect(claimed.data.claimCoupon).toMatchObject({ name: input.name, status: 'AVAILABLE', amount: 500, minSpend: 5000 });

  const redeemed = await gql(router, 'mutation($code: String!) { redeemCouponCode(code: $code) { id status } }', { code: code.toLowerCase() }, shopper);
  expect(redeemed.errors).toBeUndefined();
  const reused = await gql(router, 'mutation($code: String!) { redeemCouponCode(code: $code) { id } }', { code }, tokenFor(newUserId()));
  expect(codes(reused)).toEqual(['CONFLICT']);

  const wallet = await gql(router, '{ myCoupons(status: AVAILABLE) { id name status } }', {}, shopper);
  expect(wallet.data.myCoupons).toEqual([
    { id: redeemed.data.redeemCouponCode.id, name: input.name, status: 'AVAILABLE' },
    { id: claimed.data.claimCoupon.id, name: input.name, status: 'AVAILABLE' },
  ]);
  // Per-user limit 2 reached: the template no longer shows for this shopper, and a third claim is refused.
  const after = await gql(router, '{ claimableCoupons { id } }', {}, shopper);
  expect(after.data.claimableCoupons).not.toContainEqual({ id: template.id });
  expect(codes(await gql(router, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id } }', { id: template.id }, shopper))).toEqual(['CONFLICT']);
});

it('serves the demo templates to anonymous shoppers and guards the rest', async () => {
  const claimable = await gql(router, '{ claimableCoupons { name type amount minSpend } }');
  expect(claimable.data.claimableCoupons).toEqual(
    expect.arrayContaining([
      { name: '满99减10', type: 'CASH', amount: 1000, minSpend: 9900 },
      { name: '新人无门槛5元', type: 'CASH', amount: 500, minSpend: 500 },
      expect.objectContaining({ type: 'FREE_SHIPPING' }),
    ]),
  );
  expect(codes(await gql(router, '{ myCoupons { id } }'))).toEqual(['UNAUTHENTICATED']);
  expect(codes(await gql(router, 'mutation { claimCoupon(templateId: "1") { id } }'))).toEqual(['UNAUTHENTICATED']);
  const input = { name: 'x', type: 'CASH', amount: 100, validDays: 1 };
  const shopperCreates = await gql(router, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }', { input }, tokenFor(newUserId()));
  expect(codes(shopperCreates)).toEqual(['FORBIDDEN']);
});

it('hides the internal operations from the router’s schema', async () => {
  const introspection = await gql(router, '{ __schema { queryType { fields { name } } mutationType { fields { name } } types { name } } }');
  const schema = introspection.data.__schema;
  const queries = schema.queryType.fields.map((field: { name: string }) => field.name);
  const mutations = schema.mutationType.fields.map((field: { name: string }) => field.name);
  const types = schema.types.map((type: { name: string }) => type.name);
  expect(queries).toEqual(expect.arrayContaining(['myCoupons', 'claimableCoupons']));
  expect(mutations).toEqual(expect.arrayContaining(['claimCoupon', 'redeemCouponCode', 'createCouponTemplate', 'createCouponCodes']));
  expect(queries).not.toContain('couponQuote');
  for (const internal of ['lockCoupon', 'useCoupon', 'releaseCoupon']) expect(mutations).not.toContain(internal);
  for (const internal of ['CouponQuote', 'CouponSaving', 'CouponQuoteInput', 'CouponQuoteItemInput']) expect(types).not.toContain(internal);

  const shopper = tokenFor(newUserId());
  const quote = await gql(router, '{ couponQuote(input: { items: [], shippingFee: 0 }) { best { saving } } }', {}, shopper);
  expect(codes(quote)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  const lock = await gql(router, 'mutation { lockCoupon(couponId: "1", orderId: "1") { id } }', {}, shopper);
  expect(codes(lock)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
});

/** Staff managing redeem codes and coupon templates through the router (scope promote:write), as the console would. */
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
const staff = tokenFor(newUserId(), ['promote:write']);

async function ok(promise: Promise<{ data?: any; errors?: unknown }>) {
  const response = await promise;
  expect(response.errors).toBeUndefined();
  return response.data;
}

it('lists, disables and deletes codes, edits and finds templates; shoppers are refused', async () => {
  const tag = crypto.randomBytes(4).toString('hex');
  const input = { name: `码-${tag}`, description: `console ${tag}`, type: 'CASH', amount: 300, minSpend: 3000, totalQuantity: 5, perUserLimit: 5, validDays: 10 };
  const { createCouponTemplate: template } = await ok(
    gql(router, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id description } }', { input }, staff),
  );
  expect(template.description).toBe(input.description);
  await ok(gql(router, 'mutation($id: ID!) { createCouponCodes(templateId: $id, count: 3) }', { id: template.id }, staff));

  const LIST = `query($filter: CouponCodeFilter) { couponCodes(first: 10, filter: $filter) {
    edges { node { id code status template { id name remainingQuantity } } } pageInfo { hasNextPage } } }`;
  const listed = (await ok(gql(router, LIST, { filter: { templateId: template.id } }, staff))).couponCodes.edges.map((edge: any) => edge.node);
  expect(listed).toHaveLength(3);
  expect(listed[0]).toMatchObject({ status: 'ACTIVE', template: { id: template.id, name: input.name, remainingQuantity: 2 } });
  const [first, second, third] = listed;

  await ok(gql(router, 'mutation($id: ID!) { updateCouponCode(id: $id, input: { disabled: true }) { status } }', { id: first.id }, staff));
  const shopper = tokenFor(newUserId());
  const refused = await gql(router, 'mutation($code: String!) { redeemCouponCode(code: $code) { id } }', { code: first.code }, shopper);
  expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'CODE_DISABLED' });
  await ok(gql(router, 'mutation($code: String!) { redeemCouponCode(code: $code) { id amount } }', { code: second.code }, shopper));

  const deleted = await ok(gql(router, 'mutation($id: ID!) { deleteCouponCode(id: $id) { status template { remainingQuantity } } }', { id: third.id }, staff));
  expect(deleted.deleteCouponCode).toEqual({ status: 'DELETED', template: { remainingQuantity: 3 } });
  const statuses = (await ok(gql(router, LIST, { filter: { templateId: template.id } }, staff))).couponCodes.edges.map((edge: any) => edge.node.status);
  expect(statuses.sort()).toEqual(['DISABLED', 'REDEEMED']);

  const UPDATE = 'mutation($id: ID!, $input: UpdateCouponTemplateInput!) { updateCouponTemplate(id: $id, input: $input) { name totalQuantity amount } }';
  const renamed = await ok(gql(router, UPDATE, { id: template.id, input: { name: `码-${tag}-2`, totalQuantity: 2 } }, staff));
  expect(renamed.updateCouponTemplate).toEqual({ name: `码-${tag}-2`, totalQuantity: 2, amount: 300 });
  const terms = await gql(router, UPDATE, { id: template.id, input: { amount: 100 } }, staff);
  expect(terms.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'TEMPLATE_ISSUED' });
  // The shopper's coupon shows the new name and the old terms.
  const wallet = await ok(gql(router, '{ myCoupons { name amount } }', {}, shopper));
  expect(wallet.myCoupons).toEqual([{ name: `码-${tag}-2`, amount: 300 }]);

  const found = await ok(gql(router, 'query($k: String!) { couponTemplates(first: 5, filter: { keyword: $k }) { edges { node { id } } } }', { k: tag }, staff));
  expect(found.couponTemplates.edges).toEqual([{ node: { id: template.id } }]);

  expect(codes(await gql(router, LIST, {}, shopper))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, UPDATE, { id: template.id, input: { name: 'x' } }, shopper))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, 'mutation($id: ID!) { deleteCouponCode(id: $id) { id } }', { id: first.id }))).toEqual(['UNAUTHENTICATED']);
});

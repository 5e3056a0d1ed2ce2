/**
 * Reviews through the router: a shopper's real journey (register → cart → createOrder → sandbox WeChat pay → staff
 * ship → confirm receipt) makes order publish OrderCompleted; the review subgraph records the lines; the buyer reviews
 * a line once (another shopper cannot); the product page shows the review with its author's public nickname and the
 * rating on the very next read, although the router keeps public catalog answers (a long max-age here); staff hide and
 * show it again. The automatic receipt confirmation publishes OrderCompleted too.
 */
import crypto from 'node:crypto';
import type { RunningSupergraph } from '../app/launcher';
import { signAccessToken } from '../platform/access-token';
import { countStatements } from '../platform/db';
import { createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT } from '../subgraphs/order/test/checkout-fixtures';
import { placeTestOrder, registerUser, type RegisteredUser } from '../subgraphs/order/test/fixtures';
import { autoConfirmReceipt } from '../subgraphs/order/refunds';
import { paymentTestConfig, waitFor } from '../subgraphs/payment/test/support';
import { bearer, codes, gql, startSupergraph } from './support/harness';

// The router may keep public catalog answers for a minute: a review must still show on the next read.
const config = paymentTestConfig({ CATALOG_RESPONSE_MAX_AGE_SECONDS: '60' });
let supergraph: RunningSupergraph;
let router: string;
let origin: string;

beforeAll(async () => {
  supergraph = await startSupergraph({ config });
  router = supergraph.routerUrl!;
  origin = new URL(router).origin;
});
afterAll(async () => {
  await supergraph?.stop();
});

const staff = bearer(signAccessToken({ userId: '999998', scopes: ['order:write'] }, config));
const moderator = bearer(signAccessToken({ userId: '999996', scopes: ['review:moderate'] }, config));
const as = (user: RegisteredUser) => bearer(user.accessToken);

const PRODUCT_PAGE = `query($id: ID!) { product(id: $id) { id title skus { id name price }
  rating { average count countsByStar { stars count } }
  reviews(first: 10) { edges { node { stars content images author { nickname avatarUrl phone } sku { id name } } } } } }`;
const productPage = async (id: string, headers: Record<string, string> = {}) => ok(await gql(router, PRODUCT_PAGE, { id }, headers)).product;
const REVIEW_LINES = `query($id: ID!) { order(id: $id) { status reviewLines { orderItemId sku { id name } product { title } review { stars } } } }`;
const SUBMIT = `mutation($input: SubmitReviewInput!) { submitReview(input: $input) { id stars author { nickname } } }`;

/** The journey of test/payment-journey.test.ts: a real order of the given SKUs, paid, shipped and received. */
async function receivedOrder(shopper: RegisteredUser, skuIds: string[]): Promise<string> {
  const call = (query: string, variables: Record<string, unknown> = {}) => gql(router, query, variables, as(shopper));
  const addressId = ok(await call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
  const lineIds: string[] = [];
  for (const skuId of skuIds) {
    const cart = ok(await call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 1) { items { id sku { id } } } }', { s: skuId })).addToCart;
    lineIds.push(cart.items.find((item: { sku: { id: string } }) => item.sku.id === skuId).id);
  }
  const orderId = ok(
    await call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id } }', {
      input: { cartItemIds: lineIds, addressId },
      key: crypto.randomUUID(),
    }),
  ).createOrder.id;
  const paid = ok(await call('mutation($id: ID!) { payOrder(orderId: $id, method: WECHAT) { sandboxPayUrl } }', { id: orderId })).payOrder;
  const cashier = await fetch(`${origin}${new URL(paid.sandboxPayUrl).pathname}`, { method: 'POST' });
  expect(await cashier.json()).toMatchObject({ paid: true, delivered: true });
  await waitFor(async () => (await call('query($id: ID!) { order(id: $id) { status } }', { id: orderId })).data?.order?.status === 'PAID');
  ok(await gql(router, 'mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF9876543210") { status } }', { id: orderId }, staff));
  expect(ok(await call('mutation($id: ID!) { confirmReceipt(id: $id) { status } }', { id: orderId })).confirmReceipt.status).toBe('COMPLETED');
  return orderId;
}

it('complete an order → its lines await a review → the buyer reviews once → the product shows it on the next read', async () => {
  const { productId, skuIds } = await createTestProduct(viaRouter(router), [{ price: 2500, stock: 5 }, { price: 2600, stock: 5 }]);
  const buyer = await registerUser(router);
  const stranger = await registerUser(router);

  // The router keeps catalog-only answers (product declares them public)...
  const cache = supergraph.router!.responseCacheStats!;
  const stored = cache.stored;
  ok(await gql(router, 'query($id: ID!) { product(id: $id) { title } }', { id: productId }));
  expect(cache.stored).toBe(stored + 1);
  // ...but never one with reviews or a rating in it: review declares nothing public (docs/reviews.md).
  const before = await productPage(productId);
  expect(before.rating).toEqual({ average: null, count: 0, countsByStar: [5, 4, 3, 2, 1].map((stars) => ({ stars, count: 0 })) });
  expect(before.reviews.edges).toEqual([]);
  expect(await productPage(productId)).toEqual(before);
  expect(cache.stored).toBe(stored + 1);

  const orderId = await receivedOrder(buyer, skuIds);
  // OrderCompleted travels order's outbox → stream → review's consumer.
  let lines: { orderItemId: string; sku: { id: string; name: string }; product: { title: string }; review: null }[] = [];
  await waitFor(async () => {
    lines = ok(await gql(router, REVIEW_LINES, { id: orderId }, as(buyer))).order.reviewLines;
    return lines.length === 2;
  });
  expect(lines.map((line) => line.sku.id).sort()).toEqual([...skuIds].sort());
  expect(lines.every((line) => line.product.title === before.title && line.review === null)).toBe(true);
  const pending = ok(await gql(router, '{ myReviewableLines(pending: true) { edges { node { orderItemId order { id status } } } } }', {}, as(buyer)));
  expect(pending.myReviewableLines.edges.map((edge: { node: unknown }) => edge.node)).toEqual(
    [...lines].sort((a, b) => Number(b.orderItemId) - Number(a.orderItemId)).map((line) => ({ orderItemId: line.orderItemId, order: { id: orderId, status: 'COMPLETED' } })),
  );

  const line = lines.find((candidate) => candidate.sku.id === skuIds[0])!;
  // Not the buyer: refused as if the line did not exist.
  expect(codes(await gql(router, SUBMIT, { input: { orderItemId: line.orderItemId, stars: 1 } }, as(stranger)))).toEqual(['NOT_FOUND']);
  expect(codes(await gql(router, SUBMIT, { input: { orderItemId: line.orderItemId, stars: 5 } }))).toEqual(['UNAUTHENTICATED']);

  const review = ok(await gql(router, SUBMIT, { input: { orderItemId: line.orderItemId, stars: 5, content: '很好，推荐', images: ['https://img.example.com/r/1.jpg'] } }, as(buyer))).submitReview;
  expect(review).toMatchObject({ stars: 5, author: { nickname: 'order test' } });
  // Once per line.
  expect(codes(await gql(router, SUBMIT, { input: { orderItemId: line.orderItemId, stars: 4 } }, as(buyer)))).toEqual(['CONFLICT']);

  // The very next read through the router: rating and review, the author's public profile only.
  const after = await productPage(productId);
  expect(after.rating).toEqual({ average: 5, count: 1, countsByStar: [{ stars: 5, count: 1 }, ...[4, 3, 2, 1].map((stars) => ({ stars, count: 0 }))] });
  expect(after.reviews.edges).toEqual([
    { node: { stars: 5, content: '很好，推荐', images: ['https://img.example.com/r/1.jpg'], author: { nickname: 'order test', avatarUrl: null, phone: null }, sku: { id: skuIds[0], name: 'v0' } } },
  ]);
  expect(await productPage(productId, as(stranger))).toEqual(after);
  // The order page shows which line is reviewed.
  const reviewed = ok(await gql(router, REVIEW_LINES, { id: orderId }, as(buyer))).order.reviewLines;
  expect(reviewed.find((candidate: { orderItemId: string }) => candidate.orderItemId === line.orderItemId).review).toEqual({ stars: 5 });
  // "My reviews" on the shopper's own profile.
  expect(ok(await gql(router, '{ me { reviews { edges { node { stars } } } } }', {}, as(buyer))).me.reviews.edges).toEqual([{ node: { stars: 5 } }]);

  // Staff hide it: gone from the page and the rating on the next read; shown again after unhide.
  const HIDE = 'mutation($id: ID!) { hideReview(id: $id, reason: "含广告") { hidden } }';
  expect(codes(await gql(router, HIDE, { id: review.id }, as(buyer)))).toEqual(['FORBIDDEN']);
  expect(ok(await gql(router, HIDE, { id: review.id }, moderator)).hideReview).toEqual({ hidden: true });
  const hidden = await productPage(productId);
  expect(hidden.rating).toMatchObject({ average: null, count: 0 });
  expect(hidden.reviews.edges).toEqual([]);
  ok(await gql(router, 'mutation($id: ID!) { unhideReview(id: $id) { hidden } }', { id: review.id }, moderator));
  expect(await productPage(productId)).toEqual(after);
});

it('the automatic receipt confirmation publishes OrderCompleted too', async () => {
  const buyer = await registerUser(router);
  const orderDb = supergraph.subgraphs.order!.db;
  const { productId, skuIds } = await createTestProduct(viaRouter(router), [{ price: 3000, stock: 5 }]);
  const orderId = await placeTestOrder(orderDb, {
    userId: buyer.userId,
    status: 'SHIPPED',
    items: [{ skuId: skuIds[0], productId, title: '自动确认', skuName: 'v0', unitPrice: 3000, quantity: 1 }],
  });
  expect(await orderDb.transaction((trx) => autoConfirmReceipt(trx, config.order, orderId))).toBe(true);
  await waitFor(async () => ok(await gql(router, REVIEW_LINES, { id: orderId }, as(buyer))).order.reviewLines.length === 1);
  const [line] = ok(await gql(router, REVIEW_LINES, { id: orderId }, as(buyer))).order.reviewLines;
  ok(await gql(router, SUBMIT, { input: { orderItemId: line.orderItemId, stars: 3 } }, as(buyer)));
  expect(ok(await gql(router, '{ myReviews { edges { node { stars product { id } } } } }', {}, as(buyer))).myReviews.edges).toEqual([
    { node: { stars: 3, product: { id: productId } } },
  ]);
});

it('a line refunded in full is not reviewable; the other line of the order still is', async () => {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 2500, stock: 5 }, { price: 2600, stock: 5 }]);
  const buyer = await registerUser(router);
  const orderId = await receivedOrder(buyer, skuIds);
  let lines: { orderItemId: string; sku: { id: string } }[] = [];
  await waitFor(async () => {
    lines = ok(await gql(router, REVIEW_LINES, { id: orderId }, as(buyer))).order.reviewLines;
    return lines.length === 2;
  });
  const refundedLine = lines.find((line) => line.sku.id === skuIds[0])!;
  const keptLine = lines.find((line) => line.sku.id === skuIds[1])!;
  // Within the after-sales window: the shopper returns the first line's only piece, staff approve, payment refunds it.
  const request = ok(
    await gql(router, `mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id } }`, {
      input: { orderId, reason: '七天无理由退货', amount: 2500, items: [{ skuId: skuIds[0], quantity: 1 }] },
    }, as(buyer)),
  ).requestRefund;
  ok(await gql(router, `mutation($id: ID!) { approveRefundRequest(id: $id) { status } }`, { id: request.id }, staff));
  await waitFor(async () => ok(await gql(router, `query($id: ID!) { order(id: $id) { refunds { status } } }`, { id: orderId }, as(buyer))).order.refunds[0]?.status === 'SUCCEEDED');

  const refused = await gql(router, SUBMIT, { input: { orderItemId: refundedLine.orderItemId, stars: 1 } }, as(buyer));
  expect(codes(refused)).toEqual(['CONFLICT']);
  expect(refused.errors![0].extensions!.reason).toBe('LINE_REFUNDED');
  expect(ok(await gql(router, REVIEW_LINES, { id: orderId }, as(buyer))).order.reviewLines.every((line: { review: unknown }) => line.review === null)).toBe(true);
  expect(ok(await gql(router, SUBMIT, { input: { orderItemId: keptLine.orderItemId, stars: 4 } }, as(buyer))).submitReview.stars).toBe(4);
  // order's internal field is not open to the router's clients.
  expect(codes(await gql(router, 'query($ids: [ID!]!) { refundedLineQuantities(orderItemIds: $ids) }', { ids: [refundedLine.orderItemId] }, as(buyer)))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
});

it('a product list with ratings and reviews costs review the same SQL statements for 20 products as for 1', async () => {
  const LIST = `query($first: Int) { products(first: $first) { edges { node { id rating { average count }
    reviews(first: 3) { edges { node { stars author { nickname } } } } } } } }`;
  const cost = async (first: number) => {
    const counter = countStatements(supergraph.subgraphs.review!.db);
    const response = await gql(router, LIST, { first });
    counter.stop();
    expect(response.errors).toBeUndefined();
    expect(response.data.products.edges).toHaveLength(first);
    // With Redis, review's consumer may record another test file's completed order meanwhile: not this request's.
    return counter.statements.filter((sql) => !/^insert into "purchased_lines"/i.test(sql.trim())).length;
  };
  const one = await cost(1);
  expect(one).toBe(2);
  expect(await cost(20)).toBe(one);
});

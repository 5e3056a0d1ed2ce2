/**
 * The review subgraph on its own against the run's PostgreSQL: purchased lines from OrderCompleted (idempotent),
 * who may review what and how often (also under a concurrent double submit), input limits, the rating aggregate kept
 * with inserts and moderation, the public list, and what a list of products costs in SQL statements.
 */
import crypto from 'node:crypto';
import type { RunningSupergraph } from '../../../app/launcher';
import { countStatements } from '../../../platform/db';
import { consumerEffect, type EventEnvelope } from '../../../platform/events';
import { asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { ORDER_COMPLETED, ORDER_STREAM, recordPurchasedLines, type OrderCompletedPayload } from '../purchases';
import { seedDemoReviews } from '../seed';

let supergraph: RunningSupergraph;
let url: string;
const db = () => supergraph.subgraphs.review!.db;

beforeAll(async () => {
  // Order too: submitReview asks it how much of the line was refunded (these made-up lines: nothing).
  supergraph = await startSupergraph({ subgraphs: ['review', 'order'], router: false });
  url = supergraph.subgraphs.review!.url;
});
afterAll(async () => {
  await supergraph?.stop();
});

/** Ids no other test (or the demo seed) uses: this run's database is shared by every test file. */
let next = BigInt(Date.now()) * 1000n + BigInt(crypto.randomInt(0, 1000));
const newId = () => String((next += 1n));

const as = (userId: string) => asIdentity({ userId }, 'review');
const STAFF = asIdentity({ userId: '1', scopes: ['review:moderate'] }, 'review');

function ok<T = any>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data as T;
}

/** Hands an event to the subgraph's consumer as the bus would (idempotent through processed_events). */
const deliver = (event: EventEnvelope) => consumerEffect({ db: db(), group: 'review', ...recordPurchasedLines() })(event);

function completed(userId: string, lines: { productId: string; skuId: string; quantity?: number }[]): EventEnvelope<OrderCompletedPayload> {
  const orderId = newId();
  return {
    id: crypto.randomUUID(),
    stream: ORDER_STREAM,
    type: ORDER_COMPLETED,
    aggregateId: orderId,
    occurredAt: new Date().toISOString(),
    payload: {
      orderId,
      userId,
      completedAt: new Date().toISOString(),
      lines: lines.map((line) => ({ orderItemId: newId(), productId: line.productId, skuId: line.skuId, quantity: line.quantity ?? 1 })),
    },
  };
}

/** A shopper who received one line of `productId`: returns the order line id. */
async function bought(userId: string, productId: string, skuId = newId()): Promise<string> {
  const event = completed(userId, [{ productId, skuId }]);
  expect(await deliver(event)).toBe(true);
  return event.payload.lines[0].orderItemId;
}

const SUBMIT = `mutation($input: SubmitReviewInput!) { submitReview(input: $input) { id stars content images hidden author { id } product { id } sku { id } createdAt } }`;
const submit = (userId: string, input: Record<string, unknown>) => gql(url, SUBMIT, { input }, as(userId));

const RATING = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id rating { average count countsByStar { stars count } } } } }`;
async function ratingOf(productId: string) {
  return ok(await gql(url, RATING, { r: [{ __typename: 'Product', id: productId }] }, as(newId())))._entities[0].rating;
}

const REVIEWS = `query($r: [_Any!]!, $first: Int, $after: String, $stars: Int) { _entities(representations: $r) { ... on Product {
  reviews(first: $first, after: $after, stars: $stars) { edges { cursor node { id stars content } } pageInfo { hasNextPage endCursor } } } } }`;
async function reviewsOf(productId: string, args: { first?: number; after?: string; stars?: number } = {}, headers = as(newId())) {
  return ok(await gql(url, REVIEWS, { r: [{ __typename: 'Product', id: productId }], ...args }, headers))._entities[0].reviews;
}

/**
 * Statements a request cost. With Redis, this subgraph's OrderCompleted consumer may record another test file's lines
 * meanwhile (its bookkeeping is left out by countStatements; its insert is left out here): not this request's.
 */
const requestStatements = (counter: { statements: string[] }) => counter.statements.filter((sql) => !/^insert into "purchased_lines"/i.test(sql.trim())).length;

const counts = (five: number, four: number, three: number, two: number, one: number) =>
  [five, four, three, two, one].map((count, index) => ({ stars: 5 - index, count }));

describe('purchased lines from OrderCompleted', () => {
  it('records every line of the order once; a redelivered event has no second effect', async () => {
    const userId = newId();
    const event = completed(userId, [{ productId: newId(), skuId: newId(), quantity: 2 }, { productId: newId(), skuId: newId() }]);
    expect(await deliver(event)).toBe(true);
    expect(await deliver(event)).toBe(false);
    const lines = ok(await gql(url, `{ myReviewableLines { edges { node { orderItemId order { id } product { id } sku { id } quantity review { id } } } } }`, {}, as(userId)));
    expect(lines.myReviewableLines.edges.map((edge: { node: unknown }) => edge.node)).toEqual(
      [...event.payload.lines].reverse().map((line) => ({
        orderItemId: line.orderItemId,
        order: { id: event.payload.orderId },
        product: { id: line.productId },
        sku: { id: line.skuId },
        quantity: line.quantity,
        review: null,
      })),
    );
    // The same line in another event (a replay with a new id) is left as it is.
    expect(await deliver({ ...event, id: crypto.randomUUID() })).toBe(true);
    expect(await db()('purchased_lines').where({ order_id: event.payload.orderId }).count({ n: '*' })).toEqual([{ n: '2' }]);
  });
});

describe('submitReview', () => {
  it('needs a signed-in shopper', async () => {
    expect(codes(await gql(url, SUBMIT, { input: { orderItemId: '1', stars: 5 } }, asIdentity({}, 'review')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, '{ myReviewableLines { edges { cursor } } }', {}, asIdentity({}, 'review')))).toEqual(['UNAUTHENTICATED']);
  });

  it('a shopper who did not buy the line gets NOT_FOUND, as for an unknown line; nothing is written', async () => {
    const productId = newId();
    const line = await bought(newId(), productId);
    expect(codes(await submit(newId(), { orderItemId: line, stars: 1, content: '差' }))).toEqual(['NOT_FOUND']);
    expect(codes(await submit(newId(), { orderItemId: newId(), stars: 1 }))).toEqual(['NOT_FOUND']);
    expect(codes(await submit(newId(), { orderItemId: 'not-an-id', stars: 1 }))).toEqual(['NOT_FOUND']);
    expect(await ratingOf(productId)).toEqual({ average: null, count: 0, countsByStar: counts(0, 0, 0, 0, 0) });
  });

  it.each([
    ['0 stars', { stars: 0 }, 'stars'],
    ['6 stars', { stars: 6 }, 'stars'],
    ['501 characters', { stars: 5, content: '好'.repeat(501) }, 'content'],
    ['a NUL', { stars: 5, content: 'good\u0000' }, 'content'],
    ['a control character', { stars: 5, content: 'good\u001b[31m' }, 'content'],
    ['a lone surrogate', { stars: 5, content: 'good\ud800' }, 'content'],
    ['an http image', { stars: 5, images: ['http://img.example.com/a.jpg'] }, 'images'],
    ['a relative image', { stars: 5, images: ['/images/a.jpg'] }, 'images'],
    ['a javascript: image', { stars: 5, images: ['javascript:alert(1)'] }, 'images'],
    ['10 images', { stars: 5, images: Array.from({ length: 10 }, (_, i) => `https://img.example.com/${i}.jpg`) }, 'images'],
    ['a 501-character image URL', { stars: 5, images: [`https://img.example.com/${'a'.repeat(477)}`] }, 'images'],
  ])('refuses %s (BAD_USER_INPUT) and writes nothing', async (_name, input, field) => {
    const userId = newId();
    const productId = newId();
    const line = await bought(userId, productId);
    const response = await submit(userId, { orderItemId: line, ...input });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions!.field).toBe(field);
    expect(await db()('reviews').where({ order_item_id: line }).count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  it('the buyer reviews a line once: stars, text (line breaks kept), https images; the rating counts it', async () => {
    const userId = newId();
    const productId = newId();
    const line = await bought(userId, productId);
    const images = ['https://img.example.com/1.jpg', `https://img.example.com/${'a'.repeat(476)}`];
    const review = ok(await submit(userId, { orderItemId: line, stars: 4, content: '  好穿\n不起球  ', images })).submitReview;
    expect(review).toMatchObject({ stars: 4, content: '好穿\n不起球', images, hidden: false, author: { id: userId }, product: { id: productId } });
    expect(await ratingOf(productId)).toEqual({ average: 4, count: 1, countsByStar: counts(0, 1, 0, 0, 0) });
    const again = await submit(userId, { orderItemId: line, stars: 1, content: '改主意了' });
    expect(codes(again)).toEqual(['CONFLICT']);
    expect(await ratingOf(productId)).toEqual({ average: 4, count: 1, countsByStar: counts(0, 1, 0, 0, 0) });
    const detail = ok(await gql(url, `query($id: ID!) { reviewableLine(orderItemId: $id) { orderItemId review { id stars } } }`, { id: line }, as(userId)));
    expect(detail.reviewableLine).toEqual({ orderItemId: line, review: { id: review.id, stars: 4 } });
    // Somebody else's line reads as none.
    expect(ok(await gql(url, `query($id: ID!) { reviewableLine(orderItemId: $id) { orderItemId } }`, { id: line }, as(newId()))).reviewableLine).toBeNull();
  });

  it('a concurrent double submit of one line: one wins, the other is CONFLICT; the rating counts one', async () => {
    const userId = newId();
    const productId = newId();
    const line = await bought(userId, productId);
    const answers = await Promise.all([5, 3, 5, 3].map((stars) => submit(userId, { orderItemId: line, stars })));
    expect(answers.filter((answer) => !answer.errors)).toHaveLength(1);
    expect(answers.flatMap(codes).sort()).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
    const winner = answers.find((answer) => !answer.errors)!.data.submitReview.stars;
    expect(await ratingOf(productId)).toMatchObject({ average: winner, count: 1 });
  });

  it('lists: the pending and reviewed lines of the shopper, their own reviews', async () => {
    const userId = newId();
    const [first, second] = [await bought(userId, newId()), await bought(userId, newId())];
    ok(await submit(userId, { orderItemId: first, stars: 5 }));
    const lines = (pending: boolean) =>
      gql(url, `query($p: Boolean) { myReviewableLines(pending: $p) { edges { node { orderItemId } } } }`, { p: pending }, as(userId)).then(
        (response) => ok(response).myReviewableLines.edges.map((edge: { node: { orderItemId: string } }) => edge.node.orderItemId),
      );
    expect(await lines(true)).toEqual([second]);
    expect(await lines(false)).toEqual([first]);
    const mine = ok(await gql(url, `{ myReviews { edges { node { stars } } } }`, {}, as(userId))).myReviews.edges;
    expect(mine).toEqual([{ node: { stars: 5 } }]);
    const viaUser = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { reviews { edges { node { stars } } } } } }`;
    expect(ok(await gql(url, viaUser, { r: [{ __typename: 'User', id: userId }] }, as(userId)))._entities[0].reviews.edges).toEqual(mine);
    // Another shopper's list is not theirs to read.
    expect(ok(await gql(url, viaUser, { r: [{ __typename: 'User', id: userId }] }, as(newId())))._entities[0].reviews).toBeNull();
  });

  it("Order.reviewLines: the buyer sees the order's lines, anyone else none", async () => {
    const userId = newId();
    const event = completed(userId, [{ productId: newId(), skuId: newId() }, { productId: newId(), skuId: newId() }]);
    await deliver(event);
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { reviewLines { orderItemId review { id } } } } }`;
    const r = [{ __typename: 'Order', id: event.payload.orderId }];
    expect(ok(await gql(url, query, { r }, as(userId)))._entities[0].reviewLines).toEqual(event.payload.lines.map((line) => ({ orderItemId: line.orderItemId, review: null })));
    expect(ok(await gql(url, query, { r }, as(newId())))._entities[0].reviewLines).toEqual([]);
  });
});

describe('updateReview (the author, within REVIEW_EDIT_WINDOW_HOURS)', () => {
  const UPDATE = `mutation($id: ID!, $input: UpdateReviewInput!) { updateReview(id: $id, input: $input) { id stars content images updatedAt } }`;

  it('changes what is given, keeps the rest; the rating follows the stars', async () => {
    const userId = newId();
    const productId = newId();
    const review = ok(await submit(userId, { orderItemId: await bought(userId, productId), stars: 2, content: '一般', images: ['https://img.example.com/a.jpg'] })).submitReview;
    const changed = ok(await gql(url, UPDATE, { id: review.id, input: { stars: 5, content: '用了一周，改成好评' } }, as(userId))).updateReview;
    expect(changed).toEqual({ id: review.id, stars: 5, content: '用了一周，改成好评', images: ['https://img.example.com/a.jpg'], updatedAt: expect.any(String) });
    expect(await ratingOf(productId)).toEqual({ average: 5, count: 1, countsByStar: counts(1, 0, 0, 0, 0) });
    expect(ok(await gql(url, UPDATE, { id: review.id, input: { images: [] } }, as(userId))).updateReview).toMatchObject({ stars: 5, images: [] });
  });

  it('refuses someone else (NOT_FOUND), nothing to change and bad input (BAD_USER_INPUT), a hidden review and a closed window (CONFLICT)', async () => {
    const userId = newId();
    const productId = newId();
    const review = ok(await submit(userId, { orderItemId: await bought(userId, productId), stars: 3 })).submitReview;
    expect(codes(await gql(url, UPDATE, { id: review.id, input: { stars: 1 } }, as(newId())))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, UPDATE, { id: review.id, input: {} }, as(userId)))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, UPDATE, { id: review.id, input: { stars: 9 } }, as(userId)))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, UPDATE, { id: review.id, input: { content: 'x\u0000' } }, as(userId)))).toEqual(['BAD_USER_INPUT']);

    ok(await gql(url, `mutation($id: ID!) { hideReview(id: $id, reason: "x") { id } }`, { id: review.id }, STAFF));
    const hidden = await gql(url, UPDATE, { id: review.id, input: { stars: 5 } }, as(userId));
    expect(codes(hidden)).toEqual(['CONFLICT']);
    expect(hidden.errors![0].extensions!.reason).toBe('REVIEW_HIDDEN');
    ok(await gql(url, `mutation($id: ID!) { unhideReview(id: $id) { id } }`, { id: review.id }, STAFF));

    await db()('reviews').where({ id: review.id }).update({ created_at: new Date(Date.now() - 73 * 3_600_000) });
    const late = await gql(url, UPDATE, { id: review.id, input: { stars: 5 } }, as(userId));
    expect(codes(late)).toEqual(['CONFLICT']);
    expect(late.errors![0].extensions!.reason).toBe('EDIT_WINDOW_CLOSED');
    expect(await ratingOf(productId)).toEqual({ average: 3, count: 1, countsByStar: counts(0, 0, 1, 0, 0) });
  });
});

describe('Product.reviews and Product.rating', () => {
  it('newest first, keyset pages, filtered by stars', async () => {
    const productId = newId();
    const written: { id: string; stars: number }[] = [];
    for (const stars of [5, 1, 4, 5, 2]) {
      const userId = newId();
      written.push(ok(await submit(userId, { orderItemId: await bought(userId, productId), stars })).submitReview);
    }
    const newest = [...written].reverse();
    const first = await reviewsOf(productId, { first: 2 });
    expect(first.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(newest.slice(0, 2).map((review) => review.id));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await reviewsOf(productId, { first: 10, after: first.pageInfo.endCursor });
    expect(rest.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(newest.slice(2).map((review) => review.id));
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const fives = await reviewsOf(productId, { stars: 5 });
    expect(fives.edges.map((edge: { node: { stars: number } }) => edge.node.stars)).toEqual([5, 5]);
    expect(await ratingOf(productId)).toEqual({ average: 3.4, count: 5, countsByStar: counts(2, 1, 0, 1, 1) });
    expect(codes(await gql(url, REVIEWS, { r: [{ __typename: 'Product', id: productId }], stars: 6 }, as(newId())))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, REVIEWS, { r: [{ __typename: 'Product', id: productId }], after: 'bm9wZQ' }, as(newId())))).toEqual(['BAD_USER_INPUT']);
  });

  it('20 products with rating and reviews(first: 10) cost the same SQL statements as 1', async () => {
    const products = Array.from({ length: 20 }, () => newId());
    for (const productId of products.slice(0, 5)) {
      const userId = newId();
      ok(await submit(userId, { orderItemId: await bought(userId, productId), stars: 4 }));
    }
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id rating { average count countsByStar { stars count } }
      reviews(first: 10) { edges { node { id stars content images author { id } sku { id } createdAt } } } } } }`;
    const cost = async (ids: string[]) => {
      const counter = countStatements(db());
      const response = await gql(url, query, { r: ids.map((id) => ({ __typename: 'Product', id })) }, as(newId()));
      counter.stop();
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toHaveLength(ids.length);
      return requestStatements(counter);
    };
    const one = await cost(products.slice(0, 1));
    const twenty = await cost(products);
    // One statement for the ratings, one for every product's first page of reviews.
    expect(one).toBe(2);
    expect(twenty).toBe(one);
    const ratingsOnly = countStatements(db());
    ok(await gql(url, RATING, { r: products.map((id) => ({ __typename: 'Product', id })) }, as(newId())));
    ratingsOnly.stop();
    expect(requestStatements(ratingsOnly)).toBe(1);
  });
});

describe('moderation (review:moderate)', () => {
  const HIDE = `mutation($id: ID!, $reason: String!) { hideReview(id: $id, reason: $reason) { id hidden hiddenReason } }`;
  const UNHIDE = `mutation($id: ID!) { unhideReview(id: $id) { id hidden } }`;

  it('shoppers may not hide or list for moderation', async () => {
    const userId = newId();
    const review = ok(await submit(userId, { orderItemId: await bought(userId, newId()), stars: 1 })).submitReview;
    expect(codes(await gql(url, HIDE, { id: review.id, reason: 'spam' }, as(userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, UNHIDE, { id: review.id }, as(userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, `{ moderationReviews { edges { cursor } } }`, {}, as(userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, HIDE, { id: review.id, reason: 'spam' }, asIdentity({}, 'review')))).toEqual(['UNAUTHENTICATED']);
  });

  it('a hidden review leaves the public list and the rating; hiding twice changes nothing; unhiding brings it back', async () => {
    const productId = newId();
    const author = newId();
    const kept = ok(await submit(author, { orderItemId: await bought(author, productId), stars: 5 })).submitReview;
    const spammer = newId();
    const spam = ok(await submit(spammer, { orderItemId: await bought(spammer, productId), stars: 1, content: '加微信领红包' })).submitReview;
    expect(await ratingOf(productId)).toEqual({ average: 3, count: 2, countsByStar: counts(1, 0, 0, 0, 1) });

    expect(codes(await gql(url, HIDE, { id: spam.id, reason: '' }, STAFF))).toEqual(['BAD_USER_INPUT']);
    expect(ok(await gql(url, HIDE, { id: spam.id, reason: '广告' }, STAFF)).hideReview).toEqual({ id: spam.id, hidden: true, hiddenReason: '广告' });
    expect(ok(await gql(url, HIDE, { id: spam.id, reason: '又是广告' }, STAFF)).hideReview).toEqual({ id: spam.id, hidden: true, hiddenReason: '广告' });
    expect(await ratingOf(productId)).toEqual({ average: 5, count: 1, countsByStar: counts(1, 0, 0, 0, 0) });
    expect((await reviewsOf(productId)).edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([kept.id]);
    expect((await reviewsOf(productId, { stars: 1 })).edges).toEqual([]);
    // The author still sees it, marked hidden, without staff's reason.
    expect(ok(await gql(url, `{ myReviews { edges { node { id hidden hiddenReason } } } }`, {}, as(spammer))).myReviews.edges).toEqual([
      { node: { id: spam.id, hidden: true, hiddenReason: null } },
    ]);
    const hiddenList = ok(await gql(url, `query($p: ID) { moderationReviews(hidden: true, productId: $p) { edges { node { id } } } }`, { p: productId }, STAFF));
    expect(hiddenList.moderationReviews.edges).toEqual([{ node: { id: spam.id } }]);

    expect(ok(await gql(url, UNHIDE, { id: spam.id }, STAFF)).unhideReview).toEqual({ id: spam.id, hidden: false });
    expect(ok(await gql(url, UNHIDE, { id: spam.id }, STAFF)).unhideReview).toEqual({ id: spam.id, hidden: false });
    expect(await ratingOf(productId)).toEqual({ average: 3, count: 2, countsByStar: counts(1, 0, 0, 0, 1) });
    expect(codes(await gql(url, HIDE, { id: newId(), reason: 'x' }, STAFF))).toEqual(['NOT_FOUND']);
  });

  it('concurrent hides of one review count it out of the rating once', async () => {
    const productId = newId();
    const userId = newId();
    const review = ok(await submit(userId, { orderItemId: await bought(userId, productId), stars: 2 })).submitReview;
    await Promise.all(Array.from({ length: 4 }, () => gql(url, HIDE, { id: review.id, reason: 'x' }, STAFF).then(ok)));
    expect(await ratingOf(productId)).toEqual({ average: null, count: 0, countsByStar: counts(0, 0, 0, 0, 0) });
  });
});

describe('demo data', () => {
  it('the demo shopper has reviews on the first demo products and one line to review; seeding again changes nothing', async () => {
    const demo = async () => ({
      ratings: await Promise.all(['1', '2'].map(ratingOf)),
      pending: ok(await gql(url, '{ myReviewableLines(pending: true) { edges { node { orderItemId product { id } } } } }', {}, as('2'))).myReviewableLines.edges,
    });
    const seeded = await demo();
    expect(seeded.ratings[0]).toMatchObject({ count: 2, average: 4.5 });
    expect(seeded.ratings[1]).toMatchObject({ count: 1, average: 4 });
    expect(seeded.pending).toEqual([{ node: { orderItemId: '9000000000000000022', product: { id: '1' } } }]);
    await seedDemoReviews(db(), testConfig());
    expect(await demo()).toEqual(seeded);
    await expect(seedDemoReviews(db(), { ...testConfig(), isProduction: true })).rejects.toThrow('never seeded with NODE_ENV=production');
  });
});

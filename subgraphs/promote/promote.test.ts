/**
 * The promote subgraph on its own (no router): templates, claiming, redeem codes, the wallet, the internal quote
 * and the order holds, including the concurrency cases, against the run's real database.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { countStatements } from '../../platform/db';
import type { RunningSupergraph } from '../../app/launcher';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, type GraphQLResponse } from '../../test/support/harness';
import { CODE_ALPHABET } from './redeem-codes';

let supergraph: RunningSupergraph;
let url: string;
let db: Knex;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['promote'], router: false });
  url = supergraph.subgraphs.promote!.url;
  db = supergraph.subgraphs.promote!.db;
});
afterAll(async () => {
  await supergraph?.stop();
});

// ---- helpers -------------------------------------------------------------------------------------------------

/** A user id no other test uses. */
const newUserId = () => String(crypto.randomInt(1, 2 ** 47));
const userHeaders = (userId: string) => asIdentity({ userId }, 'promote');
const staffHeaders = () => asIdentity({ userId: newUserId(), scopes: ['promote:write'] }, 'promote');
const serviceHeaders = (service: string, userId?: string) => asIdentity({ service, userId }, 'promote');
const uniqueName = (prefix = 'T') => `${prefix}-${crypto.randomBytes(5).toString('hex')}`;

const COUPON_FIELDS = 'id templateId name type amount minSpend scope categoryIds productIds status validFrom validUntil claimedAt usedAt';
const TEMPLATE_FIELDS =
  'id name type amount minSpend scope categoryIds productIds totalQuantity issuedCount remainingQuantity perUserLimit validDays validFrom validUntil claimable active createdAt';

const CREATE_TEMPLATE = `mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { ${TEMPLATE_FIELDS} } }`;
const CLAIM = `mutation($templateId: ID!) { claimCoupon(templateId: $templateId) { ${COUPON_FIELDS} } }`;
const REDEEM = `mutation($code: String!) { redeemCouponCode(code: $code) { ${COUPON_FIELDS} } }`;
const CREATE_CODES = 'mutation($templateId: ID!, $count: Int!) { createCouponCodes(templateId: $templateId, count: $count) }';
const MY_COUPONS = `query($status: CouponStatus) { myCoupons(status: $status) { ${COUPON_FIELDS} } }`;
const CLAIMABLE = `{ claimableCoupons { ${TEMPLATE_FIELDS} } }`;
const QUOTE = `query($input: CouponQuoteInput!) { couponQuote(input: $input) {
  applicable { coupon { id name } discount shippingWaived saving }
  best { coupon { id } discount shippingWaived saving }
  selected { coupon { id } discount shippingWaived saving } } }`;
const LOCK = `mutation($couponId: ID!, $orderId: ID!) { lockCoupon(couponId: $couponId, orderId: $orderId) { id status } }`;
const USE = `mutation($couponId: ID!, $orderId: ID!) { useCoupon(couponId: $couponId, orderId: $orderId) { id status usedAt } }`;
const RELEASE = `mutation($couponId: ID!, $orderId: ID!) { releaseCoupon(couponId: $couponId, orderId: $orderId) { id status } }`;

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

async function createTemplate(overrides: Record<string, unknown> = {}) {
  const input = { name: uniqueName(), type: 'CASH', amount: 1000, minSpend: 5000, validDays: 7, perUserLimit: 1, ...overrides };
  return ok(await gql(url, CREATE_TEMPLATE, { input }, staffHeaders())).createCouponTemplate;
}

async function claim(userId: string, templateId: string) {
  return ok(await gql(url, CLAIM, { templateId }, userHeaders(userId))).claimCoupon;
}

const orderId = () => String(crypto.randomInt(1, 2 ** 47));

// ---- templates -----------------------------------------------------------------------------------------------

describe('coupon templates (staff)', () => {
  const input = { name: 'x', type: 'CASH', amount: 100, minSpend: 100, validDays: 1 };

  it('needs a signed-in user holding promote:write', async () => {
    expect(codes(await gql(url, CREATE_TEMPLATE, { input }, anonymousTo('promote')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, CREATE_TEMPLATE, { input }, userHeaders(newUserId())))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, CREATE_TEMPLATE, { input }, asIdentity({ userId: newUserId(), scopes: ['catalog:write'] }, 'promote')))).toEqual([
      'FORBIDDEN',
    ]);
    expect(codes(await gql(url, 'mutation { setCouponTemplateActive(id: "1", active: false) { id } }', {}, userHeaders(newUserId())))).toEqual([
      'FORBIDDEN',
    ]);
    expect(codes(await gql(url, 'mutation { createCouponCodes(templateId: "1", count: 1) }', {}, userHeaders(newUserId())))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, 'mutation { createCouponCodes(templateId: "1", count: 1) }', {}, anonymousTo('promote')))).toEqual(['UNAUTHENTICATED']);
  });

  it('creates CASH templates with validDays and FREE_SHIPPING templates with a fixed window', async () => {
    const cash = await createTemplate({ amount: 1000, minSpend: 9900, totalQuantity: 50, perUserLimit: 2, scope: 'CATEGORIES', categoryIds: ['11', '12', '11'] });
    expect(cash).toMatchObject({
      type: 'CASH',
      amount: 1000,
      minSpend: 9900,
      scope: 'CATEGORIES',
      categoryIds: ['11', '12'],
      productIds: [],
      totalQuantity: 50,
      issuedCount: 0,
      remainingQuantity: 50,
      perUserLimit: 2,
      validDays: 7,
      validFrom: null,
      validUntil: null,
      claimable: true,
      active: true,
    });
    const from = new Date(Date.now() - 60_000).toISOString();
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const free = await createTemplate({ type: 'FREE_SHIPPING', amount: 0, minSpend: 0, validDays: null, validFrom: from, validUntil: until, scope: 'PRODUCTS', productIds: ['7'] });
    expect(free).toMatchObject({ type: 'FREE_SHIPPING', amount: 0, validDays: null, validFrom: from, validUntil: until, totalQuantity: null, remainingQuantity: null, productIds: ['7'] });
    // minSpend defaults to the amount for CASH (no threshold beyond the coupon itself).
    expect(await createTemplate({ amount: 500, minSpend: undefined })).toMatchObject({ minSpend: 500 });
  });

  it.each([
    ['negative amount', { amount: -1 }],
    ['CASH amount 0', { amount: 0, minSpend: 0 }],
    ['FREE_SHIPPING with an amount', { type: 'FREE_SHIPPING', amount: 100, minSpend: 100 }],
    ['negative minSpend', { type: 'FREE_SHIPPING', amount: 0, minSpend: -1 }],
    ['minSpend below amount for CASH', { amount: 1000, minSpend: 999 }],
    ['perUserLimit 0', { perUserLimit: 0 }],
    ['totalQuantity 0', { totalQuantity: 0 }],
    ['both validity forms', { validDays: 3, validFrom: '2030-01-01T00:00:00Z', validUntil: '2030-02-01T00:00:00Z' }],
    ['neither validity form', { validDays: null }],
    ['validDays 0', { validDays: 0 }],
    ['half a window', { validDays: null, validUntil: '2030-02-01T00:00:00Z' }],
    ['window end before start', { validDays: null, validFrom: '2030-02-01T00:00:00Z', validUntil: '2030-01-01T00:00:00Z' }],
    ['window already over', { validDays: null, validFrom: '2020-01-01T00:00:00Z', validUntil: '2020-02-01T00:00:00Z' }],
    ['not an ISO date', { validDays: null, validFrom: 'tomorrow', validUntil: '2030-02-01T00:00:00Z' }],
    ['empty categoryIds', { scope: 'CATEGORIES', categoryIds: [] }],
    ['missing productIds', { scope: 'PRODUCTS' }],
    ['malformed product id', { scope: 'PRODUCTS', productIds: ['abc'] }],
    ['ids for another scope', { scope: 'ALL', productIds: ['1'] }],
    ['empty name', { name: '  ' }],
  ])('refuses %s with BAD_USER_INPUT and creates nothing', async (_case, overrides) => {
    const name = uniqueName('bad');
    const response = await gql(url, CREATE_TEMPLATE, { input: { ...input, name, ...overrides } }, staffHeaders());
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(await db('coupon_templates').where({ name }).count('* as n').first()).toEqual({ n: '0' });
  });

  it('turns templates on and off; unknown ids are NOT_FOUND', async () => {
    const template = await createTemplate();
    const SET = 'mutation($id: ID!, $active: Boolean!) { setCouponTemplateActive(id: $id, active: $active) { id active } }';
    expect(ok(await gql(url, SET, { id: template.id, active: false }, staffHeaders())).setCouponTemplateActive).toEqual({ id: template.id, active: false });
    expect(ok(await gql(url, SET, { id: template.id, active: true }, staffHeaders())).setCouponTemplateActive.active).toBe(true);
    expect(codes(await gql(url, SET, { id: '999999999999', active: true }, staffHeaders()))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, SET, { id: 'nope', active: true }, staffHeaders()))).toEqual(['NOT_FOUND']);
  });

  it('lists templates newest first for staff with keyset pagination', async () => {
    const a = await createTemplate();
    const b = await createTemplate();
    const PAGE = 'query($after: String) { couponTemplates(first: 1, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }';
    const first = ok(await gql(url, PAGE, {}, staffHeaders())).couponTemplates;
    expect(first.edges).toHaveLength(1);
    expect(first.pageInfo.hasNextPage).toBe(true);
    // Walk until both of ours have been seen (other tests create templates in parallel).
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 500 && !(seen.includes(a.id) && seen.includes(b.id)); i++) {
      const page: { edges: { node: { id: string } }[]; pageInfo: { endCursor: string | null } } = ok(
        await gql(url, PAGE, { after }, staffHeaders()),
      ).couponTemplates;
      seen.push(...page.edges.map((edge) => edge.node.id));
      after = page.pageInfo.endCursor;
    }
    expect(seen.indexOf(b.id)).toBeLessThan(seen.indexOf(a.id));
    expect(codes(await gql(url, PAGE, { after: 'garbage' }, staffHeaders()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, PAGE, {}, userHeaders(newUserId())))).toEqual(['FORBIDDEN']);
    const ONE = 'query($id: ID!) { couponTemplate(id: $id) { id name } }';
    expect(ok(await gql(url, ONE, { id: a.id }, staffHeaders())).couponTemplate).toEqual({ id: a.id, name: a.name });
  });
});

// ---- claiming ------------------------------------------------------------------------------------------------

describe('claimableCoupons and claimCoupon', () => {
  it('lists only active, claimable, open, not sold out templates; anonymous is fine', async () => {
    const open = await createTemplate({ totalQuantity: 1 });
    const inactive = await createTemplate({ active: false });
    const codesOnly = await createTemplate({ claimable: false });
    const future = await createTemplate({ validDays: null, validFrom: '2999-01-01T00:00:00Z', validUntil: '2999-02-01T00:00:00Z' });
    const ids = (response: GraphQLResponse) => ok(response).claimableCoupons.map((t: { id: string }) => t.id);
    const before = ids(await gql(url, CLAIMABLE, {}, anonymousTo('promote')));
    expect(before).toContain(open.id);
    for (const hidden of [inactive, codesOnly, future]) expect(before).not.toContain(hidden.id);
    // The seeded demo templates are there too.
    expect(ok(await gql(url, CLAIMABLE, {}, anonymousTo('promote'))).claimableCoupons.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['满99减10', '满199减30', '新人无门槛5元', '包邮券']),
    );
    await claim(newUserId(), open.id);
    expect(ids(await gql(url, CLAIMABLE, {}, anonymousTo('promote')))).not.toContain(open.id); // sold out
  });

  it('hides from a signed-in user the templates they hold the per-user limit of', async () => {
    const template = await createTemplate({ perUserLimit: 2 });
    const alice = newUserId();
    const ids = async (userId?: string) =>
      ok(await gql(url, CLAIMABLE, {}, userId ? userHeaders(userId) : anonymousTo('promote'))).claimableCoupons.map((t: { id: string }) => t.id);
    await claim(alice, template.id);
    expect(await ids(alice)).toContain(template.id);
    await claim(alice, template.id);
    expect(await ids(alice)).not.toContain(template.id);
    expect(await ids(newUserId())).toContain(template.id);
    expect(await ids()).toContain(template.id);
  });

  it('issues a coupon valid for validDays from the claim, or until the window ends', async () => {
    const days = await createTemplate({ validDays: 10, amount: 300, minSpend: 1000 });
    const userId = newUserId();
    const before = Date.now();
    const coupon = await claim(userId, days.id);
    expect(coupon).toMatchObject({ templateId: days.id, name: days.name, type: 'CASH', amount: 300, minSpend: 1000, status: 'AVAILABLE', scope: 'ALL', usedAt: null });
    const validUntil = new Date(coupon.validUntil).getTime();
    expect(validUntil - new Date(coupon.claimedAt).getTime()).toBe(10 * 86_400_000);
    expect(validUntil).toBeGreaterThanOrEqual(before + 10 * 86_400_000 - 5_000);

    const until = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const window = await createTemplate({ validDays: null, validFrom: new Date(Date.now() - 1000).toISOString(), validUntil: until });
    expect((await claim(userId, window.id)).validUntil).toBe(until);
  });

  it('refuses: no user UNAUTHENTICATED, unknown NOT_FOUND, inactive / not claimable / not started / ended / sold out / limit CONFLICT', async () => {
    const userId = newUserId();
    const template = await createTemplate({ totalQuantity: 1 });
    expect(codes(await gql(url, CLAIM, { templateId: template.id }, anonymousTo('promote')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, CLAIM, { templateId: '999999999999' }, userHeaders(userId)))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, CLAIM, { templateId: 'x' }, userHeaders(userId)))).toEqual(['NOT_FOUND']);

    const reasonOf = async (templateId: string, who = userId) => {
      const response = await gql(url, CLAIM, { templateId }, userHeaders(who));
      expect(codes(response)).toEqual(['CONFLICT']);
      return response.errors![0].extensions!.reason;
    };
    expect(await reasonOf((await createTemplate({ active: false })).id)).toBe('INACTIVE');
    expect(await reasonOf((await createTemplate({ claimable: false })).id)).toBe('NOT_CLAIMABLE');
    expect(await reasonOf((await createTemplate({ validDays: null, validFrom: '2999-01-01T00:00:00Z', validUntil: '2999-02-01T00:00:00Z' })).id)).toBe(
      'NOT_STARTED',
    );
    const ended = await createTemplate({ validDays: null, validFrom: '2020-01-01T00:00:00Z', validUntil: '2999-02-01T00:00:00Z' });
    await db('coupon_templates').where({ id: ended.id }).update({ valid_until: new Date(Date.now() - 1000) });
    expect(await reasonOf(ended.id)).toBe('ENDED');

    await claim(userId, template.id);
    const limit = await gql(url, CLAIM, { templateId: template.id }, userHeaders(userId));
    expect(limit.errors![0]).toMatchObject({ message: 'You already have this coupon', extensions: { code: 'CONFLICT' } });
    const soldOut = await gql(url, CLAIM, { templateId: template.id }, userHeaders(newUserId()));
    expect(soldOut.errors![0]).toMatchObject({ message: 'Sorry, these coupons are all gone', extensions: { code: 'CONFLICT', reason: 'SOLD_OUT' } });
    // Refused claims take nothing from the quantity.
    expect(await db('coupon_templates').where({ id: template.id }).first('issued_count')).toEqual({ issued_count: 1 });
  });

  it('500 concurrent claims of a template with total 100 issue exactly 100', async () => {
    const template = await createTemplate({ totalQuantity: 100, perUserLimit: 1 });
    const responses = await Promise.all(
      Array.from({ length: 500 }, () => gql(url, CLAIM, { templateId: template.id }, userHeaders(newUserId()))),
    );
    const succeeded = responses.filter((response) => !response.errors);
    expect(succeeded).toHaveLength(100);
    expect(new Set(responses.filter((r) => r.errors).map((r) => r.errors![0].extensions!.reason))).toEqual(new Set(['SOLD_OUT']));
    expect(await db('coupons').where({ template_id: template.id }).count('* as n').first()).toEqual({ n: '100' });
    expect(await db('coupon_templates').where({ id: template.id }).first('issued_count')).toEqual({ issued_count: 100 });
  });

  it('one user firing 10 concurrent claims of a perUserLimit-2 template gets exactly 2', async () => {
    const template = await createTemplate({ perUserLimit: 2 });
    const userId = newUserId();
    const responses = await Promise.all(Array.from({ length: 10 }, () => gql(url, CLAIM, { templateId: template.id }, userHeaders(userId))));
    expect(responses.filter((response) => !response.errors)).toHaveLength(2);
    expect(responses.filter((response) => codes(response)[0] === 'CONFLICT')).toHaveLength(8);
    expect(await db('coupons').where({ template_id: template.id, user_id: userId }).count('* as n').first()).toEqual({ n: '2' });
    expect(await db('coupon_templates').where({ id: template.id }).first('issued_count')).toEqual({ issued_count: 2 });
  });
});

// ---- redeem codes --------------------------------------------------------------------------------------------

describe('createCouponCodes and redeemCouponCode', () => {
  it('creates random, typable, unique codes that reserve quantity', async () => {
    const template = await createTemplate({ totalQuantity: 5, perUserLimit: 5 });
    const created: string[] = ok(await gql(url, CREATE_CODES, { templateId: template.id, count: 3 }, staffHeaders())).createCouponCodes;
    expect(created).toHaveLength(3);
    expect(new Set(created).size).toBe(3);
    for (const code of created) expect([...code].every((ch) => CODE_ALPHABET.includes(ch)) && code.length === 12).toBe(true);
    expect(await db('coupon_templates').where({ id: template.id }).first('issued_count')).toEqual({ issued_count: 3 });

    // 2 left: 3 more codes do not fit; nothing is reserved by the refused call.
    const tooMany = await gql(url, CREATE_CODES, { templateId: template.id, count: 3 }, staffHeaders());
    expect(codes(tooMany)).toEqual(['CONFLICT']);
    expect(tooMany.errors![0].message).toBe('Only 2 coupons of this template are left to issue');
    const userId = newUserId();
    await claim(userId, template.id);
    await claim(userId, template.id);
    expect(codes(await gql(url, CLAIM, { templateId: template.id }, userHeaders(userId)))).toEqual(['CONFLICT']); // sold out for claims
    // ...but every code still redeems: its coupon was reserved.
    for (const code of created) ok(await gql(url, REDEEM, { code }, userHeaders(newUserId())));
    expect(await db('coupons').where({ template_id: template.id }).count('* as n').first()).toEqual({ n: '5' });
    expect(await db('coupon_templates').where({ id: template.id }).first('issued_count')).toEqual({ issued_count: 5 });
  });

  it('refuses bad counts and unknown templates with BAD_USER_INPUT', async () => {
    const template = await createTemplate();
    for (const count of [0, -1, 1001]) {
      expect(codes(await gql(url, CREATE_CODES, { templateId: template.id, count }, staffHeaders()))).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await gql(url, CREATE_CODES, { templateId: '999999999999', count: 1 }, staffHeaders()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, CREATE_CODES, { templateId: 'zz', count: 1 }, staffHeaders()))).toEqual(['BAD_USER_INPUT']);
    const many: string[] = ok(await gql(url, CREATE_CODES, { templateId: template.id, count: 1000 }, staffHeaders())).createCouponCodes;
    expect(new Set(many).size).toBe(1000);
  });

  it('redeems a code once, ignoring case and dashes; unknown NOT_FOUND, used CONFLICT', async () => {
    const template = await createTemplate({ perUserLimit: 3 });
    const [code] = ok(await gql(url, CREATE_CODES, { templateId: template.id, count: 1 }, staffHeaders())).createCouponCodes;
    const userId = newUserId();
    expect(codes(await gql(url, REDEEM, { code }, anonymousTo('promote')))).toEqual(['UNAUTHENTICATED']);
    const typed = `${code.slice(0, 4)}-${code.slice(4, 8)} ${code.slice(8)}`.toLowerCase();
    const coupon = ok(await gql(url, REDEEM, { code: typed }, userHeaders(userId))).redeemCouponCode;
    expect(coupon).toMatchObject({ templateId: template.id, status: 'AVAILABLE' });
    const again = await gql(url, REDEEM, { code }, userHeaders(userId));
    expect(again.errors![0]).toMatchObject({ message: 'This code has already been used', extensions: { code: 'CONFLICT' } });
    expect(codes(await gql(url, REDEEM, { code: 'ABCDEFGHJKMN' }, userHeaders(userId)))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, REDEEM, { code: 'nonsense!' }, userHeaders(userId)))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, REDEEM, { code: '' }, userHeaders(userId)))).toEqual(['BAD_USER_INPUT']);
  });

  it('applies the per-user limit and refuses inactive or ended templates, leaving the code usable', async () => {
    const template = await createTemplate({ perUserLimit: 1 });
    const [first, second] = ok(await gql(url, CREATE_CODES, { templateId: template.id, count: 2 }, staffHeaders())).createCouponCodes;
    const userId = newUserId();
    ok(await gql(url, REDEEM, { code: first }, userHeaders(userId)));
    const limited = await gql(url, REDEEM, { code: second }, userHeaders(userId));
    expect(limited.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'LIMIT_REACHED' });

    const SET = 'mutation($id: ID!, $active: Boolean!) { setCouponTemplateActive(id: $id, active: $active) { id } }';
    ok(await gql(url, SET, { id: template.id, active: false }, staffHeaders()));
    const other = newUserId();
    expect((await gql(url, REDEEM, { code: second }, userHeaders(other))).errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'INACTIVE' });
    ok(await gql(url, SET, { id: template.id, active: true }, staffHeaders()));
    await db('coupon_templates').where({ id: template.id }).update({ valid_days: null, valid_from: new Date(Date.now() - 2000), valid_until: new Date(Date.now() - 1000) });
    expect((await gql(url, REDEEM, { code: second }, userHeaders(other))).errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'ENDED' });
    await db('coupon_templates').where({ id: template.id }).update({ valid_until: new Date(Date.now() + 86_400_000) });
    expect(ok(await gql(url, REDEEM, { code: second }, userHeaders(other))).redeemCouponCode.templateId).toBe(template.id);
  });

  it('concurrent redemptions of one code issue exactly one coupon', async () => {
    const template = await createTemplate({ perUserLimit: 1 });
    const [code] = ok(await gql(url, CREATE_CODES, { templateId: template.id, count: 1 }, staffHeaders())).createCouponCodes;
    const responses = await Promise.all(Array.from({ length: 20 }, () => gql(url, REDEEM, { code }, userHeaders(newUserId()))));
    expect(responses.filter((response) => !response.errors)).toHaveLength(1);
    expect(responses.filter((response) => codes(response)[0] === 'CONFLICT')).toHaveLength(19);
    expect(await db('coupons').where({ template_id: template.id }).count('* as n').first()).toEqual({ n: '1' });
  });
});

// ---- wallet --------------------------------------------------------------------------------------------------

describe('myCoupons and Coupon entities', () => {
  it('lists the user’s coupons by status, EXPIRED derived from validUntil', async () => {
    const template = await createTemplate({ perUserLimit: 4 });
    const userId = newUserId();
    const [a, b, c, d] = [await claim(userId, template.id), await claim(userId, template.id), await claim(userId, template.id), await claim(userId, template.id)];
    const lockOrder = orderId();
    ok(await gql(url, LOCK, { couponId: b.id, orderId: lockOrder }, serviceHeaders('order', userId)));
    const useOrder = orderId();
    ok(await gql(url, LOCK, { couponId: c.id, orderId: useOrder }, serviceHeaders('order', userId)));
    ok(await gql(url, USE, { couponId: c.id, orderId: useOrder }, serviceHeaders('order')));
    await db('coupons').where({ id: d.id }).update({ valid_until: new Date(Date.now() - 1000) });

    const list = async (status?: string) =>
      ok(await gql(url, MY_COUPONS, { status }, userHeaders(userId))).myCoupons.map((coupon: { id: string; status: string }) => [coupon.id, coupon.status]);
    expect(await list()).toEqual([
      [d.id, 'EXPIRED'],
      [c.id, 'USED'],
      [b.id, 'LOCKED'],
      [a.id, 'AVAILABLE'],
    ]);
    expect(await list('AVAILABLE')).toEqual([[a.id, 'AVAILABLE']]);
    expect(await list('LOCKED')).toEqual([[b.id, 'LOCKED']]);
    expect(await list('USED')).toEqual([[c.id, 'USED']]);
    expect(await list('EXPIRED')).toEqual([[d.id, 'EXPIRED']]);
    expect(ok(await gql(url, MY_COUPONS, {}, userHeaders(newUserId()))).myCoupons).toEqual([]);
    expect(codes(await gql(url, MY_COUPONS, {}, anonymousTo('promote')))).toEqual(['UNAUTHENTICATED']);
    // Expiry is never stored: the row still says AVAILABLE.
    expect(await db('coupons').where({ id: d.id }).first('status')).toEqual({ status: 'AVAILABLE' });
  });

  it('resolves Coupon references in one statement, only for their owner', async () => {
    const template = await createTemplate({ perUserLimit: 5 });
    const owner = newUserId();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await claim(owner, template.id)).id);
    const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Coupon { id status name } } }';
    const representations = (list: string[]) => list.map((id) => ({ __typename: 'Coupon', id }));
    const counter = countStatements(db);
    try {
      const one = ok(await gql(url, ENTITIES, { r: representations(ids.slice(0, 1)) }, userHeaders(owner)))._entities;
      const oneCount = counter.count;
      counter.reset();
      const five = ok(await gql(url, ENTITIES, { r: representations([...ids, '999999999999', 'bad']) }, userHeaders(owner)))._entities;
      expect(counter.count).toBe(oneCount);
      expect(oneCount).toBe(1);
      expect(one).toEqual([{ id: ids[0], status: 'AVAILABLE', name: template.name }]);
      expect(five.map((entity: { id: string } | null) => entity?.id ?? null)).toEqual([...ids, null, null]);
    } finally {
      counter.stop();
    }
    const others = ok(await gql(url, ENTITIES, { r: representations(ids) }, userHeaders(newUserId())))._entities;
    expect(others).toEqual(ids.map(() => null));
    expect(ok(await gql(url, ENTITIES, { r: representations(ids) }, anonymousTo('promote')))._entities).toEqual(ids.map(() => null));
  });
});

// ---- quote ---------------------------------------------------------------------------------------------------

describe('couponQuote (internal: cart, order)', () => {
  const item = (overrides: Record<string, unknown> = {}) => ({ skuId: '1', productId: '100', categoryId: '10', unitPrice: 1000, quantity: 1, ...overrides });

  it('is for the cart and order services only, with a forwarded user', async () => {
    const input = { items: [item()], shippingFee: 0 };
    expect(codes(await gql(url, QUOTE, { input }, userHeaders(newUserId())))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, QUOTE, { input }, anonymousTo('promote')))).toEqual(['FORBIDDEN']);
    // payment may not act for a shopper at all: its header is refused before the field is reached.
    expect(codes(await gql(url, QUOTE, { input }, serviceHeaders('payment', newUserId())))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, QUOTE, { input }, serviceHeaders('payment')))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, QUOTE, { input }, serviceHeaders('cart')))).toEqual(['UNAUTHENTICATED']);
    expect(ok(await gql(url, QUOTE, { input }, serviceHeaders('order', newUserId()))).couponQuote).toEqual({ applicable: [], best: null, selected: null });
    const bad = { items: [item({ quantity: 0 })], shippingFee: 0 };
    expect(codes(await gql(url, QUOTE, { input: bad }, serviceHeaders('cart', newUserId())))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, QUOTE, { input: { items: [], shippingFee: -1 } }, serviceHeaders('cart', newUserId())))).toEqual(['BAD_USER_INPUT']);
  });

  it('applies scope and minSpend, values CASH and FREE_SHIPPING, sorts best first and reports the selected one', async () => {
    const userId = newUserId();
    const cash10 = await claim(userId, (await createTemplate({ name: 'cash10', amount: 1000, minSpend: 5000, perUserLimit: 2 })).id);
    const cash10later = await claim(userId, (await createTemplate({ name: 'cash10-later', amount: 1000, minSpend: 5000, validDays: 30 })).id);
    const cash10twin = await claim(userId, (await createTemplate({ name: 'cash10', amount: 1000, minSpend: 5000, perUserLimit: 2 })).id);
    const big = await claim(userId, (await createTemplate({ name: 'big', amount: 50000, minSpend: 50000 })).id);
    const category = await claim(userId, (await createTemplate({ name: 'cat', amount: 3000, minSpend: 3000, scope: 'CATEGORIES', categoryIds: ['20'] })).id);
    const parentCategory = await claim(userId, (await createTemplate({ name: 'parent', amount: 200, minSpend: 200, scope: 'CATEGORIES', categoryIds: ['2'] })).id);
    const product = await claim(userId, (await createTemplate({ name: 'prod', amount: 400, minSpend: 400, scope: 'PRODUCTS', productIds: ['300'] })).id);
    const free = await claim(userId, (await createTemplate({ name: 'free', type: 'FREE_SHIPPING', amount: 0, minSpend: 0 })).id);
    const locked = await claim(userId, (await createTemplate({ name: 'locked', amount: 100, minSpend: 100 })).id);
    ok(await gql(url, LOCK, { couponId: locked.id, orderId: orderId() }, serviceHeaders('order', userId)));
    const expired = await claim(userId, (await createTemplate({ name: 'expired', amount: 100, minSpend: 100 })).id);
    await db('coupons').where({ id: expired.id }).update({ valid_until: new Date(Date.now() - 1000) });
    // Equal savings: the one expiring sooner first, then the smaller id.
    await db('coupons').where({ id: cash10later.id }).update({ valid_until: new Date(Date.now() + 30 * 86_400_000) });
    const sameUntil = await db('coupons').where({ id: cash10.id }).first('valid_until');
    await db('coupons').where({ id: cash10twin.id }).update(sameUntil);

    const items = [
      item({ productId: '100', categoryId: '10', unitPrice: 2000, quantity: 2 }), // 4000, category 10
      item({ productId: '200', categoryId: '20', categoryIds: ['2'], unitPrice: 1500, quantity: 1 }), // 1500, category 20 under 2
      item({ productId: '300', categoryId: '30', unitPrice: 500, quantity: 1 }), // 500, product 300
    ];
    const quote = ok(await gql(url, QUOTE, { input: { items, shippingFee: 800, couponId: category.id } }, serviceHeaders('cart', userId))).couponQuote;
    // Total 6000 reaches cash10's 5000; category 20 has 1500 < 3000 (cat not applicable); product 300 has 500 >= 400 -> 400 off.
    expect(quote.applicable.map((entry: { coupon: { id: string }; discount: number; shippingWaived: boolean; saving: number }) => [
      entry.coupon.id,
      entry.discount,
      entry.shippingWaived,
      entry.saving,
    ])).toEqual([
      [cash10.id, 1000, false, 1000],
      [cash10twin.id, 1000, false, 1000],
      [cash10later.id, 1000, false, 1000],
      [free.id, 0, true, 800],
      [product.id, 400, false, 400],
      [parentCategory.id, 200, false, 200],
    ]);
    expect(quote.best).toEqual({ coupon: { id: cash10.id }, discount: 1000, shippingWaived: false, saving: 1000 });
    expect(quote.selected).toBeNull(); // the category coupon does not apply
    const ids = quote.applicable.map((entry: { coupon: { id: string } }) => entry.coupon.id);
    for (const excluded of [big.id, category.id, locked.id, expired.id]) expect(ids).not.toContain(excluded);

    const selected = ok(await gql(url, QUOTE, { input: { items, shippingFee: 800, couponId: free.id } }, serviceHeaders('order', userId))).couponQuote.selected;
    expect(selected).toEqual({ coupon: { id: free.id }, discount: 0, shippingWaived: true, saving: 800 });
    // Someone else's, locked, or unknown coupons are never selected.
    for (const couponId of [locked.id, expired.id, '999999999999', 'x']) {
      expect(ok(await gql(url, QUOTE, { input: { items, shippingFee: 800, couponId } }, serviceHeaders('order', userId))).couponQuote.selected).toBeNull();
    }
    expect(ok(await gql(url, QUOTE, { input: { items, shippingFee: 800, couponId: cash10.id } }, serviceHeaders('order', newUserId()))).couponQuote).toEqual({
      applicable: [],
      best: null,
      selected: null,
    });
  });

  it('caps CASH at the eligible subtotal and never recommends a coupon that saves nothing', async () => {
    const userId = newUserId();
    const free = await claim(userId, (await createTemplate({ type: 'FREE_SHIPPING', amount: 0, minSpend: 0 })).id);
    const shipsFree = ok(await gql(url, QUOTE, { input: { items: [item()], shippingFee: 0 } }, serviceHeaders('cart', userId))).couponQuote;
    expect(shipsFree.applicable).toEqual([{ coupon: { id: free.id, name: expect.any(String) }, discount: 0, shippingWaived: true, saving: 0 }]);
    expect(shipsFree.best).toBeNull();
    const noItems = ok(await gql(url, QUOTE, { input: { items: [], shippingFee: 500 } }, serviceHeaders('cart', userId))).couponQuote;
    expect(noItems.applicable).toEqual([]); // nothing in scope: eligible subtotal 0

    const capped = await claim(userId, (await createTemplate({ amount: 9000, minSpend: 9000, scope: 'PRODUCTS', productIds: ['5'] })).id);
    await db('coupon_templates').where({ id: capped.templateId }).update({ min_spend: 0 });
    const quote = ok(await gql(url, QUOTE, { input: { items: [item({ productId: '5', unitPrice: 700, quantity: 1 })], shippingFee: 0 } }, serviceHeaders('cart', userId))).couponQuote;
    expect(quote.best).toMatchObject({ coupon: { id: capped.id }, discount: 700, saving: 700 });
  });

  it('costs the same number of statements for 1 or 99 items and 1 or 20 coupons held', async () => {
    const single = newUserId();
    await claim(single, (await createTemplate({ amount: 100, minSpend: 100 })).id);
    const many = newUserId();
    const template = await createTemplate({ amount: 100, minSpend: 100, perUserLimit: 20 });
    for (let i = 0; i < 20; i++) await claim(many, template.id);
    const items99 = Array.from({ length: 99 }, (_, i) => item({ skuId: String(i + 1), productId: String(1000 + i) }));

    const statementsFor = async (userId: string, items: unknown[]) => {
      const counter = countStatements(db);
      try {
        const quote = ok(await gql(url, QUOTE, { input: { items, shippingFee: 0 } }, serviceHeaders('cart', userId))).couponQuote;
        expect(quote.best).not.toBeNull();
        return counter.count;
      } finally {
        counter.stop();
      }
    };
    const base = await statementsFor(single, [item()]);
    expect(base).toBe(1);
    expect(await statementsFor(single, items99)).toBe(base);
    expect(await statementsFor(many, [item()])).toBe(base);
    expect(await statementsFor(many, items99)).toBe(base);
  });
});

// ---- order holds ---------------------------------------------------------------------------------------------

describe('lockCoupon / useCoupon / releaseCoupon (internal: order)', () => {
  async function couponOf(userId = newUserId()) {
    return { userId, coupon: await claim(userId, (await createTemplate()).id) };
  }

  it('answers only the order service', async () => {
    const { userId, coupon } = await couponOf();
    for (const mutation of [LOCK, USE, RELEASE]) {
      expect(codes(await gql(url, mutation, { couponId: coupon.id, orderId: '1' }, userHeaders(userId)))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(url, mutation, { couponId: coupon.id, orderId: '1' }, serviceHeaders('cart', userId)))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(url, mutation, { couponId: coupon.id, orderId: '1' }, asIdentity({ userId, scopes: ['promote:write'] }, 'promote')))).toEqual([
        'FORBIDDEN',
      ]);
    }
    expect(codes(await gql(url, LOCK, { couponId: coupon.id, orderId: '1' }, serviceHeaders('order')))).toEqual(['UNAUTHENTICATED']);
  });

  it('locks idempotently per order; another order gets CONFLICT; only the owner’s available, unexpired coupons', async () => {
    const { userId, coupon } = await couponOf();
    const order = orderId();
    const headers = serviceHeaders('order', userId);
    expect(ok(await gql(url, LOCK, { couponId: coupon.id, orderId: order }, headers)).lockCoupon).toEqual({ id: coupon.id, status: 'LOCKED' });
    const lockedAt = await db('coupons').where({ id: coupon.id }).first('locked_at', 'order_id');
    expect(ok(await gql(url, LOCK, { couponId: coupon.id, orderId: order }, headers)).lockCoupon).toEqual({ id: coupon.id, status: 'LOCKED' });
    expect(await db('coupons').where({ id: coupon.id }).first('locked_at', 'order_id')).toEqual(lockedAt); // no second effect
    expect(codes(await gql(url, LOCK, { couponId: coupon.id, orderId: orderId() }, headers))).toEqual(['CONFLICT']);

    expect(codes(await gql(url, LOCK, { couponId: coupon.id, orderId: orderId() }, serviceHeaders('order', newUserId())))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, LOCK, { couponId: '999999999999', orderId: order }, headers))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, LOCK, { couponId: coupon.id, orderId: 'x' }, headers))).toEqual(['BAD_USER_INPUT']);

    const expired = await couponOf();
    await db('coupons').where({ id: expired.coupon.id }).update({ valid_until: new Date(Date.now() - 1000) });
    const refused = await gql(url, LOCK, { couponId: expired.coupon.id, orderId: order }, serviceHeaders('order', expired.userId));
    expect(refused.errors![0]).toMatchObject({ message: 'This coupon has expired', extensions: { code: 'CONFLICT' } });
  });

  it('20 concurrent locks of one coupon by 20 orders: exactly one wins', async () => {
    const { userId, coupon } = await couponOf();
    const orders = Array.from({ length: 20 }, orderId);
    const responses = await Promise.all(orders.map((order) => gql(url, LOCK, { couponId: coupon.id, orderId: order }, serviceHeaders('order', userId))));
    const winners = responses.flatMap((response, i) => (response.errors ? [] : [orders[i]]));
    expect(winners).toHaveLength(1);
    expect(responses.filter((response) => codes(response)[0] === 'CONFLICT')).toHaveLength(19);
    expect(await db('coupons').where({ id: coupon.id }).first('status', 'order_id')).toEqual({ status: 'LOCKED', order_id: winners[0] });
  });

  it('uses idempotently, only the order holding the lock; release after use is a CONFLICT', async () => {
    const { userId, coupon } = await couponOf();
    const order = orderId();
    expect(codes(await gql(url, USE, { couponId: coupon.id, orderId: order }, serviceHeaders('order', userId)))).toEqual(['CONFLICT']); // not locked
    ok(await gql(url, LOCK, { couponId: coupon.id, orderId: order }, serviceHeaders('order', userId)));
    expect(codes(await gql(url, USE, { couponId: coupon.id, orderId: orderId() }, serviceHeaders('order', userId)))).toEqual(['CONFLICT']);
    const used = ok(await gql(url, USE, { couponId: coupon.id, orderId: order }, serviceHeaders('order', userId))).useCoupon;
    expect(used.status).toBe('USED');
    const again = ok(await gql(url, USE, { couponId: coupon.id, orderId: order }, serviceHeaders('order'))).useCoupon;
    expect(again).toEqual(used); // same usedAt: no second effect
    expect(ok(await gql(url, LOCK, { couponId: coupon.id, orderId: order }, serviceHeaders('order', userId))).lockCoupon.status).toBe('USED');
    expect(codes(await gql(url, LOCK, { couponId: coupon.id, orderId: orderId() }, serviceHeaders('order', userId)))).toEqual(['CONFLICT']);
    expect(codes(await gql(url, RELEASE, { couponId: coupon.id, orderId: order }, serviceHeaders('order', userId)))).toEqual(['CONFLICT']);
    expect(codes(await gql(url, USE, { couponId: coupon.id, orderId: order }, serviceHeaders('order', newUserId())))).toEqual(['NOT_FOUND']);
  });

  it('releases idempotently; a stale release from an old order never frees a newer order’s lock', async () => {
    const { userId, coupon } = await couponOf();
    const first = orderId();
    const second = orderId();
    const headers = serviceHeaders('order', userId);
    ok(await gql(url, LOCK, { couponId: coupon.id, orderId: first }, headers));
    expect(ok(await gql(url, RELEASE, { couponId: coupon.id, orderId: first }, headers)).releaseCoupon.status).toBe('AVAILABLE');
    expect(ok(await gql(url, RELEASE, { couponId: coupon.id, orderId: first }, serviceHeaders('order'))).releaseCoupon.status).toBe('AVAILABLE');
    ok(await gql(url, LOCK, { couponId: coupon.id, orderId: second }, headers));
    expect(ok(await gql(url, RELEASE, { couponId: coupon.id, orderId: first }, headers)).releaseCoupon.status).toBe('LOCKED');
    expect(await db('coupons').where({ id: coupon.id }).first('status', 'order_id')).toEqual({ status: 'LOCKED', order_id: second });
    expect(codes(await gql(url, RELEASE, { couponId: '999999999999', orderId: first }, headers))).toEqual(['NOT_FOUND']);
  });
});

/**
 * Staff management of redeem codes and coupon templates on the promote subgraph, against the run's real database:
 * the scope, the filtered code list, code edits and soft deletion (history kept, reservations returned), template
 * edits (what may change once coupons were issued) and search, and the races between staff and shoppers.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../app/launcher';
import { countStatements } from '../../platform/db';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, type GraphQLResponse } from '../../test/support/harness';

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

const newUserId = () => String(crypto.randomInt(1, 2 ** 47));
const staff = () => asIdentity({ userId: newUserId(), scopes: ['promote:write'] }, 'promote');
const shopperHeaders = (userId: string) => asIdentity({ userId }, 'promote');
const uniqueName = (prefix = 'Adm') => `${prefix}-${crypto.randomBytes(5).toString('hex')}`;

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const TEMPLATE_FIELDS = 'id name description type amount minSpend scope totalQuantity issuedCount perUserLimit validDays validFrom validUntil claimable active';
const CODE_FIELDS = 'id code status expiresAt disabledAt deletedAt redeemedBy redeemedAt createdAt template { id }';
const CREATE_TEMPLATE = `mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { ${TEMPLATE_FIELDS} } }`;
const UPDATE_TEMPLATE = `mutation($id: ID!, $input: UpdateCouponTemplateInput!) { updateCouponTemplate(id: $id, input: $input) { ${TEMPLATE_FIELDS} } }`;
const CREATE_CODES = 'mutation($templateId: ID!, $count: Int!) { createCouponCodes(templateId: $templateId, count: $count) }';
const CODES = `query($filter: CouponCodeFilter, $first: Int, $after: String) { couponCodes(filter: $filter, first: $first, after: $after) {
  edges { cursor node { ${CODE_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const UPDATE_CODE = `mutation($id: ID!, $input: UpdateCouponCodeInput!) { updateCouponCode(id: $id, input: $input) { ${CODE_FIELDS} } }`;
const DELETE_CODE = `mutation($id: ID!) { deleteCouponCode(id: $id) { ${CODE_FIELDS} } }`;
const REDEEM = 'mutation($code: String!) { redeemCouponCode(code: $code) { id amount validUntil } }';
const CLAIM = 'mutation($templateId: ID!) { claimCoupon(templateId: $templateId) { id amount name validUntil } }';
const TEMPLATES = `query($filter: CouponTemplateFilter) { couponTemplates(first: 100, filter: $filter) { edges { node { id name } } } }`;

async function createTemplate(overrides: Record<string, unknown> = {}) {
  const input = { name: uniqueName(), type: 'CASH', amount: 1000, minSpend: 5000, validDays: 7, perUserLimit: 1, ...overrides };
  return ok(await gql(url, CREATE_TEMPLATE, { input }, staff())).createCouponTemplate;
}

/** A template with `count` codes; the codes' rows (id, code) in creation order. */
async function templateWithCodes(count: number, overrides: Record<string, unknown> = {}) {
  const template = await createTemplate({ perUserLimit: 100, ...overrides });
  const created: string[] = ok(await gql(url, CREATE_CODES, { templateId: template.id, count }, staff())).createCouponCodes;
  const rows = await db('coupon_codes').whereIn('code', created).orderBy('id').select('id', 'code');
  return { template, codes: rows.map((row: { id: string; code: string }) => ({ id: String(row.id), code: row.code })) };
}

const listCodes = async (filter: Record<string, unknown>, first = 100) =>
  ok(await gql(url, CODES, { filter, first }, staff())).couponCodes.edges.map((edge: any) => edge.node);
const issuedCount = async (templateId: string) => Number((await db('coupon_templates').where({ id: templateId }).first('issued_count')).issued_count);

describe('scope promote:write', () => {
  it.each([
    ['couponCodes', CODES, {}],
    ['updateCouponCode', UPDATE_CODE, { id: '1', input: { disabled: true } }],
    ['deleteCouponCode', DELETE_CODE, { id: '1' }],
    ['updateCouponTemplate', UPDATE_TEMPLATE, { id: '1', input: { name: 'x' } }],
    ['couponTemplates with a filter', TEMPLATES, { filter: { keyword: 'x' } }],
  ])('%s: UNAUTHENTICATED signed out, FORBIDDEN without the scope', async (_name, query, variables) => {
    expect(codes(await gql(url, query, variables, anonymousTo('promote')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, query, variables, shopperHeaders(newUserId())))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, query, variables, asIdentity({ userId: newUserId(), scopes: ['catalog:write'] }, 'promote')))).toEqual(['FORBIDDEN']);
  });
});

describe('redeem codes', () => {
  it('lists codes newest first, filtered by template, status, code prefix and redeemer', async () => {
    const { template, codes: made } = await templateWithCodes(5);
    const redeemer = newUserId();
    ok(await gql(url, REDEEM, { code: made[0].code }, shopperHeaders(redeemer)));
    ok(await gql(url, UPDATE_CODE, { id: made[1].id, input: { disabled: true } }, staff()));
    await db('coupon_codes').where({ id: made[2].id }).update({ expires_at: db.raw("now() - interval '1 minute'") });
    ok(await gql(url, DELETE_CODE, { id: made[3].id }, staff()));

    const all = await listCodes({ templateId: template.id });
    // Deleted codes are left out unless asked for.
    expect(all.map((code: any) => code.id)).toEqual([made[4].id, made[2].id, made[1].id, made[0].id]);
    expect(all.map((code: any) => code.status)).toEqual(['ACTIVE', 'EXPIRED', 'DISABLED', 'REDEEMED']);
    expect(all[3]).toMatchObject({ redeemedBy: redeemer, redeemedAt: expect.any(String), template: { id: template.id } });
    for (const [status, index] of [['ACTIVE', 4], ['EXPIRED', 2], ['DISABLED', 1], ['REDEEMED', 0], ['DELETED', 3]] as const) {
      expect((await listCodes({ templateId: template.id, status })).map((code: any) => code.id)).toEqual([made[index].id]);
    }
    const typed = `${made[4].code.slice(0, 4).toLowerCase()}-${made[4].code.slice(4, 8)}`;
    expect((await listCodes({ code: typed })).map((code: any) => code.id)).toContain(made[4].id);
    expect((await listCodes({ code: made[4].code })).map((code: any) => code.id)).toEqual([made[4].id]);
    expect((await listCodes({ redeemedBy: redeemer })).map((code: any) => code.id)).toEqual([made[0].id]);

    const page = ok(await gql(url, CODES, { filter: { templateId: template.id }, first: 3 }, staff())).couponCodes;
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = ok(await gql(url, CODES, { filter: { templateId: template.id }, first: 3, after: page.pageInfo.endCursor }, staff())).couponCodes;
    expect(next.edges.map((edge: any) => edge.node.id)).toEqual([made[0].id]);
    for (const filter of [{ code: 'O0I1' }, { code: 'x'.repeat(13) }, { templateId: 'x' }, { redeemedBy: '-1' }]) {
      expect(codes(await gql(url, CODES, { filter }, staff()))).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('disables, re-enables and sets or clears the expiry of a code; a disabled or expired code does not redeem', async () => {
    const { codes: [code] } = await templateWithCodes(1);
    const shopper = newUserId();
    const disabled = ok(await gql(url, UPDATE_CODE, { id: code.id, input: { disabled: true } }, staff())).updateCouponCode;
    expect(disabled).toMatchObject({ status: 'DISABLED', disabledAt: expect.any(String) });
    const refused = await gql(url, REDEEM, { code: code.code }, shopperHeaders(shopper));
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0].extensions).toMatchObject({ reason: 'CODE_DISABLED' });

    const future = new Date(Date.now() + 86_400_000).toISOString();
    const enabled = ok(await gql(url, UPDATE_CODE, { id: code.id, input: { disabled: false, expiresAt: future } }, staff())).updateCouponCode;
    expect(enabled).toMatchObject({ status: 'ACTIVE', disabledAt: null, expiresAt: future });
    for (const expiresAt of ['2020-01-01T00:00:00Z', 'tomorrow', '2030-01-01']) {
      expect(codes(await gql(url, UPDATE_CODE, { id: code.id, input: { expiresAt } }, staff()))).toEqual(['BAD_USER_INPUT']);
    }
    await db('coupon_codes').where({ id: code.id }).update({ expires_at: db.raw("now() - interval '1 second'") });
    const expired = await gql(url, REDEEM, { code: code.code }, shopperHeaders(shopper));
    expect(expired.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'CODE_EXPIRED' });
    // Clearing the expiry makes it redeemable again.
    expect(ok(await gql(url, UPDATE_CODE, { id: code.id, input: { expiresAt: null } }, staff())).updateCouponCode).toMatchObject({ status: 'ACTIVE', expiresAt: null });
    ok(await gql(url, REDEEM, { code: code.code }, shopperHeaders(shopper)));

    const edit = await gql(url, UPDATE_CODE, { id: code.id, input: { disabled: true } }, staff());
    expect(edit.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'CODE_REDEEMED' });
    expect(codes(await gql(url, UPDATE_CODE, { id: '999999999999', input: { disabled: true } }, staff()))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, UPDATE_CODE, { id: 'x', input: { disabled: true } }, staff()))).toEqual(['NOT_FOUND']);
  });

  it('deletes softly: an unredeemed code gives its coupon back, a redeemed one keeps its history', async () => {
    const { template, codes: [fresh, used] } = await templateWithCodes(2, { totalQuantity: 2 });
    const shopper = newUserId();
    const coupon = ok(await gql(url, REDEEM, { code: used.code }, shopperHeaders(shopper))).redeemCouponCode;
    expect(await issuedCount(template.id)).toBe(2);

    const deleted = ok(await gql(url, DELETE_CODE, { id: fresh.id }, staff())).deleteCouponCode;
    expect(deleted).toMatchObject({ status: 'DELETED', deletedAt: expect.any(String) });
    expect(await issuedCount(template.id)).toBe(1);
    // Idempotent: the reservation is given back once.
    expect(ok(await gql(url, DELETE_CODE, { id: fresh.id }, staff())).deleteCouponCode.deletedAt).toBe(deleted.deletedAt);
    expect(await issuedCount(template.id)).toBe(1);
    const redeemDeleted = await gql(url, REDEEM, { code: fresh.code }, shopperHeaders(newUserId()));
    expect(redeemDeleted.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'CODE_NOT_FOUND' });
    expect(codes(await gql(url, UPDATE_CODE, { id: fresh.id, input: { disabled: true } }, staff()))).toEqual(['NOT_FOUND']);

    const gone = ok(await gql(url, DELETE_CODE, { id: used.id }, staff())).deleteCouponCode;
    expect(gone).toMatchObject({ status: 'DELETED', redeemedBy: shopper, redeemedAt: expect.any(String) });
    expect(await issuedCount(template.id)).toBe(1);
    // The shopper's coupon is untouched, and the row still ties it to its code.
    const row = await db('coupons').where({ id: coupon.id }).first('status', 'code_id');
    expect(row).toEqual({ status: 'AVAILABLE', code_id: used.id });
    expect((await listCodes({ templateId: template.id, status: 'DELETED' })).map((code: any) => code.id).sort()).toEqual([fresh.id, used.id].sort());
    // The returned quantity can be issued again.
    ok(await gql(url, CLAIM, { templateId: template.id }, shopperHeaders(newUserId())));
    expect(codes(await gql(url, DELETE_CODE, { id: '999999999999' }, staff()))).toEqual(['NOT_FOUND']);
  });

  it('a delete and a redemption of the same code at once: exactly one wins, quantities stay exact', async () => {
    const { template, codes: made } = await templateWithCodes(12);
    const results = await Promise.all(
      made.flatMap((code) => [gql(url, REDEEM, { code: code.code }, shopperHeaders(newUserId())), gql(url, DELETE_CODE, { id: code.id }, staff())]),
    );
    for (let i = 0; i < made.length; i++) {
      const [redeem, remove] = [results[2 * i], results[2 * i + 1]];
      expect(remove.errors).toBeUndefined();
      expect(redeem.errors ? codes(redeem) : []).toEqual(redeem.errors ? ['NOT_FOUND'] : []);
    }
    const coupons = Number((await db('coupons').where({ template_id: template.id }).count('* as n').first())!.n);
    const redeemedCodes = Number((await db('coupon_codes').where({ template_id: template.id }).whereNotNull('redeemed_at').count('* as n').first())!.n);
    expect(coupons).toBe(redeemedCodes);
    // Every deleted unredeemed code gave its coupon back: what stays issued is what was redeemed.
    expect(await issuedCount(template.id)).toBe(coupons);
  });
});

describe('statements', () => {
  it('lists 1 or 20 codes of several templates, with their templates, in the same statements', async () => {
    const first = await templateWithCodes(10);
    await templateWithCodes(10);
    const query = `query($filter: CouponCodeFilter, $first: Int) { couponCodes(filter: $filter, first: $first) { edges { node { id status template { id name remainingQuantity } } } } }`;
    const counter = countStatements(db);
    try {
      ok(await gql(url, query, { filter: { templateId: first.template.id }, first: 1 }, staff()));
      const forOne = counter.count;
      counter.reset();
      const many = ok(await gql(url, query, { first: 20 }, staff())).couponCodes.edges;
      expect(many).toHaveLength(20);
      // Codes of two templates at least (other test files create codes meanwhile): still one statement for templates.
      expect(new Set(many.map((edge: any) => edge.node.template.id)).size).toBeGreaterThanOrEqual(2);
      // The page, the templates.
      expect(forOne).toBe(2);
      expect(counter.count).toBe(forOne);
    } finally {
      counter.stop();
    }
  });
});

describe('coupon templates', () => {
  it('changes words, quantity, limits and validity after coupons were issued, never the terms', async () => {
    const template = await createTemplate({ totalQuantity: 10, validDays: 7, scope: 'PRODUCTS', productIds: ['5'] });
    const shopper = newUserId();
    const coupon = ok(await gql(url, CLAIM, { templateId: template.id }, shopperHeaders(shopper))).claimCoupon;
    const until = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const updated = ok(
      await gql(url, UPDATE_TEMPLATE, {
        id: template.id,
        input: { name: '  新名字 ', description: '春季活动', totalQuantity: 1, perUserLimit: 3, claimable: false, validUntil: until, validFrom: new Date().toISOString() },
      }, staff()),
    ).updateCouponTemplate;
    expect(updated).toMatchObject({ name: '新名字', description: '春季活动', totalQuantity: 1, issuedCount: 1, perUserLimit: 3, claimable: false, validDays: null, validUntil: until });
    // The coupon already issued keeps its validity; its name follows the template.
    const held = await db('coupons').where({ id: coupon.id }).first('valid_until');
    expect(held.valid_until.toISOString()).toBe(coupon.validUntil);

    for (const input of [{ amount: 2000 }, { minSpend: 9000 }, { type: 'FREE_SHIPPING', amount: 0, minSpend: 0 }, { scope: 'ALL', productIds: [] }, { productIds: ['6'] }]) {
      const refused = await gql(url, UPDATE_TEMPLATE, { id: template.id, input }, staff());
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'TEMPLATE_ISSUED' });
    }
    // The same terms again are not a change.
    ok(await gql(url, UPDATE_TEMPLATE, { id: template.id, input: { amount: 1000, productIds: ['5'] } }, staff()));
    expect(codes(await gql(url, UPDATE_TEMPLATE, { id: template.id, input: { totalQuantity: 0 } }, staff()))).toEqual(['BAD_USER_INPUT']);
    const after = await db('coupon_templates').where({ id: template.id }).first();
    expect(after).toMatchObject({ amount: 1000, min_spend: 5000, type: 'CASH', scope: 'PRODUCTS', total_quantity: 1, name: '新名字' });
  });

  it('changes anything while nothing was issued, with the creation rules', async () => {
    const template = await createTemplate();
    const changed = ok(await gql(url, UPDATE_TEMPLATE, { id: template.id, input: { type: 'FREE_SHIPPING', amount: 0, minSpend: 0, validDays: 30, description: 'x' } }, staff()))
      .updateCouponTemplate;
    expect(changed).toMatchObject({ type: 'FREE_SHIPPING', amount: 0, minSpend: 0, validDays: 30, description: 'x' });
    expect(ok(await gql(url, UPDATE_TEMPLATE, { id: template.id, input: { description: null } }, staff())).updateCouponTemplate.description).toBeNull();
    for (const input of [
      { amount: 100 },
      { type: 'CASH', amount: 500, minSpend: 100 },
      { name: ' ' },
      { name: null },
      { description: 'd'.repeat(201) },
      { perUserLimit: 0 },
      { validDays: 3, validUntil: '2030-01-01T00:00:00Z' },
      { validFrom: '2020-01-01T00:00:00Z', validUntil: '2020-02-01T00:00:00Z' },
      { scope: 'CATEGORIES' },
    ]) {
      const response = await gql(url, UPDATE_TEMPLATE, { id: template.id, input }, staff());
      expect([input, codes(response)]).toEqual([input, ['BAD_USER_INPUT']]);
    }
    expect(ok(await gql(url, 'query($id: ID!) { couponTemplate(id: $id) { type validDays description } }', { id: template.id }, staff())).couponTemplate).toEqual({
      type: 'FREE_SHIPPING',
      validDays: 30,
      description: null,
    });
    expect(codes(await gql(url, UPDATE_TEMPLATE, { id: '999999999999', input: { name: 'x' } }, staff()))).toEqual(['NOT_FOUND']);
  });

  it('lets staff rename a campaign whose window has ended', async () => {
    const template = await createTemplate({ validDays: null, validFrom: new Date(Date.now() - 86_400_000).toISOString(), validUntil: new Date(Date.now() + 1500).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(ok(await gql(url, UPDATE_TEMPLATE, { id: template.id, input: { name: 'ended, renamed' } }, staff())).updateCouponTemplate.name).toBe('ended, renamed');
  });

  it('never lets concurrent claims pass a total lowered meanwhile', async () => {
    const template = await createTemplate({ totalQuantity: 50, perUserLimit: 1 });
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => gql(url, CLAIM, { templateId: template.id }, shopperHeaders(newUserId()))),
      gql(url, UPDATE_TEMPLATE, { id: template.id, input: { totalQuantity: 5 } }, staff()),
    ]);
    const update = results.at(-1)!;
    const claimed = results.slice(0, -1).filter((result) => !result.errors).length;
    const issued = await issuedCount(template.id);
    expect(issued).toBe(claimed);
    if (update.errors) expect(codes(update)).toEqual(['BAD_USER_INPUT']);
    else expect(issued).toBeLessThanOrEqual(5);
  });

  it('searches templates by keyword in name or description, type, active and claimable', async () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const a = await createTemplate({ name: `春-${tag}-a` });
    const b = await createTemplate({ name: uniqueName(), description: `desc 100%_${tag}`, type: 'FREE_SHIPPING', amount: 0, minSpend: 0 });
    const c = await createTemplate({ name: `x-${tag.toUpperCase()}-c`, claimable: false, active: false });
    const ids = async (filter: Record<string, unknown>) => ok(await gql(url, TEMPLATES, { filter }, staff())).couponTemplates.edges.map((edge: any) => edge.node.id);
    expect(await ids({ keyword: tag })).toEqual([c.id, b.id, a.id]);
    expect(await ids({ keyword: tag, type: 'FREE_SHIPPING' })).toEqual([b.id]);
    expect(await ids({ keyword: tag, active: false })).toEqual([c.id]);
    expect(await ids({ keyword: tag, claimable: true, type: 'CASH' })).toEqual([a.id]);
    // LIKE wildcards are matched literally.
    expect(await ids({ keyword: `100%_${tag}` })).toEqual([b.id]);
    expect(await ids({ keyword: `%${tag}` })).toEqual([]);
    expect(codes(await gql(url, TEMPLATES, { filter: { keyword: ' ' } }, staff()))).toEqual(['BAD_USER_INPUT']);
  });
});

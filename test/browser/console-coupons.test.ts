/**
 * The console's coupon and access-log gaps (docs/console.md) in headless Chromium against one whole supergraph (real
 * PostgreSQL and Redis): 优惠券 creates a template with a description, a per-shopper limit, categories picked from the
 * catalog and a fixed validity window, then edits its scope to products (refusals in Chinese, nothing changed; the
 * scope fixed once a coupon is issued); redeem codes edited (expiry, disabled) and deleted, a redeemed code's edit
 * refused in Chinese; 顾客信息访问日志 filtered by staff member and a time range with keyset pages, a bad range refused
 * in Chinese. Each time a role without the scope is refused by the API. Screenshots in
 * artifacts/screenshots/console-coupons/; no errors in the browser's console.
 */
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import type { RunningSupergraph } from '../../app/launcher';
import { newConsoleStaff, signInToConsole } from '../support/console-pages';
import { launchBrowser, type BrowserSession } from '../support/browser';
import { bearer, gql, startSupergraph, uniquePhone, type GraphQLResponse } from '../support/harness';

let supergraph: RunningSupergraph;
let browser: BrowserSession;
let origin: string;
let graphqlUrl: string;
let admin: { username: string; userId: string; headers: Record<string, string> };

const tag = crypto.randomBytes(3).toString('hex').toUpperCase();

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const newStaff = (role: string) => newConsoleStaff(supergraph, graphqlUrl, role);
const signIn = (page: Page, username: string) => signInToConsole(page, origin, username);
const menu = (page: Page, name: string) => page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name, exact: true });
/** A China date (YYYY-MM-DD) `daysAgo` days before today. */
const chinaDate = (daysAgo: number) => new Date(Date.now() + 8 * 3600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);

async function newShopper(): Promise<{ id: string; headers: Record<string, string> }> {
  const registered = ok(
    await gql(graphqlUrl, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', { input: { phone: uniquePhone(), password: 'Shopper123' } }),
  ).register;
  return { id: registered.user.id, headers: bearer(registered.accessToken) };
}

beforeAll(async () => {
  supergraph = await startSupergraph();
  graphqlUrl = supergraph.routerUrl!;
  origin = new URL(graphqlUrl).origin;
  browser = await launchBrowser('console-coupons');
  admin = await newStaff('admin');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await supergraph?.stop();
});

it('优惠券: a template with description, per-shopper limit, categories and a fixed window; its scope edited, refusals in Chinese', async () => {
  // Two categories of this run (a parent and its child), made through the API as the catalog would.
  const CREATE_CATEGORY = 'mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id name } }';
  const parent = ok(await gql(graphqlUrl, CREATE_CATEGORY, { i: { name: `券类-${tag}` } }, admin.headers)).createCategory;
  const child = ok(await gql(graphqlUrl, CREATE_CATEGORY, { i: { name: `券子类-${tag}`, parentId: parent.id } }, admin.headers)).createCategory;
  const marketer = await newStaff('marketing');
  const name = `范围券-${tag}`;
  const promote = supergraph.subgraphs.promote!.db;
  const templateRow = () => promote('coupon_templates').where({ name }).first();
  const page = await browser.newPage();
  await signIn(page, marketer.username);
  await menu(page, '优惠券').click();
  const form = page.getByRole('form', { name: '新建券模板' });
  await form.getByLabel('名称').fill(name);
  await form.getByLabel('说明').fill('春季新品专享');
  await form.getByLabel('面额（元）').fill('10');
  await form.getByLabel('使用门槛（元）').fill('99');
  await form.getByLabel('每人限领').fill('2');
  await form.getByLabel('适用范围').selectOption('CATEGORIES');
  // Nothing picked: said in the page, nothing sent.
  await form.getByRole('button', { name: '创建' }).click();
  await form.getByText('请至少选择一个分类').waitFor();
  const picker = form.getByRole('group', { name: '适用分类' });
  await picker.getByLabel(parent.name, { exact: true }).check();
  await picker.getByLabel(child.name, { exact: true }).check();
  await form.getByLabel('有效期').selectOption('window');
  await form.getByLabel('开始').fill(`${chinaDate(1)}T00:00:00`);
  await form.getByLabel('结束').fill('2027-06-30T23:59:59');
  await browser.screenshot(page, 'template-create-scope');
  await form.getByRole('button', { name: '创建' }).click();
  const row = page.getByRole('table', { name: '券模板' }).locator('tr', { hasText: name });
  await row.getByRole('cell', { name: `分类：${parent.name}、${child.name}`, exact: true }).waitFor();
  await row.getByRole('cell', { name: `${chinaDate(1)} 00:00:00 ~ 2027-06-30 23:59:59`, exact: true }).waitFor();
  const created = await templateRow();
  expect(created).toMatchObject({ description: '春季新品专享', amount: 1000, min_spend: 9900, per_user_limit: 2, scope: 'CATEGORIES', valid_days: null });
  expect(created.category_ids.map(String)).toEqual([parent.id, child.id]);
  expect(new Date(created.valid_from).toISOString()).toBe(new Date(`${chinaDate(1)}T00:00:00+08:00`).toISOString());
  expect(new Date(created.valid_until).toISOString()).toBe(new Date('2027-06-30T23:59:59+08:00').toISOString());

  // Edit: the scope becomes two products, the description and limit change.
  await row.getByRole('button', { name: '编辑' }).click();
  const edit = page.getByRole('form', { name: '编辑券模板' });
  await expect(edit.getByLabel('每人限领').inputValue()).resolves.toBe('2');
  await edit.getByLabel('适用范围').selectOption('PRODUCTS');
  await edit.getByLabel('商品 ID').fill('1, 2');
  await edit.getByLabel('说明').fill('指定商品专享');
  await edit.getByLabel('每人限领').fill('3');
  await browser.screenshot(page, 'template-edit-scope');
  await edit.getByRole('button', { name: '保存' }).click();
  await row.getByRole('cell', { name: '商品 ID：1、2', exact: true }).waitFor();
  const edited = await templateRow();
  expect(edited).toMatchObject({ scope: 'PRODUCTS', description: '指定商品专享', per_user_limit: 3 });
  expect(edited.product_ids.map(String)).toEqual(['1', '2']);
  expect(edited.category_ids).toEqual([]);

  // The API's BAD_USER_INPUT (perUserLimit 0) in Chinese, nothing written.
  await row.getByRole('button', { name: '编辑' }).click();
  await edit.getByLabel('每人限领').fill('0');
  await edit.getByRole('button', { name: '保存' }).click();
  await edit.getByRole('alert').getByText('每人限领须为至少 1 的整数').waitFor();
  await expect(edit.getByRole('alert').getAttribute('data-code')).resolves.toBe('BAD_USER_INPUT');
  expect(await templateRow()).toMatchObject({ per_user_limit: 3 });

  // Once a coupon is claimed the scope is fixed: CONFLICT in Chinese, the products kept; the limit still changes.
  const shopper = await newShopper();
  ok(await gql(graphqlUrl, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id } }', { id: String(edited.id) }, shopper.headers));
  await page.reload();
  await menu(page, '优惠券').waitFor();
  await row.getByRole('button', { name: '编辑' }).click();
  await edit.getByText('已发放 1 张').waitFor();
  await edit.getByLabel('适用范围').selectOption('ALL');
  await edit.getByRole('button', { name: '保存' }).click();
  await edit.getByRole('alert').getByText('该模板已发放过优惠券，类型、面额、使用门槛和适用范围不能再修改；请新建一个模板').waitFor();
  await browser.screenshot(page, 'template-scope-issued-refused');
  expect((await templateRow()).scope).toBe('PRODUCTS');
  await edit.getByLabel('适用范围').selectOption('PRODUCTS');
  await edit.getByLabel('每人限领').fill('5');
  await edit.getByRole('button', { name: '保存' }).click();
  await row.getByRole('cell', { name: '5', exact: true }).waitFor();
  expect(await templateRow()).toMatchObject({ per_user_limit: 5, scope: 'PRODUCTS' });

  // The API: a catalog clerk (no promote:write) may not create one.
  const clerk = await newStaff('catalog');
  const refused = await gql(graphqlUrl, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }', {
    input: { name: `x-${tag}`, type: 'CASH', amount: 100, validDays: 1, scope: 'CATEGORIES', categoryIds: [parent.id] },
  }, clerk.headers);
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(page.errors).toEqual([]);
});

it('兑换码: edits a code\'s expiry and disables it, deletes it (its coupon back to the template); a redeemed code\'s edit refused in Chinese', async () => {
  const marketer = await newStaff('marketing');
  const template = ok(await gql(graphqlUrl, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }', {
    input: { name: `兑换码券-${tag}`, type: 'CASH', amount: 300, validDays: 30, totalQuantity: 10, claimable: false },
  }, marketer.headers)).createCouponTemplate;
  const [kept, redeemed] = ok(await gql(graphqlUrl, 'mutation($id: ID!) { createCouponCodes(templateId: $id, count: 2) }', { id: template.id }, marketer.headers)).createCouponCodes;
  const shopper = await newShopper();
  ok(await gql(graphqlUrl, 'mutation($c: String!) { redeemCouponCode(code: $c) { id } }', { c: redeemed }, shopper.headers));
  const promote = supergraph.subgraphs.promote!.db;
  const codeRow = (code: string) => promote('coupon_codes').where({ code }).first();
  const issued = async () => (await promote('coupon_templates').where({ id: template.id }).first()).issued_count;
  expect(await issued()).toBe(2);

  const page = await browser.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await signIn(page, marketer.username);
  await menu(page, '优惠券').click();
  const search = page.getByRole('form', { name: '兑换码搜索' });
  await search.getByLabel('兑换码').fill(kept);
  await search.getByRole('button', { name: '搜索' }).click();
  const row = page.getByTestId(`code-${kept}`);
  await row.getByRole('cell', { name: '可兑换', exact: true }).waitFor();
  await row.getByRole('button', { name: '编辑' }).click();
  const form = page.getByRole('form', { name: '编辑兑换码' });
  await form.getByLabel('有效期至').fill('2027-06-30T12:00:00');
  await form.getByLabel('停用').check();
  await form.getByRole('button', { name: '保存' }).click();
  await row.getByRole('cell', { name: '已停用', exact: true }).waitFor();
  await row.getByRole('cell', { name: '2027-06-30 12:00:00', exact: true }).waitFor();
  await browser.screenshot(page, 'code-edited');
  const disabled = await codeRow(kept);
  expect(new Date(disabled.expires_at).toISOString()).toBe(new Date('2027-06-30T12:00:00+08:00').toISOString());
  expect(disabled.disabled_at).not.toBeNull();

  // An expiry in the past: the API's BAD_USER_INPUT in Chinese, nothing changed.
  await row.getByRole('button', { name: '编辑' }).click();
  await form.getByLabel('有效期至').fill('2020-01-01T00:00:00');
  await form.getByRole('button', { name: '保存' }).click();
  await form.getByRole('alert').getByText('有效期至须为当前时间之后（要立即停止使用请停用该兑换码）').waitFor();
  expect(new Date((await codeRow(kept)).expires_at).toISOString()).toBe(new Date('2027-06-30T12:00:00+08:00').toISOString());
  await form.getByRole('button', { name: '取消' }).click();

  // A redeemed code cannot be edited: CONFLICT (CODE_REDEEMED) in Chinese.
  await search.getByLabel('兑换码').fill(redeemed);
  await search.getByRole('button', { name: '搜索' }).click();
  const redeemedRow = page.getByTestId(`code-${redeemed}`);
  await redeemedRow.getByRole('cell', { name: '已兑换', exact: true }).waitFor();
  await redeemedRow.getByRole('button', { name: '编辑' }).click();
  await form.getByLabel('停用').check();
  await form.getByRole('button', { name: '保存' }).click();
  await form.getByRole('alert').getByText('该兑换码已被兑换，不能再修改（可删除以从列表中隐藏）').waitFor();
  await expect(form.getByRole('alert').getAttribute('data-code')).resolves.toBe('CONFLICT');
  await browser.screenshot(page, 'code-redeemed-refused');
  expect((await codeRow(redeemed)).disabled_at).toBeNull();
  await form.getByRole('button', { name: '取消' }).click();

  // Deleting the unredeemed code (after the confirmation): gone from the list, its reserved coupon back.
  await search.getByLabel('兑换码').fill(kept);
  await search.getByRole('button', { name: '搜索' }).click();
  await row.getByRole('button', { name: '删除' }).click();
  await row.waitFor({ state: 'detached' });
  expect((await codeRow(kept)).deleted_at).not.toBeNull();
  expect(await issued()).toBe(1);
  await browser.screenshot(page, 'code-deleted');

  // The API: a catalog clerk may neither edit nor delete a code.
  const clerk = await newStaff('catalog');
  const id = String((await codeRow(redeemed)).id);
  expect((await gql(graphqlUrl, 'mutation($id: ID!) { updateCouponCode(id: $id, input: { disabled: true }) { id } }', { id }, clerk.headers)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await gql(graphqlUrl, 'mutation($id: ID!) { deleteCouponCode(id: $id) { id } }', { id }, clerk.headers)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await codeRow(redeemed)).deleted_at).toBeNull();
  expect(page.errors).toEqual([]);
});

it('顾客信息访问日志: filtered by staff member and a time range (China time), keyset pages; a bad range refused in Chinese', async () => {
  const shopper = await newShopper();
  const other = String(900_000_000 + crypto.randomInt(0, 99_999_999));
  const at = (minute: number, second = 0) => new Date(`2026-01-10T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}+08:00`);
  // 22 reads by `other` inside 10:10-10:20 China time, 3 outside it, and one by the admin inside it.
  await supergraph.subgraphs.user!.db('shopper_access_log').insert([
    ...Array.from({ length: 22 }, (_, i) => ({ staff_user_id: other, shopper_id: shopper.id, what: 'PROFILE', created_at: at(10, i) })),
    ...[5, 20, 25].map((minute) => ({ staff_user_id: other, shopper_id: shopper.id, what: 'WALLET', created_at: at(minute) })),
    { staff_user_id: admin.userId, shopper_id: shopper.id, what: 'WALLET', created_at: at(15) },
  ]);
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await page.goto(`${origin}/console/system/shopper-access?userId=${shopper.id}`);
  const table = page.getByRole('table', { name: '访问日志' });
  const rows = table.locator('tbody tr');
  await table.getByText(admin.username).waitFor();
  await expect(rows.count()).resolves.toBe(20);

  // By staff member: the admin's one read.
  await page.getByLabel('员工 ID').fill(admin.userId);
  await page.getByRole('button', { name: '查询' }).click();
  // Many cells name `other` until the answer comes: wait for the first of them to go (none is left then).
  await table.getByText(other).first().waitFor({ state: 'detached' });
  await expect(rows.count()).resolves.toBe(1);
  expect(await table.textContent()).toContain(admin.username);

  // `other` within 10:10 (inclusive) to 10:20 (exclusive): 22 reads, 20 + 2 over two pages and back.
  await page.getByLabel('员工 ID').fill(other);
  await page.getByLabel('开始').fill('2026-01-10T10:10:00');
  await page.getByLabel('结束').fill('2026-01-10T10:20:00');
  await page.getByRole('button', { name: '查询' }).click();
  await table.getByText('2026-01-10 10:10:21').waitFor();
  await expect(rows.count()).resolves.toBe(20);
  expect(await table.textContent()).not.toContain('钱包');
  await browser.screenshot(page, 'access-log-filtered');
  await page.getByRole('button', { name: '下一页' }).click();
  await table.getByText('2026-01-10 10:10:00').waitFor();
  await expect(rows.count()).resolves.toBe(2);
  await page.getByRole('button', { name: '上一页' }).click();
  await table.getByText('2026-01-10 10:10:21').waitFor();
  await expect(rows.count()).resolves.toBe(20);

  // An end before the start: the API's BAD_USER_INPUT, said in Chinese.
  await page.getByLabel('结束').fill('2026-01-10T10:00:00');
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByRole('alert').getByText(/结束时间须晚于开始时间/).waitFor();
  await expect(page.getByRole('alert').getAttribute('data-code')).resolves.toBe('BAD_USER_INPUT');
  await browser.screenshot(page, 'access-log-bad-range');

  // The API: a catalog clerk is refused the filtered log.
  const clerk = await newStaff('catalog');
  const refused = await gql(graphqlUrl, 'query($s: ID) { shopperAccessLog(staffUserId: $s) { edges { node { id } } } }', { s: other }, clerk.headers);
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(page.errors).toEqual([]);
});

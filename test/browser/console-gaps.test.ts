/**
 * The console's last gaps (docs/console.md) in headless Chromium against one whole supergraph (real PostgreSQL and
 * Redis): 门店账号 edits an account's real name and phone (a bad phone refused in Chinese, nothing changed); 优惠券 edits
 * a template (name, amounts in yuan, quantity, validity, claimable; the API's refusals in Chinese, nothing changed); the
 * shoppers' access log page (系统 / 顾客信息访问日志, staff:admin) reached from a shopper's page, keyset pages; 券核销
 * lists a past period's redemptions (a period over 366 days refused in Chinese). Each time a role without the scope is
 * refused by the API. Screenshots in artifacts/screenshots/console-gaps/; no errors in the browser's console.
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
const STORE = `GP${tag}`;
const STORE_PASSWORD = 'Console-pass-1';

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const newStaff = (role: string) => newConsoleStaff(supergraph, graphqlUrl, role);
const signIn = (page: Page, username: string, password?: string) => signInToConsole(page, origin, username, password);
const menu = (page: Page, name: string) => page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name, exact: true });
/** A China date (YYYY-MM-DD) `daysAgo` days before today. */
const chinaDate = (daysAgo: number) => new Date(Date.now() + 8 * 3600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);

/** A store account (role store) of STORE, made through the API by the admin. */
async function storeAccount(): Promise<{ id: string; username: string }> {
  const username = `gp_${crypto.randomBytes(4).toString('hex')}`;
  const created = ok(
    await gql(graphqlUrl, 'mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { id } }', {
      i: { username, password: STORE_PASSWORD, realName: '王店员', phone: '13900001111', roles: ['store'], storeCodes: [STORE] },
    }, admin.headers),
  ).createStaffAccount;
  return { id: created.id, username };
}

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
  browser = await launchBrowser('console-gaps');
  admin = await newStaff('admin');
  ok(await gql(graphqlUrl, 'mutation($i: StoreInput!) { upsertStore(input: $i) { code } }', { i: { code: STORE, name: `测试门店 ${STORE}` } }, admin.headers));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await supergraph?.stop();
});

it('门店账号: edits an account\'s real name and phone; a bad phone is refused in Chinese and nothing changes', async () => {
  const account = await storeAccount();
  const accountRow = () => supergraph.subgraphs.user!.db('staff_accounts').where({ user_id: account.id }).first();
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await menu(page, '门店账号').click();
  const search = page.getByRole('form', { name: '账号搜索' });
  await search.getByLabel('门店编码').fill(STORE);
  await search.getByRole('button', { name: '搜索' }).click();
  const row = page.getByTestId(`account-${account.username}`);
  await row.waitFor();
  await row.getByRole('button', { name: '姓名与手机' }).click();
  const form = row.getByRole('form', { name: '姓名与手机' });
  await expect(form.getByLabel('姓名').inputValue()).resolves.toBe('王店员');
  await form.getByLabel('手机').fill('12345');
  await form.getByRole('button', { name: '保存' }).click();
  await form.getByRole('alert').getByText('手机号须为 11 位大陆手机号').waitFor();
  await browser.screenshot(page, 'account-bad-phone');
  expect(await accountRow()).toMatchObject({ real_name: '王店员', phone: '13900001111' });

  await form.getByLabel('姓名').fill('王小明');
  await form.getByLabel('手机').fill('13900002222');
  await form.getByRole('button', { name: '保存' }).click();
  await row.getByRole('cell', { name: '王小明', exact: true }).waitFor();
  await row.getByRole('cell', { name: '13900002222', exact: true }).waitFor();
  await browser.screenshot(page, 'account-name-phone-edited');
  expect(await accountRow()).toMatchObject({ real_name: '王小明', phone: '13900002222' });

  // An empty phone clears it.
  await row.getByRole('button', { name: '姓名与手机' }).click();
  await row.getByRole('form', { name: '姓名与手机' }).getByLabel('手机').fill('');
  await row.getByRole('form', { name: '姓名与手机' }).getByRole('button', { name: '保存' }).click();
  await row.getByRole('cell', { name: '—', exact: true }).first().waitFor();
  expect(await accountRow()).toMatchObject({ real_name: '王小明', phone: null });

  // The API: a store clerk (store:operate only) may not edit accounts.
  const clerk = await newStaff('store');
  const refused = await gql(graphqlUrl, 'mutation($id: ID!) { updateStaffAccount(id: $id, input: { realName: "x" }) { id } }', { id: account.id }, clerk.headers);
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(await accountRow()).toMatchObject({ real_name: '王小明' });
  expect(page.errors).toEqual([]);
});

it('优惠券: edits a template (name, amounts in yuan, quantity, validity, claimable); refusals in Chinese change nothing', async () => {
  const marketer = await newStaff('marketing');
  const name = `编辑券-${tag}`;
  const input = { name, type: 'CASH', amount: 500, minSpend: 3000, totalQuantity: 100, perUserLimit: 5, validDays: 10, claimable: true };
  const template = ok(await gql(graphqlUrl, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }', { input }, marketer.headers)).createCouponTemplate;
  const templateRow = () => supergraph.subgraphs.promote!.db('coupon_templates').where({ id: template.id }).first();
  const page = await browser.newPage();
  await signIn(page, marketer.username);
  await menu(page, '优惠券').click();
  const row = page.getByRole('table', { name: '券模板' }).locator('tr', { hasText: name });
  await row.getByRole('button', { name: '编辑' }).click();
  const form = page.getByRole('form', { name: '编辑券模板' });
  await expect(form.getByLabel('面额（元）').inputValue()).resolves.toBe('5.00');
  await form.getByLabel('名称').fill(`${name}-改`);
  await form.getByLabel('面额（元）').fill('8.50');
  await form.getByLabel('使用门槛（元）').fill('40');
  await form.getByLabel('发放总量').fill('200');
  await form.getByLabel('领取后有效天数').fill('15');
  await form.getByLabel('用户可直接领取').uncheck();
  await browser.screenshot(page, 'template-edit-form');
  await form.getByRole('button', { name: '保存' }).click();
  const edited = page.getByRole('table', { name: '券模板' }).locator('tr', { hasText: `${name}-改` });
  await edited.getByRole('cell', { name: '¥8.50', exact: true }).waitFor();
  await edited.getByRole('cell', { name: '领取后 15 天', exact: true }).waitFor();
  expect(await templateRow()).toMatchObject({ name: `${name}-改`, amount: 850, min_spend: 4000, total_quantity: 200, valid_days: 15, claimable: false });

  // Bad input: the API's BAD_USER_INPUT (field validDays) in Chinese, nothing written.
  await edited.getByRole('button', { name: '编辑' }).click();
  await form.getByLabel('领取后有效天数').fill('4000');
  await form.getByRole('button', { name: '保存' }).click();
  await form.getByRole('alert').getByText('领取后有效天数须为 1–3650 的整数').waitFor();
  await expect(form.getByRole('alert').getAttribute('data-code')).resolves.toBe('BAD_USER_INPUT');
  await browser.screenshot(page, 'template-edit-bad-days');
  expect(await templateRow()).toMatchObject({ valid_days: 15 });

  // A fixed validity window (from yesterday, so the template can be claimed below) replaces the days.
  await form.getByLabel('有效期').selectOption('window');
  await form.getByLabel('开始').fill(`${chinaDate(1)}T00:00:00`);
  await form.getByLabel('结束').fill('2027-03-31T23:59:59');
  await form.getByLabel('用户可直接领取').check();
  await form.getByRole('button', { name: '保存' }).click();
  await edited.getByRole('cell', { name: `${chinaDate(1)} 00:00:00 ~ 2027-03-31 23:59:59`, exact: true }).waitFor();
  const windowed = await templateRow();
  expect(windowed).toMatchObject({ valid_days: null, claimable: true });
  // The browser runs in China time (test/support/browser.ts): the window's times are China times.
  expect(new Date(windowed.valid_from).toISOString()).toBe(new Date(`${chinaDate(1)}T00:00:00+08:00`).toISOString());
  expect(new Date(windowed.valid_until).toISOString()).toBe(new Date('2027-03-31T23:59:59+08:00').toISOString());

  // Once a coupon is issued its terms are fixed: CONFLICT (TEMPLATE_ISSUED) said in Chinese, the amount kept.
  const shopper = await newShopper();
  ok(await gql(graphqlUrl, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id } }', { id: template.id }, shopper.headers));
  await page.reload();
  await menu(page, '优惠券').waitFor();
  await edited.getByRole('button', { name: '编辑' }).click();
  await form.getByText('已发放 1 张').waitFor();
  await form.getByLabel('面额（元）').fill('9');
  await form.getByRole('button', { name: '保存' }).click();
  await form.getByRole('alert').getByText('该模板已发放过优惠券，类型、面额、使用门槛和适用范围不能再修改；请新建一个模板').waitFor();
  await browser.screenshot(page, 'template-edit-issued-refused');
  expect(await templateRow()).toMatchObject({ amount: 850 });

  // The API: a catalog clerk (no promote:write) is refused.
  const clerk = await newStaff('catalog');
  const refused = await gql(graphqlUrl, 'mutation($id: ID!) { updateCouponTemplate(id: $id, input: { name: "x" }) { id } }', { id: template.id }, clerk.headers);
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(page.errors).toEqual([]);
});

it('顾客信息访问日志: from a shopper\'s page to their access log (who, what, when), keyset pages; a catalog clerk refused', async () => {
  const shopper = await newShopper();
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await expect(page.getByRole('navigation', { name: '菜单' }).getByRole('link').allTextContents()).resolves.toContain('顾客信息访问日志');
  await page.goto(`${origin}/console/shoppers/${shopper.id}`);
  await page.getByTestId('wallet-balance').waitFor();
  await page.getByRole('button', { name: '查看该顾客信息的访问记录 →' }).click();
  await page.waitForURL(`${origin}/console/system/shopper-access?userId=${shopper.id}`);
  const table = page.getByRole('table', { name: '访问日志' });
  const rows = table.locator('tbody tr');
  await table.getByText('钱包（余额、流水）').waitFor();
  await expect(rows.count()).resolves.toBe(2);
  const text = await table.textContent();
  expect(text).toContain('顾客资料（手机号、地址）');
  expect(text).toContain(admin.username);
  expect(text).toContain(admin.userId);
  expect(await page.getByLabel('顾客 ID').inputValue()).toBe(shopper.id);
  await browser.screenshot(page, 'access-log-of-shopper');

  // 23 more reads, by an account that no longer exists: 25 in all, 20 + 5 over two pages and back.
  await supergraph.subgraphs.user!.db('shopper_access_log').insert(Array.from({ length: 23 }, () => ({ staff_user_id: '987654321', shopper_id: shopper.id, what: 'PROFILE' })));
  await page.getByRole('button', { name: '查询' }).click();
  await table.getByText('（账号已不存在）').first().waitFor();
  await expect(rows.count()).resolves.toBe(20);
  await page.getByRole('button', { name: '下一页' }).click();
  await table.getByText(admin.username).first().waitFor();
  await expect(rows.count()).resolves.toBe(5);
  await browser.screenshot(page, 'access-log-page-2');
  await page.getByRole('button', { name: '上一页' }).click();
  await page.getByRole('button', { name: '下一页' }).waitFor();
  await expect(rows.count()).resolves.toBe(20);
  // A malformed shopper id: the API's BAD_USER_INPUT.
  await page.getByLabel('顾客 ID').fill('abc');
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByRole('alert').getByText(/BAD_USER_INPUT/).waitFor();

  const clerk = await newStaff('catalog');
  const clerkPage = await browser.newPage();
  await signIn(clerkPage, clerk.username);
  await expect(clerkPage.getByRole('navigation', { name: '菜单' }).getByRole('link').allTextContents()).resolves.not.toContain('顾客信息访问日志');
  await clerkPage.goto(`${origin}/console/system/shopper-access`);
  await clerkPage.getByText('无权访问此页面').waitFor();
  await browser.screenshot(clerkPage, 'access-log-refused');
  const refused = await gql(graphqlUrl, '{ shopperAccessLog { edges { node { id } } } }', {}, clerk.headers);
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(page.errors).toEqual([]);
  expect(clerkPage.errors).toEqual([]);
});

it('券核销: lists the redemptions of a past period of China dates; over 366 days refused in Chinese', async () => {
  const account = await storeAccount();
  const store = { headers: await gql(graphqlUrl, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', { input: { account: account.username, password: STORE_PASSWORD } }).then((r) => bearer(ok(r).login.accessToken)) };
  const input = { name: `核销期间-${tag}`, type: 'CASH', amount: 300, minSpend: 1000, totalQuantity: 10, perUserLimit: 5, validDays: 10 };
  const template = ok(await gql(graphqlUrl, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }', { input }, admin.headers)).createCouponTemplate;
  const redeemed: string[] = [];
  for (let i = 0; i < 2; i++) {
    const shopper = await newShopper();
    const coupon = ok(await gql(graphqlUrl, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id counterCode } }', { id: template.id }, shopper.headers)).claimCoupon;
    ok(await gql(graphqlUrl, 'mutation($s: String!, $c: String!) { redeemCouponAtStore(storeCode: $s, code: $c) { couponId } }', { s: STORE, c: coupon.counterCode }, store.headers));
    redeemed.push(coupon.id);
  }
  // The first one was redeemed 40 days ago.
  await supergraph.subgraphs.promote!.db('coupon_store_redemptions').where({ coupon_id: redeemed[0] }).update({ redeemed_at: new Date(Date.now() - 40 * 86_400_000) });

  const page = await browser.newPage();
  await signIn(page, account.username, STORE_PASSWORD);
  await menu(page, '券核销').click();
  const today = page.getByRole('table', { name: '今日核销记录' });
  await today.getByRole('cell', { name: redeemed[1], exact: true }).waitFor();
  await expect(today.getByRole('cell', { name: redeemed[0], exact: true }).count()).resolves.toBe(0);

  const period = page.getByRole('form', { name: '核销记录期间' });
  await period.getByLabel('开始日期').fill(chinaDate(45));
  await period.getByLabel('结束日期').fill(chinaDate(35));
  await period.getByRole('button', { name: '查询' }).click();
  const past = page.getByRole('table', { name: '核销记录', exact: true });
  await past.getByRole('cell', { name: redeemed[0], exact: true }).waitFor();
  await expect(past.locator('tbody tr').count()).resolves.toBe(1);
  await expect(past.textContent()).resolves.toContain('¥3.00');
  await page.getByRole('heading', { name: `核销记录 ${chinaDate(45)} 至 ${chinaDate(35)}（${STORE}）` }).waitFor();
  await browser.screenshot(page, 'redemptions-past-period');

  await period.getByLabel('开始日期').fill(chinaDate(400));
  await period.getByLabel('结束日期').fill(chinaDate(0));
  await period.getByRole('button', { name: '查询' }).click();
  await page.getByRole('alert').getByText('结束日期不能早于开始日期，期间最长 366 天').waitFor();
  await browser.screenshot(page, 'redemptions-period-too-long');
  await period.getByRole('button', { name: '今天' }).click();
  await today.getByRole('cell', { name: redeemed[1], exact: true }).waitFor();

  // The API: a catalog clerk (no store:operate) is refused; a range over 366 days is BAD_USER_INPUT.
  const clerk = await newStaff('catalog');
  const query = 'query($s: String!, $f: String!, $t: String!) { storeRedemptions(storeCode: $s, from: $f, to: $t) { edges { node { couponId } } } }';
  const refused = await gql(graphqlUrl, query, { s: STORE, f: '2026-01-01T00:00:00+08:00', t: '2026-02-01T00:00:00+08:00' }, clerk.headers);
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const tooLong = await gql(graphqlUrl, query, { s: STORE, f: '2024-01-01T00:00:00+08:00', t: '2026-01-01T00:00:00+08:00' }, store.headers);
  expect(tooLong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  expect(page.errors).toEqual([]);
});

/**
 * The console's merchant back office pages (seed 001, docs/console.md) in headless Chromium against a whole supergraph
 * on ephemeral ports (real PostgreSQL and Redis): a super-admin searches the stores directory by a batch of codes and
 * creates a store account; a store clerk identifies a member by a coupon's code and redeems it at the store, a second
 * redemption is refused in Chinese; the store role does not see the Orders menu; another store is not offered and an
 * account whose store was taken away is shown the API's refusal. Screenshots under artifacts/screenshots/console-back-office/;
 * no errors in the browser's console.
 */
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import type { RunningSupergraph } from '../../app/launcher';
import { createStaff } from '../../subgraphs/user/staff';
import { signInToConsole, staffHeaders } from '../support/console-pages';
import { launchBrowser, type BrowserSession } from '../support/browser';
import { bearer, gql, startSupergraph, uniquePhone, type GraphQLResponse } from '../support/harness';

let supergraph: RunningSupergraph;
let browser: BrowserSession;
let origin: string;
let graphqlUrl: string;
let admin: { username: string; headers: Record<string, string> };

const PASSWORD = 'Console-pass-1';
const tag = crypto.randomBytes(3).toString('hex').toUpperCase();
const STORE_A = `BA${tag}`;
const STORE_B = `BB${tag}`;

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const login = (account: string, password: string) => staffHeaders(graphqlUrl, account, password);

/** A store account (role store) acting for `storeCodes`, made through the API by the super-admin. */
async function storeAccount(storeCodes: string[]): Promise<{ id: string; username: string }> {
  const username = `bo_${crypto.randomBytes(4).toString('hex')}`;
  const created = ok(
    await gql(graphqlUrl, 'mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { id } }', {
      i: { username, password: PASSWORD, realName: `店员${username}`, roles: ['store'], storeCodes },
    }, admin.headers),
  ).createStaffAccount;
  return { id: created.id, username };
}

/** A shopper holding one coupon of a new cash template; the coupon's counter code is what they show at the till. */
async function shopperCoupon(): Promise<{ userId: string; couponId: string; counterCode: string }> {
  const input = { name: `门店券-${tag}`, type: 'CASH', amount: 500, minSpend: 3000, totalQuantity: 100, perUserLimit: 5, validDays: 10 };
  const template = ok(await gql(graphqlUrl, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }', { input }, admin.headers)).createCouponTemplate;
  const registered = ok(
    await gql(graphqlUrl, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', { input: { phone: uniquePhone(), password: 'Shopper123' } }),
  ).register;
  const coupon = ok(await gql(graphqlUrl, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id counterCode } }', { id: template.id }, bearer(registered.accessToken))).claimCoupon;
  return { userId: registered.user.id, couponId: coupon.id, counterCode: coupon.counterCode };
}

const signIn = (page: Page, username: string, password = PASSWORD) => signInToConsole(page, origin, username, password);

/** Asks again (every 200 ms) until the answer equals `expected`, then returns it; the last answer when time is up. */
async function eventually<T>(ask: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let answer = await ask();
  while (JSON.stringify(answer) !== JSON.stringify(expected) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    answer = await ask();
  }
  return answer;
}

const menu = (page: Page, name: string) => page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name, exact: true });
const storeOptions = (page: Page) => page.getByLabel('门店', { exact: true }).locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));

beforeAll(async () => {
  supergraph = await startSupergraph();
  graphqlUrl = supergraph.routerUrl!;
  origin = new URL(graphqlUrl).origin;
  browser = await launchBrowser('console-back-office');
  const username = `bo_admin_${crypto.randomBytes(4).toString('hex')}`;
  await createStaff(supergraph.subgraphs.user!.db, { username, role: 'admin', password: PASSWORD });
  admin = { username, headers: await login(username, PASSWORD) };
  for (const code of [STORE_A, STORE_B]) {
    ok(await gql(graphqlUrl, 'mutation($i: StoreInput!) { upsertStore(input: $i) { code } }', { i: { code, name: `测试门店 ${code}` } }, admin.headers));
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await supergraph?.stop();
});

it('lets a super-admin find stores by a batch of codes and create, disable, enable a store account', async () => {
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await menu(page, '门店目录').click();
  await page.getByLabel(/门店编码/).fill(`${STORE_A}, ${STORE_B}\nNO-SUCH-${tag}`);
  await page.getByRole('button', { name: '搜索' }).click();
  const rows = page.getByRole('table', { name: '门店列表' }).locator('tbody tr');
  await page.getByRole('cell', { name: STORE_A, exact: true }).waitFor();
  await page.getByRole('cell', { name: STORE_B, exact: true }).waitFor();
  await expect(rows.count()).resolves.toBe(2);
  await browser.screenshot(page, 'stores-by-codes');

  await menu(page, '门店账号').click();
  await page.getByRole('button', { name: '新建账号' }).click();
  const form = page.getByRole('form', { name: '新建账号' });
  const username = `bo_new_${crypto.randomBytes(3).toString('hex')}`;
  await form.getByLabel('账号').fill(username);
  await form.getByLabel('初始密码').fill(PASSWORD);
  await form.getByLabel('姓名').fill('新店员');
  await form.getByLabel(/门店编码/).fill(STORE_A);
  await form.getByRole('checkbox', { name: 'store', exact: true }).waitFor();
  await expect(form.getByRole('checkbox', { name: 'store', exact: true }).isChecked()).resolves.toBe(true);
  await form.getByRole('button', { name: '创建' }).click();
  const row = page.getByTestId(`account-${username}`);
  await row.waitFor();
  await expect(row.textContent()).resolves.toContain(STORE_A);
  await browser.screenshot(page, 'account-created');

  // The account's stores, replaced whole: now both stores.
  await row.getByRole('button', { name: '门店与角色' }).click();
  await row.getByLabel('门店编码').fill(`${STORE_A}, ${STORE_B}`);
  await row.getByRole('button', { name: '保存' }).click();
  await row.getByLabel('门店编码').waitFor({ state: 'detached' });
  const account = ok(await gql(graphqlUrl, 'query($f: StaffAccountFilter) { staffAccounts(filter: $f) { edges { node { username stores { code } } } } }', { f: { storeCode: STORE_B } }, admin.headers));
  expect(account.staffAccounts.edges.find((edge: any) => edge.node.username === username)?.node.stores.map((s: { code: string }) => s.code).sort()).toEqual([STORE_A, STORE_B].sort());

  await row.getByRole('button', { name: '停用' }).click();
  await row.getByText('已停用').waitFor();
  // Disabled: the sign-in is refused.
  const refused = await gql(graphqlUrl, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', { input: { account: username, password: PASSWORD } });
  expect(refused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  await row.getByRole('button', { name: '启用' }).click();
  await row.getByText('正常').waitFor();

  await row.getByRole('button', { name: '重置密码' }).click();
  await row.getByPlaceholder('新密码').fill('Reset-pass-2');
  await row.getByRole('button', { name: '确定' }).click();
  await row.getByPlaceholder('新密码').waitFor({ state: 'detached' });
  await expect(login(username, 'Reset-pass-2')).resolves.toHaveProperty('authorization');
  expect(page.errors).toEqual([]);
});

it('shows a back office admin the directory, accounts and roles, not the counter pages', async () => {
  const username = `bo_bk_${crypto.randomBytes(4).toString('hex')}`;
  await createStaff(supergraph.subgraphs.user!.db, { username, role: 'backoffice', password: PASSWORD });
  const page = await browser.newPage();
  await signIn(page, username);
  await expect(page.getByRole('navigation', { name: '菜单' }).getByRole('link').allTextContents()).resolves.toEqual(['门店目录', '加盟商', '销售分公司', '门店账号', '门店角色', '会员卡']);
  await menu(page, '门店角色').click();
  await page.getByRole('cell', { name: 'backoffice', exact: true }).waitFor();
  await browser.screenshot(page, 'backoffice-roles');
  expect(page.errors).toEqual([]);
});

it('identifies a member by a coupon code and redeems it at the store once; a second redemption is refused in Chinese', async () => {
  const clerk = await storeAccount([STORE_A]);
  const coupon = await shopperCoupon();
  const page = await browser.newPage();
  await signIn(page, clerk.username);
  // The store role sees the counter pages, and no Orders menu (typed in by hand, the page is refused).
  await expect(page.getByRole('navigation', { name: '菜单' }).getByRole('link').allTextContents()).resolves.toEqual(['会员识别', '券核销', '门店统计', '终端设备']);
  await page.waitForURL(`${origin}/console/backoffice/identify`);
  await browser.screenshot(page, 'store-menus');

  // Only the clerk's own store is offered.
  expect(await eventually(() => storeOptions(page), [STORE_A])).toEqual([STORE_A]);
  await page.getByLabel('会员码').fill(coupon.counterCode.toLowerCase());
  await page.getByRole('button', { name: '识别' }).click();
  await page.getByTestId('member-kind').getByText('优惠券').waitFor();
  await expect(page.getByTestId('member-id').textContent()).resolves.toBe(coupon.userId);
  await expect(page.getByTestId('member-coupon').textContent()).resolves.toBe(coupon.couponId);
  await expect(page.getByTestId('member-phone').textContent()).resolves.toMatch(/^1\d{2}\*{4}\d{4}$/);
  await browser.screenshot(page, 'member-identified');

  await page.getByRole('link', { name: '核销这张券' }).click();
  await page.waitForURL(/\/console\/backoffice\/redeem/);
  await expect(page.getByLabel('券码').inputValue()).resolves.toBe(coupon.counterCode.toLowerCase());
  expect(await eventually(() => page.getByLabel('门店', { exact: true }).inputValue(), STORE_A)).toBe(STORE_A);
  await page.getByRole('button', { name: '核销' }).click();
  await page.getByRole('status').getByText('核销成功').waitFor();
  await expect(page.getByRole('status').textContent()).resolves.toContain('¥5.00');
  // Recorded with the store and the time: today's list shows it.
  await page.getByRole('table', { name: '今日核销记录' }).getByRole('cell', { name: coupon.couponId, exact: true }).waitFor();
  await browser.screenshot(page, 'redeemed');

  await page.getByRole('button', { name: '核销' }).click();
  const refusal = page.getByRole('alert');
  await refusal.waitFor();
  await expect(refusal.textContent()).resolves.toContain(`在门店 ${STORE_A} 核销过，不能再次核销`);
  await expect(refusal.getAttribute('data-code')).resolves.toBe('CONFLICT');
  await browser.screenshot(page, 'second-redemption-refused');
  // Exactly one redemption recorded.
  const redemptions = await supergraph.subgraphs.promote!.db('coupon_store_redemptions').where({ coupon_id: coupon.couponId });
  expect(redemptions).toHaveLength(1);
  expect(redemptions[0].store_code).toBe(STORE_A);

  // The statistics page learns it from promote's event (user's read model): poll by asking again.
  await menu(page, '门店统计').click();
  expect(await eventually(() => storeOptions(page), ['', STORE_A])).toEqual(['', STORE_A]);
  await page.getByLabel('门店', { exact: true }).selectOption(STORE_A);
  const redeemed = await eventually(async () => {
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForLoadState('networkidle');
    return page.getByTestId('coupons-redeemed').textContent();
  }, '1', 20_000);
  expect(redeemed).toBe('1');
  await expect(page.getByTestId('coupon-amount').textContent()).resolves.toBe('¥5.00');
  await page.locator('canvas').first().waitFor();
  await page.getByRole('table', { name: '商品销售' }).waitFor();
  await browser.screenshot(page, 'store-statistics');

  await page.goto(`${origin}/console/orders`);
  await page.getByText('无权访问此页面').waitFor();
  expect(page.errors).toEqual([]);
});

it('never lets an account act for another store: not offered, and refused by the API once its store is taken away', async () => {
  const clerkB = await storeAccount([STORE_B]);
  const coupon = await shopperCoupon();
  const page = await browser.newPage();
  await signIn(page, clerkB.username);
  await menu(page, '券核销').click();
  expect(await eventually(() => storeOptions(page), [STORE_B])).toEqual([STORE_B]);
  await browser.screenshot(page, 'other-store-not-offered');
  // The API would refuse store A too (the console shows what the API answers, it decides nothing).
  const direct = await gql(graphqlUrl, 'mutation($s: String!, $c: String!) { redeemCouponAtStore(storeCode: $s, code: $c) { couponId } }', { s: STORE_A, c: coupon.counterCode }, await login(clerkB.username, PASSWORD));
  expect(direct.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ASSIGNED' });

  // While the page is open, the super-admin moves the account to store A: B is still in the picker, the API refuses it.
  ok(await gql(graphqlUrl, 'mutation($id: ID!, $i: UpdateStaffAccountInput!) { updateStaffAccount(id: $id, input: $i) { id } }', { id: clerkB.id, i: { storeCodes: [STORE_A] } }, admin.headers));
  await page.getByLabel('券码').fill(coupon.counterCode);
  await page.getByRole('button', { name: '核销' }).click();
  const refusal = page.getByRole('alert');
  await refusal.waitFor();
  await expect(refusal.textContent()).resolves.toContain('您的账号不能代表该门店操作');
  await expect(refusal.getAttribute('data-code')).resolves.toBe('FORBIDDEN');
  await browser.screenshot(page, 'other-store-refused');
  expect(await supergraph.subgraphs.promote!.db('coupon_store_redemptions').where({ coupon_id: coupon.couponId })).toHaveLength(0);
  expect(page.errors).toEqual([]);
});

it('lets store staff issue a binding code a device binds with, see the terminal, and revoke it', async () => {
  const clerk = await storeAccount([STORE_A]);
  const page = await browser.newPage();
  await signIn(page, clerk.username);
  await menu(page, '终端设备').click();
  expect(await eventually(() => storeOptions(page), [STORE_A])).toEqual([STORE_A]);
  await page.getByRole('button', { name: '生成绑定码' }).click();
  const code = (await page.getByTestId('binding-code').textContent())!;
  expect(code).toMatch(/^[A-Z0-9]{10}$/);
  // The device, signed out, binds itself with the code (as a till does).
  const deviceId = `POS-${tag}`;
  const bound = ok(await gql(graphqlUrl, 'mutation($c: String!, $d: String) { bindTerminal(code: $c, name: "收银台 1", deviceId: $d) { terminal { id } } }', { c: code, d: deviceId }));
  const terminalId = bound.bindTerminal.terminal.id;
  await page.getByRole('button', { name: '刷新' }).click();
  const row = page.getByTestId(`terminal-${terminalId}`);
  await row.getByText(deviceId).waitFor();
  await expect(row.textContent()).resolves.toContain('使用中');
  await browser.screenshot(page, 'terminal-bound');
  await row.getByRole('button', { name: '注销' }).click();
  await row.getByText('已注销').waitFor();
  await browser.screenshot(page, 'terminal-revoked');
  expect(page.errors).toEqual([]);
});

/**
 * The operations console in headless Chromium (docs/console.md) against a whole supergraph on ephemeral ports (real
 * PostgreSQL and Redis): signing in and out, a role that does not see a menu (and is refused the page), shipping an
 * order, approving a refund request, changing a price, creating an open-platform app and finding its real signed call
 * in the log search with the keyword highlighted, and today's top 10. A screenshot at each step
 * (artifacts/screenshots/console/); no errors in the browser's console.
 */
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import type { RunningSupergraph } from '../../app/launcher';
import { OpenClient } from '../../clients/open-client';
import { placeTestOrder, registerUser } from '../../subgraphs/order/test/fixtures';
import { newConsoleStaff, signInToConsole } from '../support/console-pages';
import { launchBrowser, type BrowserSession } from '../support/browser';
import { bearer, gql, startSupergraph } from '../support/harness';

let supergraph: RunningSupergraph;
let browser: BrowserSession;
let origin: string;
let graphqlUrl: string;

const newStaff = (role: string) => newConsoleStaff(supergraph, graphqlUrl, role);

const signIn = (page: Page, username: string) => signInToConsole(page, origin, username);

beforeAll(async () => {
  supergraph = await startSupergraph();
  graphqlUrl = supergraph.routerUrl!;
  origin = new URL(graphqlUrl).origin;
  browser = await launchBrowser('console');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await supergraph?.stop();
});

it('serves the app at /console with hashed assets and a self-only CSP, any path under it', async () => {
  const response = await fetch(`${origin}/console/orders/123`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  const html = await response.text();
  const script = /src="(\/console\/assets\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  expect(script).toBeDefined();
  const asset = await fetch(`${origin}${script}`);
  expect(asset.status).toBe(200);
  expect(asset.headers.get('cache-control')).toContain('immutable');
  expect((await fetch(`${origin}/console/assets/nope.js`)).status).toBe(404);
});

it('signs a staff member in, shows the menus of their roles, and signs out', async () => {
  const admin = await newStaff('admin');
  const page = await browser.newPage();
  await page.goto(`${origin}/console`);
  await browser.screenshot(page, 'sign-in');
  await page.getByLabel('账号').fill(admin.username);
  await page.getByLabel('密码').fill('wrong-password');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.getByRole('alert').textContent()).toContain('UNAUTHENTICATED');
  await browser.screenshot(page, 'sign-in-refused');
  // A refused sign-in answers 200 with a GraphQL error: nothing for the browser to log.
  expect(page.errors).toEqual([]);

  await signIn(page, admin.username);
  const nav = page.getByRole('navigation', { name: '菜单' });
  for (const name of ['经营看板', '订单', '商品', '优惠券', '应用', '调用日志', '调用统计', '员工与角色']) {
    await expect(nav.getByRole('link', { name, exact: true }).count()).resolves.toBe(1);
  }
  await page.getByText('今日订单与销售额').waitFor();
  await page.locator('canvas').first().waitFor();
  await browser.screenshot(page, 'dashboard');

  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('form', { name: '员工登录' }).waitFor();
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  expect(page.errors).toEqual([]);
});

it('refreshes an access token about to expire before the next request, and keeps working', async () => {
  const admin = await newStaff('admin');
  const page = await browser.newPage();
  await signIn(page, admin.username);
  const KEY = 'shop-console-session';
  const before = await page.evaluate((key) => JSON.parse(sessionStorage.getItem(key)!), KEY);
  // As if the token were 10 s from expiry (the console refreshes within 60 s of it). Reloading reads the session again.
  await page.evaluate(([key, session]) => sessionStorage.setItem(key, JSON.stringify({ ...session, expiresAt: Date.now() + 10_000 })), [KEY, before] as const);
  await page.reload();
  await page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: '订单' }).click();
  await page.getByRole('table', { name: '订单列表' }).waitFor();
  const after = await page.evaluate((key) => JSON.parse(sessionStorage.getItem(key)!), KEY);
  // Not the access token itself: one issued in the same second as the first, for the same session, is the same JWT.
  expect(after.refreshToken).not.toBe(before.refreshToken);
  expect(after.expiresAt).toBeGreaterThan(Date.now() + 60_000);
  // The old refresh token was spent by the console: the API refuses it now.
  const reused = await gql(graphqlUrl, 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', { t: before.refreshToken });
  expect(reused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  await browser.screenshot(page, 'after-token-refresh');
  expect(page.errors).toEqual([]);
});

it('shows a catalog clerk only the catalog and the inventory statistics, and refuses the orders page typed in by hand', async () => {
  const clerk = await newStaff('catalog');
  const page = await browser.newPage();
  await signIn(page, clerk.username);
  const nav = page.getByRole('navigation', { name: '菜单' });
  await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['商品', '库存统计']);
  // The landing page (dashboard) is not theirs: the console starts on their first menu.
  await page.waitForURL(`${origin}/console/catalog`);
  await browser.screenshot(page, 'catalog-clerk-menus');
  await page.goto(`${origin}/console/orders`);
  await page.getByText('无权访问此页面').waitFor();
  await browser.screenshot(page, 'catalog-clerk-no-orders');
  // And the API refuses the operations behind the page, whatever the console shows.
  const search = await gql(graphqlUrl, '{ staffOrders { edges { node { id } } } }', {}, clerk.headers);
  expect(search.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(page.errors).toEqual([]);
});

it('finds a paid order by its number and ships it', async () => {
  const admin = await newStaff('admin');
  const shopper = await registerUser(graphqlUrl);
  const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: shopper.userId, status: 'PAID' });
  const { order_no: orderNo } = await supergraph.subgraphs.order!.db('orders').where({ id: orderId }).first();
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: '订单' }).click();
  await page.getByLabel('订单号').fill(orderNo);
  await page.getByRole('button', { name: '搜索' }).click();
  const rows = page.getByRole('table', { name: '订单列表' }).locator('tbody tr');
  await page.getByRole('link', { name: orderNo }).waitFor();
  await expect(rows.count()).resolves.toBe(1);
  await browser.screenshot(page, 'order-search');
  await page.getByRole('link', { name: orderNo }).click();
  await page.getByTestId('order-status').getByText('待发货').waitFor();
  await page.getByLabel('快递公司').fill('顺丰速运');
  const tracking = `SF${Date.now()}`;
  await page.getByLabel('运单号').fill(tracking);
  await browser.screenshot(page, 'order-ship-form');
  await page.getByRole('button', { name: '确认发货' }).click();
  await page.getByTestId('order-status').getByText('已发货').waitFor();
  await page.getByText(`顺丰速运 ${tracking}`, { exact: true }).waitFor();
  await browser.screenshot(page, 'order-shipped');
  const stored = await supergraph.subgraphs.order!.db('orders').where({ id: orderId }).first();
  expect({ status: stored.status, tracking: stored.tracking_no }).toEqual({ status: 'SHIPPED', tracking });
  expect(page.errors).toEqual([]);
});

it('approves a shopper\'s refund request from the order page, and shows the refund with its state', async () => {
  const admin = await newStaff('admin');
  const shopper = await registerUser(graphqlUrl);
  const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: shopper.userId, status: 'PAID' });
  const { total } = await supergraph.subgraphs.order!.db('orders').where({ id: orderId }).first();
  const requested = await gql(graphqlUrl, 'mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id status } }',
    { input: { orderId, amount: Number(total), reason: '不想要了' } }, bearer(shopper.accessToken));
  expect(requested.errors).toBeUndefined();
  const afterSaleId = requested.data.requestRefund.id;
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await page.goto(`${origin}/console/orders/${orderId}`);
  await page.getByTestId(`after-sale-status-${afterSaleId}`).getByText('待审核').waitFor();
  await page.getByLabel('审核备注').fill('同意退款');
  await browser.screenshot(page, 'refund-requested');
  await page.getByRole('button', { name: '同意' }).click();
  await page.getByTestId(`after-sale-status-${afterSaleId}`).getByText('已同意').waitFor();
  await page.getByRole('table', { name: '退款' }).waitFor();
  await browser.screenshot(page, 'refund-approved');
  const stored = await supergraph.subgraphs.order!.db('after_sales').where({ id: afterSaleId }).first();
  expect(stored.status).toBe('APPROVED');
  expect(page.errors).toEqual([]);
});

it('changes a SKU\'s price from the catalog page', async () => {
  const clerk = await newStaff('catalog');
  const products = await gql(graphqlUrl, '{ products(first: 1) { edges { node { id title skus { id price } } } } }');
  const product = products.data.products.edges[0].node;
  const sku = product.skus[0];
  const newPrice = sku.price + 100;
  const page = await browser.newPage();
  await signIn(page, clerk.username);
  await page.getByLabel('关键词').fill(product.title);
  await page.getByRole('button', { name: '搜索' }).click();
  const input = page.getByLabel(`SKU ${sku.id} 新价格（元）`);
  await input.waitFor();
  await input.fill((newPrice / 100).toFixed(2));
  await browser.screenshot(page, 'price-edit');
  await page.getByRole('form', { name: `SKU ${sku.id} 改价` }).getByRole('button', { name: '保存' }).click();
  await page.getByTestId(`sku-price-${sku.id}`).getByText(`¥${(newPrice / 100).toFixed(2)}`).waitFor();
  await browser.screenshot(page, 'price-changed');
  const read = await gql(graphqlUrl, 'query($id: ID!) { sku(id: $id) { price } }', { id: sku.id });
  expect(read.data.sku.price).toBe(newPrice);
  // Put it back for the other tests of the run.
  await gql(graphqlUrl, 'mutation($id: ID!, $p: Int!) { updateSku(id: $id, input: { price: $p }) { price } }', { id: sku.id, p: sku.price }, clerk.headers);
  expect(page.errors).toEqual([]);
});

it('creates an app (secret shown once), finds its signed call in the log search with the keyword highlighted, and ranks it in today\'s top 10', async () => {
  const operator = await newStaff('open');
  const page = await browser.newPage();
  await signIn(page, operator.username);
  await page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: '应用' }).click();
  const appName = `ERP ${crypto.randomBytes(3).toString('hex')}`;
  await page.getByLabel('应用名称').fill(appName);
  await page.getByLabel('企业名称').fill('测试企业');
  await page.getByRole('button', { name: '创建应用' }).click();
  const secretBox = page.getByRole('dialog', { name: '应用密钥' });
  await secretBox.waitFor();
  const secret = (await page.getByTestId('app-secret').textContent())!.trim();
  const appKey = (await secretBox.locator('code').textContent())!.trim();
  expect(secret.length).toBeGreaterThan(20);
  await browser.screenshot(page, 'app-created-secret-once');
  await page.getByRole('button', { name: '我已保存' }).click();
  await expect(page.getByTestId('app-secret').count()).resolves.toBe(0);

  // Grant order.cancel in the app's detail.
  await page.getByRole('button', { name: appName }).click();
  await page.getByRole('form', { name: '授权接口' }).getByRole('combobox').selectOption('order.cancel');
  await page.getByRole('form', { name: '授权接口' }).getByRole('button', { name: '授权' }).click();
  await page.getByRole('table', { name: '应用列表' }).getByText('order.cancel').waitFor();
  await browser.screenshot(page, 'app-granted');

  // A merchant session (an operator's API call: its token is shown once, to hand to the ISV), then a real signed call.
  const session = await gql(graphqlUrl, 'mutation($input: CreateOpenSessionInput!) { createOpenSession(input: $input) { token } }',
    { input: { appKey, merchant: '1', scopes: ['order:write'], expiresAt: new Date(Date.now() + 3600_000).toISOString() } }, operator.headers);
  expect(session.errors).toBeUndefined();
  const marker = `控制台关键词${Date.now()}`;
  const client = new OpenClient({ baseUrl: origin, appKey, appSecret: secret, session: session.data.createOpenSession.token });
  // The registry reaches the router's gateway within about a second. The call runs: the order does not exist (404).
  let answer = await client.call('order.cancel', { id: '999999999', reason: marker });
  for (let i = 0; i < 20 && answer.status !== 404; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await client.call('order.cancel', { id: '999999999', reason: marker });
  }
  expect(answer.body.error?.code).toBe('NOT_FOUND');

  await page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: '调用日志' }).click();
  await page.getByLabel('AppKey').fill(appKey);
  await page.getByLabel('关键词').fill(marker);
  const mark = page.getByRole('table', { name: '调用记录' }).locator('mark');
  // Call records reach the log within seconds: search again until it is there.
  for (let i = 0; i < 30 && (await mark.count()) === 0; i += 1) {
    await page.getByRole('button', { name: '搜索' }).click();
    await page.waitForTimeout(500);
  }
  await expect(mark.first().textContent()).resolves.toBe(marker);
  const row = page.getByRole('table', { name: '调用记录' }).locator('tbody tr').filter({ has: page.locator('mark') }).first();
  await expect(row.textContent()).resolves.toContain('order.cancel');
  await browser.screenshot(page, 'call-log-highlighted');

  await page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: '调用统计' }).click();
  const top = page.getByRole('table', { name: '今日 Top 10' });
  await top.getByText('order.cancel').waitFor();
  const rows = await top.locator('tbody tr').count();
  expect(rows).toBeGreaterThanOrEqual(1);
  expect(rows).toBeLessThanOrEqual(10);
  await browser.screenshot(page, 'today-top-10');
  expect(page.errors).toEqual([]);
});

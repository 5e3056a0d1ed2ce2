/**
 * The console's 会员/顾客 page in headless Chromium (docs/shoppers.md, docs/console.md) against a whole supergraph:
 * an admin finds a shopper by mobile (masked in the list), opens the detail (full mobile, address, wallet balance and
 * bills in yuan through the federated wallet), the reads land in the access log, and the link opens the shopper's
 * orders; a catalog clerk has no such menu, is refused the page typed in by hand, and the API refuses the look-up.
 * Screenshots in artifacts/screenshots/console-shoppers/; no errors in the browser's console.
 */
import type { Page } from 'playwright-core';
import type { RunningSupergraph } from '../../app/launcher';
import { placeTestOrder } from '../../subgraphs/order/test/fixtures';
import { newConsoleStaff, signInToConsole } from '../support/console-pages';
import { launchBrowser, type BrowserSession } from '../support/browser';
import { bearer, gql, startSupergraph, uniquePhone } from '../support/harness';

let supergraph: RunningSupergraph;
let browser: BrowserSession;
let origin: string;
let graphqlUrl: string;

const newStaff = (role: string) => newConsoleStaff(supergraph, graphqlUrl, role);

const signIn = (page: Page, username: string) => signInToConsole(page, origin, username);

/** A registered shopper with one address and ¥123.45 in the wallet (a staff credit). */
async function newShopper(admin: Record<string, string>): Promise<{ id: string; phone: string }> {
  const phone = uniquePhone();
  const registered = await gql(graphqlUrl, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', {
    input: { phone, password: 'shopper-pass-1', nickname: `顾客${phone.slice(-4)}` },
  });
  expect(registered.errors).toBeUndefined();
  const id = registered.data.register.user.id;
  const address = await gql(
    graphqlUrl,
    'mutation($input: AddressInput!) { addAddress(input: $input) { id } }',
    { input: { contactName: '李四', phone, province: '广东省', city: '深圳市', district: '南山区', detail: '科技园二路 8 号' } },
    bearer(registered.data.register.accessToken),
  );
  expect(address.errors).toBeUndefined();
  const credit = await gql(
    graphqlUrl,
    'mutation($u: ID!, $k: String!) { creditWallet(userId: $u, amount: 12345, note: "客服补偿", idempotencyKey: $k) { id } }',
    { u: id, k: `console-shoppers-${id}` },
    admin,
  );
  expect(credit.errors).toBeUndefined();
  return { id, phone };
}

beforeAll(async () => {
  supergraph = await startSupergraph();
  graphqlUrl = supergraph.routerUrl!;
  origin = new URL(graphqlUrl).origin;
  browser = await launchBrowser('console-shoppers');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await supergraph?.stop();
});

it('finds a shopper by mobile (masked), shows the detail with the wallet balance in yuan, records the reads, links to the orders', async () => {
  const admin = await newStaff('admin');
  const shopper = await newShopper(admin.headers);
  const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: shopper.id, status: 'PAID' });
  const { order_no: orderNo } = await supergraph.subgraphs.order!.db('orders').where({ id: orderId }).first();
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: '会员/顾客' }).click();
  await page.getByRole('form', { name: '顾客搜索' }).waitFor();
  await page.getByLabel('手机号').fill(shopper.phone);
  await page.getByRole('button', { name: '搜索' }).click();
  const list = page.getByRole('table', { name: '顾客列表' });
  await list.waitFor();
  const masked = `${shopper.phone.slice(0, 3)}****${shopper.phone.slice(-4)}`;
  await expect(list.getByTestId('shopper-mobile').allTextContents()).resolves.toEqual([masked]);
  expect(await list.textContent()).not.toContain(shopper.phone);
  await browser.screenshot(page, 'search-by-mobile');
  const log = () => supergraph.subgraphs.user!.db('shopper_access_log').where({ shopper_id: shopper.id }).orderBy('id');
  expect(await log()).toEqual([]); // the list is not a personal-data read

  await list.getByRole('link', { name: '查看详情' }).click();
  await page.getByTestId('wallet-balance').waitFor();
  expect(await page.getByTestId('wallet-balance').textContent()).toBe('¥123.45');
  expect(await page.getByTestId('shopper-mobile').textContent()).toBe(shopper.phone);
  expect(await page.getByRole('table', { name: '收货地址' }).textContent()).toContain('广东省深圳市南山区科技园二路 8 号');
  const bills = await page.getByRole('table', { name: '钱包流水' }).textContent();
  expect(bills).toContain('充值');
  expect(bills).toContain('+¥123.45');
  await browser.screenshot(page, 'shopper-detail');
  const rows = await log();
  expect(rows.map((row: { what: string }) => row.what).sort()).toEqual(['PROFILE', 'WALLET']);
  expect(rows.every((row: { staff_user_id: string }) => String(row.staff_user_id) === admin.userId)).toBe(true);

  await page.getByRole('button', { name: '查看该顾客的订单 →' }).click();
  await page.waitForURL(`${origin}/console/orders?shopperId=${shopper.id}`);
  const orders = page.getByRole('table', { name: '订单列表' });
  await orders.getByRole('link', { name: orderNo }).waitFor();
  expect(await page.getByLabel('顾客 ID').inputValue()).toBe(shopper.id);
  await browser.screenshot(page, 'shopper-orders');
  expect(page.errors).toEqual([]);
});

it('shows a catalog clerk no 会员/顾客 menu, refuses the page typed in by hand, and the API refuses the look-up', async () => {
  const admin = await newStaff('admin');
  const shopper = await newShopper(admin.headers);
  const clerk = await newStaff('catalog');
  const page = await browser.newPage();
  await signIn(page, clerk.username);
  await expect(page.getByRole('navigation', { name: '菜单' }).getByRole('link').allTextContents()).resolves.toEqual(['商品', '库存统计']);
  await page.goto(`${origin}/console/shoppers/${shopper.id}`);
  await page.getByText('无权访问此页面').waitFor();
  await browser.screenshot(page, 'catalog-clerk-no-shoppers');
  const search = await gql(graphqlUrl, 'query($m: String!) { shoppers(filter: { mobile: $m }) { edges { node { id } } } }', { m: shopper.phone }, clerk.headers);
  expect(search.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const wallet = await gql(graphqlUrl, 'query($u: ID!) { shopperWallet(userId: $u) { balance } }', { u: shopper.id }, clerk.headers);
  expect(wallet.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(await supergraph.subgraphs.user!.db('shopper_access_log').where({ shopper_id: shopper.id })).toEqual([]);
  expect(page.errors).toEqual([]);
});

/**
 * The console's stock and coupon editing (docs/console.md) in headless Chromium against a whole supergraph on
 * ephemeral ports (real PostgreSQL and Redis): the 库存统计 page shows a unit sold after a real order is placed and paid
 * (cart → createOrder → WeChat sandbox → PAID → stock committed); a catalog clerk sets a SKU's stock on the catalog page
 * (and sees the inventory menu, not the store pages); a marketer creates a coupon template, disables and enables it, and
 * generates redeem codes shown once. Screenshots under artifacts/screenshots/console-inventory/; no errors in the
 * browser's console.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { RunningSupergraph } from '../../app/launcher';
import { createTestProduct, ok, viaRouter } from '../../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT, skuCounts } from '../../subgraphs/order/test/checkout-fixtures';
import { registerUser } from '../../subgraphs/order/test/fixtures';
import { paymentTestConfig, waitFor } from '../../subgraphs/payment/test/support';
import { findStockViolations } from '../../subgraphs/product/data/stock';
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
  supergraph = await startSupergraph({ config: paymentTestConfig() });
  graphqlUrl = supergraph.routerUrl!;
  origin = new URL(graphqlUrl).origin;
  browser = await launchBrowser('console-inventory');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await supergraph?.stop();
});

/** A shopper buys `quantity` of the SKU through checkout and pays with the WeChat sandbox; resolves once stock is sold. */
async function buyAndPay(skuId: string, quantity: number): Promise<void> {
  const shopper = await registerUser(graphqlUrl);
  const call = (query: string, variables: Record<string, unknown> = {}) => gql(graphqlUrl, query, variables, bearer(shopper.accessToken));
  const addressId = ok(await call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
  const line = ok(await call('mutation($s: ID!, $q: Int!) { addToCart(skuId: $s, quantity: $q) { items { id } } }', { s: skuId, q: quantity })).addToCart.items[0];
  const order = ok(await call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id } }', {
    input: { cartItemIds: [line.id], addressId },
    key: crypto.randomUUID(),
  })).createOrder;
  const paid = ok(await call('mutation($id: ID!) { payOrder(orderId: $id, method: WECHAT) { sandboxPayUrl } }', { id: order.id })).payOrder;
  const cashier = await fetch(`${origin}${new URL(paid.sandboxPayUrl).pathname}`, { method: 'POST' });
  expect(await cashier.json()).toMatchObject({ paid: true });
  const product = supergraph.subgraphs.product!.db;
  await waitFor(async () => (await skuCounts(product, skuId)).sold === quantity);
}

it('shows a unit sold on the inventory page after a paid order, with the books adding up', async () => {
  const admin = await newStaff('admin');
  const { productId, skuIds } = await createTestProduct(viaRouter(graphqlUrl), [{ price: 2500, stock: 5 }]);
  const [skuId] = skuIds;
  await buyAndPay(skuId, 1);
  expect(await findStockViolations(supergraph.subgraphs.product!.db, [skuId])).toEqual([]);
  const { title } = await supergraph.subgraphs.product!.db('products').where({ id: productId }).first();

  const page = await browser.newPage();
  await signIn(page, admin.username);
  await page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: '库存统计' }).click();
  await page.getByRole('table', { name: '库存统计' }).waitFor();
  await page.getByLabel('商品或规格').fill(title);
  await page.getByRole('button', { name: '查询' }).click();
  // Created today with 5 (in), 1 sold by the paid order: 0 at the start of the period, 4 on hand at its end.
  await page.getByTestId(`inventory-sold-${skuId}`).getByText('1', { exact: true }).waitFor();
  const cells = await page.getByTestId(`inventory-${skuId}`).locator('td').allTextContents();
  expect(cells).toEqual([skuId, title, 'v0', '0', '5', '0', '1', '0', '4', '0', '4']);
  await browser.screenshot(page, 'inventory-sold');

  // A period before the SKU existed: nothing on hand, nothing moved; the counts now stay.
  await page.getByLabel('开始日期').fill('2025-01-01');
  await page.getByLabel('结束日期').fill('2025-01-31');
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByText('2025-01-01 ~ 2025-01-31').waitFor();
  expect(await page.getByTestId(`inventory-${skuId}`).locator('td').allTextContents()).toEqual([skuId, title, 'v0', '0', '0', '0', '0', '0', '0', '0', '4']);
  // More than 366 days: the API's refusal is shown.
  await page.getByLabel('开始日期').fill('2024-01-01');
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByRole('alert').getByText('BAD_USER_INPUT', { exact: false }).waitFor();
  await browser.screenshot(page, 'inventory-period-refused');
  expect(page.errors).toEqual([]);
});

it('lets a catalog clerk set a SKU\'s available stock on the catalog page, recorded in the ledger', async () => {
  const clerk = await newStaff('catalog');
  const { productId, skuIds } = await createTestProduct(viaRouter(graphqlUrl), [{ price: 1200, stock: 3 }]);
  const [skuId] = skuIds;
  const db = supergraph.subgraphs.product!.db;
  const { title } = await db('products').where({ id: productId }).first();
  const page = await browser.newPage();
  await signIn(page, clerk.username);
  const nav = page.getByRole('navigation', { name: '菜单' });
  await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['商品', '库存统计']);
  await page.getByLabel('关键词').fill(title);
  await page.getByRole('button', { name: '搜索' }).click();
  const input = page.getByLabel(`SKU ${skuId} 可售库存（件）`);
  await input.waitFor();
  // Not a count: refused in the page, nothing sent.
  await input.fill('-2');
  await page.getByRole('form', { name: `SKU ${skuId} 改库存` }).getByRole('button', { name: '保存' }).click();
  await page.getByText('请输入 0 或正整数').waitFor();
  expect((await skuCounts(db, skuId)).stock).toBe(3);
  await input.fill('12');
  await browser.screenshot(page, 'stock-edit');
  await page.getByRole('form', { name: `SKU ${skuId} 改库存` }).getByRole('button', { name: '保存' }).click();
  await page.getByRole('form', { name: `SKU ${skuId} 改库存` }).getByText('已保存').waitFor();
  await page.getByTestId(`sku-stock-${skuId}`).getByText('12', { exact: true }).waitFor();
  await browser.screenshot(page, 'stock-saved');
  expect(await skuCounts(db, skuId)).toEqual({ stock: 12, reserved: 0, sold: 0 });
  expect(await db('stock_adjustments').where({ sku_id: skuId }).orderBy('id').select('delta', 'reason')).toEqual([
    { delta: 3, reason: 'INITIAL' },
    { delta: 9, reason: 'STAFF_SET' },
  ]);
  expect(await findStockViolations(db, [skuId])).toEqual([]);
  expect(page.errors).toEqual([]);
});

it('creates a coupon template, disables and enables it, and generates redeem codes shown once', async () => {
  const marketer = await newStaff('marketing');
  const name = `满减-${crypto.randomBytes(3).toString('hex')}`;
  const page = await browser.newPage();
  await signIn(page, marketer.username);
  await page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: '优惠券' }).click();
  const form = page.getByRole('form', { name: '新建券模板' });
  await form.getByLabel('名称').fill(name);
  await form.getByLabel('面额（元）').fill('5.00');
  await form.getByLabel('使用门槛（元）').fill('30');
  await form.getByLabel('发放总量').fill('100');
  await form.getByLabel('领取后有效天数').fill('15');
  await browser.screenshot(page, 'coupon-template-form');
  await form.getByRole('button', { name: '创建' }).click();
  const row = page.getByRole('table', { name: '券模板' }).locator('tr', { hasText: name });
  await row.waitFor();
  expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining([name, 'CASH', '¥5.00', '¥30.00', '0', '100', '100', '领取后 15 天', '启用']));
  const promote = supergraph.subgraphs.promote!.db;
  const template = await promote('coupon_templates').where({ name }).first();
  expect({ amount: template.amount, minSpend: template.min_spend, active: template.active }).toEqual({ amount: 500, minSpend: 3000, active: true });

  await row.getByRole('button', { name: '停用' }).click();
  await page.getByTestId(`template-state-${template.id}`).getByText('停用').waitFor();
  expect((await promote('coupon_templates').where({ id: template.id }).first()).active).toBe(false);
  await row.getByRole('button', { name: '启用' }).click();
  await page.getByTestId(`template-state-${template.id}`).getByText('启用').waitFor();

  await row.getByLabel(`${name} 兑换码数量`).fill('3');
  await row.getByRole('button', { name: '生成' }).click();
  const dialog = page.getByRole('dialog', { name: '新生成的兑换码' });
  await dialog.waitFor();
  const codes = (await dialog.getByTestId('generated-codes').textContent())!.trim().split('\n');
  expect(codes).toHaveLength(3);
  const stored = await promote('coupon_codes').where({ template_id: template.id }).select('code');
  expect(stored.map((r: { code: string }) => r.code).sort()).toEqual([...codes].sort());
  // The download is the same list, as a file.
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('link', { name: '下载' }).click()]);
  const file = await download.path();
  expect(fs.readFileSync(file!, 'utf8').trim().split('\n')).toEqual(codes);
  await browser.screenshot(page, 'coupon-codes-once');
  await dialog.getByRole('button', { name: '我已保存' }).click();
  await dialog.waitFor({ state: 'detached' });
  // The template's remaining quantity counts the codes.
  await row.locator('td').getByText('97', { exact: true }).waitFor();
  expect(page.errors).toEqual([]);
});

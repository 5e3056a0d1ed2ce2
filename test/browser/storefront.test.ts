/**
 * The web storefront (clients/web, served by the router at /shop) driven in headless Chromium against a whole
 * supergraph on ephemeral ports (a fresh seeded database of its own with real PostgreSQL): the shopper's journey from
 * signing in to an after-sales request, and the refusals a shopper meets, shown in Chinese. Screenshots of each step
 * go to artifacts/screenshots/storefront/.
 */
import crypto from 'node:crypto';
import type { Page, Request, WebSocket } from 'playwright-core';
import { launchBrowser, type BrowserSession } from '../support/browser';
import { startIsolatedSupergraph, type IsolatedSupergraph } from '../support/isolated-supergraph';
import persisted from '../../clients/web/src/gql/persisted-documents.json';

const manifest = persisted as Record<string, string>;

describe('web storefront in Chromium', () => {
  let supergraph: IsolatedSupergraph;
  let session: BrowserSession;
  let origin: string;

  beforeAll(async () => {
    supergraph = await startIsolatedSupergraph({});
    origin = new URL(supergraph.routerUrl!).origin;
    session = await launchBrowser('storefront');
  });
  afterAll(async () => {
    await session?.close();
    await supergraph?.stop();
  });

  /** Every GraphQL request the page sent, as the router received it. */
  function recordGraphql(page: Page): { headers: Record<string, string>; body: any }[] {
    const sent: { headers: Record<string, string>; body: any }[] = [];
    page.on('request', (request: Request) => {
      if (new URL(request.url()).pathname !== '/graphql' || request.method() !== 'POST') return;
      sent.push({ headers: request.headers(), body: request.postDataJSON() });
    });
    return sent;
  }

  async function signInAsDemoShopper(page: Page) {
    await page.goto(`${origin}/shop/signin`);
    await page.getByRole('button', { name: '使用演示账号登录' }).click();
    await page.getByRole('button', { name: /^退出/ }).waitFor();
  }

  it('takes the demo shopper from sign-in to an after-sales request, the order status arriving live', async () => {
    const page = await session.newPage();
    const sent = recordGraphql(page);
    const pushes: string[] = [];
    page.on('websocket', (socket: WebSocket) => {
      socket.on('framereceived', (frame) => pushes.push(String(frame.payload)));
    });

    // Sign in.
    await signInAsDemoShopper(page);
    await session.screenshot(page, 'signed-in');

    // Browse a category: T恤 under 服装.
    await page.getByRole('complementary', { name: '商品分类' }).getByRole('link', { name: 'T恤', exact: true }).click();
    await page.getByRole('heading', { name: 'T恤' }).waitFor();
    await page.getByRole('link', { name: /纯棉圆领短袖T恤/ }).waitFor();
    await expect(page.getByRole('link', { name: /速干运动T恤/ }).isVisible()).resolves.toBe(true);
    await session.screenshot(page, 'category');

    // Search.
    await page.getByRole('searchbox', { name: '搜索商品' }).fill('羽绒服');
    await page.getByRole('search').getByRole('button', { name: '搜索' }).click();
    await page.getByRole('heading', { name: '搜索：羽绒服' }).waitFor();
    await page.getByRole('link', { name: /90白鸭绒羽绒服/ }).waitFor();
    await session.screenshot(page, 'search');

    // Open a product, choose a SKU, add two to the cart.
    await page.getByRole('link', { name: /90白鸭绒羽绒服/ }).click();
    await page.getByRole('heading', { name: '90白鸭绒羽绒服' }).waitFor();
    await expect(page.getByRole('button', { name: '请先选择规格' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('radio', { name: '白色 / M', exact: true }).click();
    await page.getByText(/^库存 \d+ 件$/).waitFor();
    const unitPrice = (await page.locator('.price.big').textContent())!;
    expect(unitPrice).toMatch(/^¥\d+\.\d{2}$/);
    await page.getByRole('spinbutton').fill('2');
    await page.getByRole('button', { name: '加入购物车' }).click();
    await page.getByRole('status').getByText('已加入购物车').waitFor();
    await session.screenshot(page, 'product-added');

    // The cart and its price check; claim a coupon and see the price check apply it.
    await page.getByRole('link', { name: '去购物车结算' }).click();
    await page.getByRole('heading', { name: '购物车' }).waitFor();
    const total = page.getByTestId('cart-total');
    const yuan = (text: string | null) => Math.round(Number(text!.replace(/[¥,]/g, '')) * 100);
    const fen = yuan(unitPrice);
    await expect(total.textContent().then(yuan)).resolves.toBeGreaterThanOrEqual(2 * fen);
    const summary = page.getByRole('complementary', { name: '价格明细' });
    const before = yuan(await total.textContent());
    await page.locator('.coupon', { hasText: '满199减30' }).getByRole('button', { name: '领取' }).click();
    await page.getByRole('status').getByText('已领取：满199减30').waitFor();
    await summary.getByText('优惠（满199减30）').waitFor();
    await expect(total.textContent().then(yuan)).resolves.toBe(before - 3000);
    await session.screenshot(page, 'cart-coupon');

    // Checkout: add an address and pick it, see the server's preview, place the order.
    await page.getByRole('button', { name: /去结算/ }).click();
    await page.getByRole('heading', { name: '确认订单' }).waitFor();
    await page.getByRole('button', { name: '新增收货地址' }).click();
    const form = page.getByRole('form', { name: '新增收货地址' });
    for (const [label, value] of [
      ['收货人', '李四'],
      ['手机号', '13900139000'],
      ['省份', '浙江省'],
      ['城市', '杭州市'],
      ['区县', '西湖区'],
      ['详细地址', '文三路 100 号'],
    ]) {
      await form.getByLabel(label).fill(value);
    }
    await form.getByRole('button', { name: '保存地址' }).click();
    await page.getByRole('radio', { name: /李四 13900139000 浙江省杭州市西湖区文三路 100 号/ }).waitFor();
    await expect(page.getByRole('radio', { name: /李四/ }).isChecked()).resolves.toBe(true);
    await page.getByTestId('order-total').waitFor();
    await expect(page.getByTestId('order-total').textContent().then(yuan)).resolves.toBe(before - 3000);
    await session.screenshot(page, 'checkout');
    await page.getByRole('button', { name: '提交订单' }).click();

    // The order, unpaid; pay with WeChat Pay through the sandbox cashier; the status turns live.
    await page.getByRole('heading', { name: '订单详情' }).waitFor();
    const status = page.getByTestId('order-status');
    await expect(status.textContent()).resolves.toBe('待付款');
    await page.getByText('实时').waitFor();
    await page.getByText('收货信息：李四').waitFor();
    const orderUrl = page.url();
    await page.getByRole('radio', { name: /微信支付/ }).check();
    await session.screenshot(page, 'order-unpaid');
    await page.getByRole('button', { name: /立即支付/ }).click();
    const cashier = page.getByLabel('收银台');
    await cashier.getByRole('heading', { name: '微信支付收银台（沙箱）' }).waitFor();
    await session.screenshot(page, 'sandbox-cashier');
    const graphqlBeforePaying = sent.length;
    await cashier.getByRole('button', { name: '确认支付' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="order-status"]')?.textContent === '已付款', undefined, { timeout: 60_000 });
    // It came by the subscription: no GraphQL request over HTTP read the order after the cashier, a push did.
    expect(sent.slice(graphqlBeforePaying).map((request) => request.body.operationName)).not.toContain('OrderDetail');
    expect(pushes.some((frame) => frame.includes('"status":"PAID"'))).toBe(true);
    expect(page.url()).toBe(orderUrl);
    await session.screenshot(page, 'order-paid-live');

    // The order list, then the order's detail, and an after-sales request.
    await page.getByRole('link', { name: '我的订单' }).click();
    await page.getByRole('heading', { name: '我的订单' }).waitFor();
    const row = page.locator('.order-row').first();
    await expect(row.locator('.status').textContent()).resolves.toBe('已付款');
    await session.screenshot(page, 'orders');
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: '订单详情' }).waitFor();
    expect(page.url()).toBe(orderUrl);
    const afterSale = page.getByRole('region', { name: '申请售后' });
    await afterSale.getByLabel('退款原因').fill('尺码不合适');
    await afterSale.getByLabel(/退款金额/).fill('100.00');
    await afterSale.getByRole('button', { name: '提交申请' }).click();
    await page.getByText('售后申请已提交，请等待商家处理').waitFor();
    await page.getByRole('region', { name: '售后记录' }).getByText('退款 ¥100.00：尺码不合适').waitFor();
    await expect(page.getByRole('region', { name: '售后记录' }).locator('.status').textContent()).resolves.toBe('待审核');
    await session.screenshot(page, 'after-sale');

    // The order is what the shopper saw, in the database of record.
    const orderId = new URL(orderUrl).pathname.split('/').pop()!;
    const order = await supergraph.subgraphs.order!.db('orders').where({ id: orderId }).first();
    expect(order.status).toBe('PAID');
    expect(order.total).toBe(before - 3000);

    // Every request named the client and carried its persisted id; a query sent along hashes to that id.
    expect(sent.length).toBeGreaterThan(10);
    for (const { headers, body } of sent) {
      expect(headers['apollographql-client-name']).toBe('web');
      expect(headers['apollographql-client-version']).toMatch(/^0\.1\.0\+[0-9a-f]{8}$/);
      const id: string = body.extensions?.persistedQuery?.sha256Hash;
      expect(manifest[`sha256:${id}`]).toBeDefined();
      if (body.query) expect(crypto.createHash('sha256').update(body.query).digest('hex')).toBe(id);
    }
    expect(page.errors).toEqual([]);
  });

  it('exchanges the refresh token when the access token is refused, and carries on', async () => {
    const page = await session.newPage();
    const sent = recordGraphql(page);
    await signInAsDemoShopper(page);
    const before = await page.evaluate(() => JSON.parse(localStorage.getItem('shop.session')!));
    // As after the access token expired: the router refuses it (UNAUTHENTICATED).
    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem('shop.session')!);
      localStorage.setItem('shop.session', JSON.stringify({ ...session, accessToken: 'expired.access.token' }));
    });
    await page.goto(`${origin}/shop/cart`);
    await page.getByRole('heading', { name: '购物车' }).waitFor();
    await page.getByRole('complementary', { name: '价格明细' }).waitFor();
    const after = await page.evaluate(() => JSON.parse(localStorage.getItem('shop.session')!));
    expect(after.accessToken).not.toBe('expired.access.token');
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(sent.filter((request) => request.body.operationName === 'RefreshToken')).toHaveLength(1);
    // The refused request is logged by Chromium as a failed resource (HTTP 401); nothing else went wrong.
    expect(page.errors.filter((error) => !/status of 401/.test(error))).toEqual([]);
  });

  it('says in Chinese why a bad coupon code and more than the stock are refused, and changes nothing', async () => {
    const page = await session.newPage();
    await signInAsDemoShopper(page);

    await page.goto(`${origin}/shop/cart`);
    await page.getByRole('heading', { name: '购物车' }).waitFor();
    await page.getByLabel('优惠码').fill('NO-SUCH-CODE');
    await page.getByRole('button', { name: '兑换' }).click();
    await page.getByRole('alert').getByText('优惠码不存在，请检查后重试').waitFor();
    await session.screenshot(page, 'bad-coupon-code');

    await page.getByRole('searchbox', { name: '搜索商品' }).fill('速干运动T恤');
    await page.getByRole('search').getByRole('button', { name: '搜索' }).click();
    await page.getByRole('link', { name: /速干运动T恤/ }).click();
    await page.getByRole('heading', { name: '速干运动T恤' }).waitFor();
    await page.getByRole('radio', { name: '黑色 / S', exact: true }).click();
    const stock = Number((await page.getByText(/^库存 \d+ 件$/).textContent())!.match(/\d+/)![0]);
    await page.getByRole('spinbutton').fill(String(stock + 1));
    await page.getByRole('button', { name: '加入购物车' }).click();
    await page.getByRole('alert').getByText(`库存不足，该规格仅剩 ${stock} 件`).waitFor();
    await session.screenshot(page, 'out-of-stock');

    await page.goto(`${origin}/shop/cart`);
    await page.getByRole('heading', { name: '购物车' }).waitFor();
    await expect(page.getByRole('link', { name: '速干运动T恤' }).count()).resolves.toBe(0);
    // Refused requests are GraphQL errors the page shows, not page errors.
    expect(page.errors).toEqual([]);
  });
});

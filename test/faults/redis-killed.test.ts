/**
 * Fault (e), finding 9: Redis dies (a redis-server child of this test, SIGKILLed; the shared Redis is never
 * touched). Infrastructure failing must not lock shoppers out: correct-password logins still succeed, a wrong
 * password is still UNAUTHENTICATED (throttles fall back to per-instance counters), and browsing and paying go on.
 */
import { gql } from '../support/harness';
import { Shop, eventually } from '../support/faults';
import { newShoppers, BOOT_TIMEOUT_MS, describeFaults, newProduct, ok, orderStatus, payWithBalance, placeOrder, type Shopper } from './support';

describeFaults('fault (e): Redis killed', () => {
  let shop: Shop;
  let shoppers: Shopper[];
  let skuId: string;
  beforeAll(async () => {
    shop = await Shop.start({ label: 'redis_kill', redis: 'own' });
    shoppers = await newShoppers(shop, 3);
    skuId = (await newProduct(shop, [{ price: 1200, stock: 50 }])).skuIds[0];
    await shop.redis!.kill();
  }, BOOT_TIMEOUT_MS);
  afterAll(() => shop?.stop());

  const login = (account: string, password: string) =>
    gql<{ login: { accessToken: string } }>(shop.routerUrl, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', { input: { account, password } });

  it('browsing and paying keep working', async () => {
    const products = ok(await gql(shop.routerUrl, '{ products(first: 5) { edges { node { id title skus { id price stock } } } } }'));
    expect(products.products.edges.length).toBeGreaterThan(0);
    const buyer = shoppers[0];
    const order = await placeOrder(buyer, skuId, 1);
    await payWithBalance(shop, buyer, order.id, order.total);
    expect(await eventually(() => orderStatus(shop, order.id), (s) => s === 'PAID')).toBe('PAID');
    await shop.expectInvariants();
  }, 120_000);

  it('correct-password logins succeed and wrong ones are UNAUTHENTICATED', async () => {
    for (const shopper of shoppers) {
      const answer = await login(shopper.phone, shopper.password);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.login.accessToken).toEqual(expect.any(String));
    }
    const wrong = await login(shoppers[1].phone, 'not-the-password');
    expect(wrong.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await shop.expectInvariants();
  }, 120_000);

  it('a wrong password never yields a token while Redis is down', async () => {
    // Held before i15-modes too (logins then failed closed): whatever the limiter does, no token for a wrong password.
    const wrong = await login(shoppers[2].phone, 'not-the-password');
    expect(wrong.data?.login ?? null).toBeNull();
    expect(wrong.errors?.length).toBeGreaterThan(0);
  });
});

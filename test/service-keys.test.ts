/**
 * Per-service keys (platform/service-keys.ts, docs/security.md "Service keys"): each service signs with its own key,
 * a subgraph verifies a header with the key of the service it claims to come from, internal operations answer only
 * the services listed in the subgraph's internal-callers.ts, keys rotate with two accepted at once, and production
 * refuses missing, short or shared keys.
 */
import crypto from 'node:crypto';
import type { RunningSupergraph } from '../app/launcher';
import { loadConfig } from '../platform/config';
import { IDENTITY_HEADER, IdentityError, signIdentity, verifyIdentity } from '../platform/identity';
import { derivedServiceSecret, pairKey, requireServiceKeys, SERVICE_NAMES, serviceKeysFromEnv } from '../platform/service-keys';
import { asIdentity, codes, gql, startSupergraph, testConfig } from './support/harness';

const config = testConfig();
const MARK_PAID = 'mutation { markOrderPaid(orderId: "999999999", paymentId: "pay-x", amount: 100) { status } }';

/** A header whose head claims `issuer` but is keyed with `keyOf`'s secret for `audience` (a leaked key misused). */
function forge(claims: Record<string, unknown>, head: string, keySecret: string, audience: string): string {
  const payload = Buffer.from(JSON.stringify({ ...claims, aud: audience, iat: Math.floor(Date.now() / 1000) })).toString('base64url');
  const signature = crypto.createHmac('sha256', pairKey(keySecret, audience)).update(`${head}.${payload}`).digest('base64url');
  return `${head}.${payload}.${signature}`;
}
const cartSecret = derivedServiceSecret(config.internalSecret, 'cart');

describe('the order subgraph', () => {
  let supergraph: RunningSupergraph;
  const url = () => supergraph.subgraphs.order!.url;
  beforeAll(async () => {
    supergraph = await startSupergraph({ subgraphs: ['order'], router: false });
  });
  afterAll(() => supergraph?.stop());

  it('refuses a header signed with cart\'s key that claims to be payment', async () => {
    // Claims payment in the head: payment's key for order does not verify cart's signature.
    const asPayment = await gql(url(), MARK_PAID, {}, { [IDENTITY_HEADER]: forge({ svc: 'payment' }, 'payment:dev', cartSecret, 'order') });
    expect(asPayment.status).toBe(401);
    expect(asPayment.errors?.[0].message).toBe('Identity header refused: identity header signature does not verify');
    // Honest head (cart) but the claims name payment: refused, the service is bound to the key.
    const cartNamingPayment = await gql(url(), MARK_PAID, {}, { [IDENTITY_HEADER]: forge({ svc: 'payment' }, 'cart:dev', cartSecret, 'order') });
    expect(cartNamingPayment.status).toBe(401);
    expect(cartNamingPayment.errors?.[0].message).toContain('a header signed by cart must name cart as its service');
  });

  it('refuses a subgraph posing as the router or asserting what only the router may', async () => {
    const asRouter = await gql(url(), MARK_PAID, {}, { [IDENTITY_HEADER]: forge({ sub: '1', scp: ['order:write'] }, 'router:dev', cartSecret, 'order') });
    expect(asRouter.status).toBe(401);
    const withScopes = await gql(url(), '{ __typename }', {}, { [IDENTITY_HEADER]: forge({ svc: 'cart', scp: ['order:write'] }, 'cart:dev', cartSecret, 'order') });
    expect(withScopes.status).toBe(401);
    expect(withScopes.errors?.[0].message).toContain('cart may not assert scopes');
    // Only order and cart act for shoppers: payment signing a user id is refused.
    const forUser = await gql(url(), '{ __typename }', {}, asIdentity({ service: 'payment', userId: '5' }, 'order', config));
    expect(forUser.status).toBe(401);
    expect(forUser.errors?.[0].message).toContain('payment may not act for a user');
  });

  it('answers markOrderPaid FORBIDDEN to cart (validly signed as cart), and to a shopper; payment gets through', async () => {
    const fromCart = await gql(url(), MARK_PAID, {}, asIdentity({ service: 'cart' }, 'order', config));
    expect(fromCart.status).toBe(200);
    expect(codes(fromCart)).toEqual(['FORBIDDEN']);
    expect(fromCart.errors?.[0].message).toBe('Internal operation Mutation.markOrderPaid is not open to cart');
    const fromStaff = await gql(url(), MARK_PAID, {}, asIdentity({ userId: '1', scopes: ['order:write'] }, 'order', config));
    expect(codes(fromStaff)).toEqual(['FORBIDDEN']);
    // Payment passes the allow-list and reaches the resolver: the order does not exist.
    const fromPayment = await gql(url(), MARK_PAID, {}, asIdentity({ service: 'payment' }, 'order', config));
    expect(codes(fromPayment)).toEqual(['NOT_FOUND']);
  });

  it('answers orderHoldStates to product and promote only, Order.buyerId to payment only', async () => {
    const HOLDS = '{ orderHoldStates(ids: ["999999999"]) { orderId } }';
    for (const service of ['product', 'promote']) expect(codes(await gql(url(), HOLDS, {}, asIdentity({ service }, 'order', config)))).toEqual([]);
    expect(codes(await gql(url(), HOLDS, {}, asIdentity({ service: 'payment' }, 'order', config)))).toEqual(['FORBIDDEN']);
  });
});

describe('keys', () => {
  const ORDER_KEY = 'k1:order-key-0123456789-0123456789-0123456789';
  const PAYMENT_OLD = 'old:payment-old-key-0123456789-0123456789';
  const PAYMENT_NEW = 'new:payment-new-key-0123456789-0123456789';
  const ring = (env: Record<string, string>) => serviceKeysFromEnv(env, { base: 'unused', production: true });

  it('rotates: old and new key both accepted during rotation, the first listed signs, the old one refused after', () => {
    const before = ring({ SERVICE_KEY_PAYMENT: PAYMENT_OLD });
    const oldHeader = signIdentity({ service: 'payment', scopes: [], audience: 'order' }, before);
    expect(oldHeader.startsWith('payment:old.')).toBe(true);
    // Step 1 (receivers first): both listed, old still signing. Step 2: new listed first, signs; old still accepted.
    const during = ring({ SERVICE_KEY_PAYMENT: `${PAYMENT_NEW},${PAYMENT_OLD}` });
    const newHeader = signIdentity({ service: 'payment', scopes: [], audience: 'order' }, during);
    expect(newHeader.startsWith('payment:new.')).toBe(true);
    expect(verifyIdentity(oldHeader, during, 60, Date.now(), 'order')).toMatchObject({ service: 'payment' });
    expect(verifyIdentity(newHeader, during, 60, Date.now(), 'order')).toMatchObject({ service: 'payment' });
    // Step 3: the old key removed.
    const after = ring({ SERVICE_KEY_PAYMENT: PAYMENT_NEW });
    expect(verifyIdentity(newHeader, after, 60, Date.now(), 'order')).toMatchObject({ service: 'payment' });
    expect(() => verifyIdentity(oldHeader, after, 60, Date.now(), 'order')).toThrow('key unknown here (payment, kid old)');
  });

  it('a process holding only a peer key verifies that caller for itself and cannot sign as it', () => {
    const paymentRing = ring({ SERVICE_KEY_PAYMENT: PAYMENT_NEW });
    const peer = pairKey(PAYMENT_NEW.slice('new:'.length), 'order').toString('base64url');
    const orderRing = ring({ SERVICE_KEY_ORDER: ORDER_KEY, SERVICE_PEER_KEY_PAYMENT: `new:${peer}` });
    const header = signIdentity({ service: 'payment', scopes: [], audience: 'order' }, paymentRing);
    expect(verifyIdentity(header, orderRing, 60, Date.now(), 'order')).toMatchObject({ service: 'payment' });
    expect(() => signIdentity({ service: 'payment', scopes: [], audience: 'cart' }, orderRing)).toThrow('No signing key for payment');
    // What payment signs for cart is keyed for cart: order's peer key for itself does not verify it anywhere else.
    const forCart = signIdentity({ service: 'payment', scopes: [], audience: 'cart' }, paymentRing);
    expect(() => verifyIdentity(forCart, orderRing, 60, Date.now(), 'cart')).toThrow(IdentityError);
  });

  it('production refuses missing, short, shared and malformed keys, and never derives from INTERNAL_SECRET', () => {
    const production = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(32), INTERNAL_SECRET: 'i'.repeat(32), ...env });
    const none = production({});
    expect(() => requireServiceKeys(none.serviceKeys, 'router', true)).toThrow('the router service requires SERVICE_KEY_ROUTER (its own signing key)');
    expect(() => requireServiceKeys(none.serviceKeys, 'order', true)).toThrow('SERVICE_KEY_ORDER (its own signing key) and the verification keys of router, user, product, cart, promote, payment, review');
    expect(() => production({ SERVICE_KEY_ORDER: 'k1:too-short' })).toThrow('at least 32 characters');
    expect(() => production({ SERVICE_KEY_ORDER: ORDER_KEY, SERVICE_KEY_CART: ORDER_KEY })).toThrow('SERVICE_KEY_ORDER repeats the key of SERVICE_KEY_CART');
    expect(() => production({ SERVICE_KEY_ORDER: 'bad kid!:x'.padEnd(40, 'x') })).toThrow('expected kid:secret');
    const all = production(Object.fromEntries(SERVICE_NAMES.map((name) => [`SERVICE_KEY_${name.toUpperCase()}`, `k1:${name}-key-0123456789-0123456789-0123456789`])));
    for (const name of ['router', 'order', 'payment'] as const) expect(() => requireServiceKeys(all.serviceKeys, name, true)).not.toThrow();
    // Outside production, zero configuration: every key derived from INTERNAL_SECRET (or the development default).
    expect(testConfig().serviceKeys.holds('payment')).toBe('derived');
  });
});

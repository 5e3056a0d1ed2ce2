/**
 * Fault: the payment subgraph is SIGKILLed right after it accepted a member card's WeChat notification (the card order
 * is PAID in its database with the grant job scheduled) while user's `grantPaidMembership` is blackholed at user's
 * proxy, so neither the best-effort grant nor the job got through before the kill. After a restart the durable
 * `payment.grantMemberCard` job asks user again: the family is FORMAL for exactly one year (one grant row), and the same
 * notification delivered again (the sandbox cashier posts it once more) adds nothing (docs/family-wallets.md).
 */
import { Shop, eventually, until } from '../support/faults';
import { BOOT_TIMEOUT_MS, describeFaults, newShopper, ok, staffCall } from './support';

describeFaults('fault: payment killed right after a member card notification', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await Shop.start({ label: 'card_kill', env: { EVENTS_JOB_LEASE_MS: '3000' } });
  }, BOOT_TIMEOUT_MS);
  afterAll(() => shop?.stop());

  it('the family becomes FORMAL exactly once after payment restarts, and a repeated notification is a no-op', async () => {
    ok(await staffCall(shop, ['member:write'], 'mutation { setMemberCardPrice(price: 19900) { price } }'));
    const owner = await newShopper(shop);
    const family = ok(
      await owner.call('mutation($input: FamilyInput!) { createFamily(input: $input) { id } }', {
        input: { name: '我家', contactName: '张三', phone: '13800138000', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园1号' },
      }),
    ).createFamily;
    const card = ok(await owner.call('mutation($f: ID!) { buyMemberCard(familyId: $f) { order { id } sandboxPayUrl } }', { f: family.id })).buyMemberCard;

    shop.service('user').proxy.blackhole(/grantPaidMembership/);
    const before = Date.now();
    const paying = fetch(card.sandboxPayUrl, { method: 'POST' }).catch((error: Error) => error);
    const cards = shop.dbs.payment('member_card_orders').where({ id: card.order.id });
    await until(async () => (await cards.clone().first())?.status === 'PAID', { timeoutMs: 30_000, intervalMs: 20, what: 'the card order to be paid' });
    await shop.service('payment').kill();
    await paying;
    const grants = shop.dbs.user('membership_grants').where({ family_id: family.id });
    expect(await grants.clone()).toHaveLength(0);
    expect((await shop.dbs.user('families').where({ id: family.id }).first()).vip_level).toBe('NONE');

    shop.service('user').proxy.pass();
    await shop.service('payment').restart();
    await eventually(async () => (await cards.clone().first())?.granted_at ?? null, (at) => at !== null, 60_000, 300);
    const formal = await shop.dbs.user('families').where({ id: family.id }).first();
    expect(formal.vip_level).toBe('FORMAL');
    const expiry = new Date(formal.vip_expires_at).getTime();
    expect(expiry).toBeGreaterThan(before + 364 * 86_400_000);
    expect(expiry).toBeLessThan(Date.now() + 367 * 86_400_000);

    // The same payment notified again: nothing more.
    const again = await fetch(card.sandboxPayUrl, { method: 'POST' });
    expect(again.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await grants.clone()).toHaveLength(1);
    expect(new Date((await shop.dbs.user('families').where({ id: family.id }).first()).vip_expires_at).getTime()).toBe(expiry);
    expect(await shop.dbs.payment('outbox').where({ type: 'MemberCardPaid', aggregate_id: `MC${card.order.id}` })).toHaveLength(1);
    await shop.expectInvariants();
  }, 180_000);
});

/** Reconciliation: a payment whose notification never arrived is settled from the provider's answer to a query. */
import { newOrder, newShopper, payOrder, prepayOf, paymentWorldForFile, stateOf, untilOrder, waitFor, type PaymentWorld } from './support';

let world: PaymentWorld;
// Open payments are queried one second after they were opened (PAYMENT_RECONCILE_AFTER_SECONDS).
paymentWorldForFile((started) => (world = started), { PAYMENT_RECONCILE_AFTER_SECONDS: '1' });

it('WeChat: paid at the provider, notification dropped → settled by the reconciliation job, PAID once', async () => {
  const shopper = await newShopper(world);
  const orderId = await newOrder(world, { userId: shopper.userId });
  const paid = await payOrder(world, shopper.userId, orderId, 'WECHAT');
  const url = new URL(paid.data.payOrder.sandboxPayUrl);
  const dropped = await fetch(`${world.paymentOrigin}${url.pathname}?deliver=false`, { method: 'POST' });
  expect(await dropped.json()).toMatchObject({ paid: true, delivered: false });
  await untilOrder(world, orderId, 'PAID');
  const state = await stateOf(world, orderId);
  expect(state.payments).toMatchObject([{ status: 'SUCCEEDED', method: 'WECHAT' }]);
  expect(state.events.map((e: { type: string }) => e.type)).toEqual(['PaymentSucceeded']);
  // The notification turning up after all changes nothing.
  const late = world.wechat.pay(prepayOf(paid))!;
  const answer = await fetch(`${world.paymentOrigin}/notify/wechat`, { method: 'POST', headers: late.headers, body: late.body });
  expect(answer.status).toBe(204);
  expect((await stateOf(world, orderId)).events).toHaveLength(1);
});

it('Alipay: the same through alipay.trade.query', async () => {
  const shopper = await newShopper(world);
  const orderId = await newOrder(world, { userId: shopper.userId });
  const paid = await payOrder(world, shopper.userId, orderId, 'ALIPAY');
  const url = new URL(paid.data.payOrder.sandboxPayUrl);
  const dropped = await fetch(`${world.paymentOrigin}${url.pathname}${url.search}&deliver=false`, { method: 'POST' });
  expect(await dropped.json()).toMatchObject({ paid: true, delivered: false });
  await untilOrder(world, orderId, 'PAID');
});

it('an unpaid payment stays open and is asked again later', async () => {
  const shopper = await newShopper(world);
  const orderId = await newOrder(world, { userId: shopper.userId });
  const paid = await payOrder(world, shopper.userId, orderId, 'WECHAT');
  const paymentId = paid.data.payOrder.payment.id;
  await waitFor(async () => (await world.paymentDb('jobs').where({ kind: 'payment.reconcile', key: `${paymentId}:1` })).length === 1);
  expect((await stateOf(world, orderId)).payments).toMatchObject([{ status: 'PENDING' }]);
});

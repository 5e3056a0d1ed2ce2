/** Client fan-out: publishClient reaches every subscribeClient on the channel; with Redis, across bus instances. */
import crypto from 'node:crypto';
import { createEventBus, type EventBus } from '../../platform/events/bus';
import { testConfig } from '../support/harness';
import { waitFor } from '../support/events-db';

const redis = Boolean(testConfig().redisUrl);
const buses: EventBus[] = [];
const bus = () => {
  const created = createEventBus(testConfig());
  buses.push(created);
  return created;
};
afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
});

describe(`client pub/sub (${redis ? 'Redis' : 'in process'})`, () => {
  it('delivers published messages to subscribers of the channel only, until they unsubscribe', async () => {
    const events = bus();
    const channel = `test.${crypto.randomBytes(4).toString('hex')}.order.1`;
    const other = `${channel}.other`;
    const received: unknown[] = [];
    const receivedOther: unknown[] = [];
    const unsubscribe = await events.subscribeClient(channel, (message) => received.push(message));
    await events.subscribeClient(other, (message) => receivedOther.push(message));
    await events.publishClient(channel, { status: 'PAID', n: 1 });
    await events.publishClient(other, { marker: 1 });
    await waitFor(() => received.length === 1 && receivedOther.length === 1);
    expect(received).toEqual([{ status: 'PAID', n: 1 }]);

    await unsubscribe();
    await events.publishClient(channel, { status: 'SHIPPED', n: 2 });
    await events.publishClient(other, { marker: 2 });
    // Messages arrive in publish order: once the marker is in, the unsubscribed channel's message would have been too.
    await waitFor(() => receivedOther.length === 2);
    expect(received).toEqual([{ status: 'PAID', n: 1 }]);
  });

  (redis ? it : it.skip)('reaches subscribers on another instance (two routers, one publishing subgraph)', async () => {
    const routerA = bus();
    const routerB = bus();
    const subgraph = bus();
    const channel = `test.${crypto.randomBytes(4).toString('hex')}.order.2`;
    const atA: unknown[] = [];
    const atB: unknown[] = [];
    await routerA.subscribeClient(channel, (m) => atA.push(m));
    await routerB.subscribeClient(channel, (m) => atB.push(m));
    for (let n = 0; n < 5; n++) await subgraph.publishClient(channel, { n });
    await waitFor(() => atA.length === 5 && atB.length === 5);
    const expected = Array.from({ length: 5 }, (_, n) => ({ n }));
    expect(atA).toEqual(expected);
    expect(atB).toEqual(expected);
  });
});

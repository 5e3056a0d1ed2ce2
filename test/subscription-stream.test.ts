/**
 * The per-subscription stream of router/subscriptions/order-status.ts with in-test `listen`/`read` functions (no
 * server): what a slow client is left with (bounded queue, latest kept), coalesced bursts, no repeats, clean end.
 */
import { orderStateStream, type StateResult } from '../router/subscriptions/order-status';

const state = (status: string): StateResult => ({ data: { orderStatusChanged: { status } } });
const statusOf = (result: IteratorResult<StateResult>) => (result.value?.data?.orderStatusChanged as { status: string } | undefined)?.status;
const tick = () => new Promise((resolve) => setImmediate(resolve));

function source() {
  let message: (() => void) | undefined;
  let current = 'PENDING_PAYMENT';
  let reads = 0;
  let ended = 0;
  let unlistened = false;
  return {
    set: (status: string) => (current = status),
    message: () => message!(),
    stats: () => ({ reads, ended, unlistened }),
    options: (queueMax: number) => ({
      listen: async (onMessage: () => void) => {
        message = onMessage;
        return async () => void (unlistened = true);
      },
      read: async () => {
        reads += 1;
        await tick();
        return state(current);
      },
      queueMax,
      onEnd: () => void (ended += 1),
    }),
  };
}

it('keeps at most queueMax results for a client that does not read, dropping the oldest and keeping the latest', async () => {
  const src = source();
  const stream = await orderStateStream(src.options(2));
  await tick();
  await tick();
  for (const status of ['PAID', 'SHIPPED', 'REFUNDING', 'REFUNDED']) {
    src.set(status);
    src.message();
    await tick();
    await tick();
  }
  // Five distinct states were read; the client, reading only now, gets the last two, the latest last.
  expect(statusOf(await stream.next())).toBe('REFUNDING');
  expect(statusOf(await stream.next())).toBe('REFUNDED');
  await stream.return(undefined);
  expect(src.stats()).toMatchObject({ reads: 5, ended: 1, unlistened: true });
});

it('coalesces a burst of messages into one more read, and does not repeat an unchanged state', async () => {
  const src = source();
  const stream = await orderStateStream(src.options(8));
  expect(statusOf(await stream.next())).toBe('PENDING_PAYMENT');
  src.set('PAID');
  for (let i = 0; i < 10; i += 1) src.message();
  expect(statusOf(await stream.next())).toBe('PAID');
  await tick();
  await tick();
  // One read for the initial state, one for the first message, one for the nine that came during it.
  expect(src.stats().reads).toBe(3);
  src.message(); // nothing changed: nothing sent
  await tick();
  await tick();
  const ended = stream.return(undefined);
  await ended;
  expect(await stream.next()).toEqual({ value: undefined, done: true });
  expect(src.stats().ended).toBe(1);
});

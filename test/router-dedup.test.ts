/**
 * The router shares identical in-flight subgraph queries (router/dedup.ts): two identical anonymous queries in
 * flight together cost the subgraph one request; mutations are always sent; different identities are never merged;
 * each operation gets its own copy of a shared answer. A fake subgraph holds requests until released, so "in flight
 * together" is certain rather than timed.
 */
import { signAccessToken } from '../platform/access-token';
import { loadConfig, type Config } from '../platform/config';
import { InFlightDedup } from '../router/dedup';
import { startRouter, type RunningRouter } from '../router/server';
import { FEDERATION_LINK, startFakeSubgraph, writeSupergraph, type FakeSubgraph } from './support/fake-subgraph';
import { bearer, gql } from './support/harness';

const typeDefs = `${FEDERATION_LINK}
"Root" type Query { "A public greeting." greeting: String!, "The caller's user id as the subgraph saw it." whoami: String }
"Root" type Mutation { "Counts calls." bump: Int! }`;

let fake: FakeSubgraph;
let router: RunningRouter;
let config: Config;
/** Requests wait here until `release()`; `hold()` arms the gate again. */
let gate: Promise<void> = Promise.resolve();
let open: () => void = () => undefined;
const hold = () => {
  gate = new Promise((resolve) => (open = resolve));
};
const release = () => open();
let bumps = 0;

function userOf(headers: Record<string, unknown>): string | null {
  // `<issuer>:<kid>.<claims>.<signature>` (platform/identity.ts): the claims are the second part.
  const payload = String(headers['x-shop-identity']).split('.')[1];
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: string }).sub ?? null;
}

beforeAll(async () => {
  fake = await startFakeSubgraph({
    typeDefs,
    resolvers: {
      Query: { greeting: () => 'hello', whoami: (_p: unknown, _a: unknown, context: { headers: Record<string, unknown> }) => userOf(context.headers) },
      Mutation: { bump: () => (bumps += 1) },
    },
    gate: () => gate,
  });
  const supergraphPath = writeSupergraph([{ name: 'product', url: fake.url, typeDefs }]);
  config = loadConfig({ ...process.env, NODE_ENV: 'test', EXPLORER: 'false', SUPERGRAPH_PATH: supergraphPath });
  router = await startRouter({ config, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  release();
  await router?.close();
  await fake?.close();
});
afterEach(() => {
  release();
  gate = Promise.resolve();
});

/** Waits (without a deadline of its own: jest's test timeout bounds it) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * Sends two operations while the subgraph holds requests, waits until the second was either sent to the subgraph
 * or joined the first, then releases both. Returns the answers and how many subgraph requests they cost.
 */
async function together(first: () => Promise<unknown>, second: () => Promise<unknown>) {
  hold();
  const requestsBefore = fake.requests.length;
  const joinedBefore = router.dedupStats!.joined;
  const a = first();
  await until(() => fake.requests.length === requestsBefore + 1);
  const b = second();
  await until(() => fake.requests.length === requestsBefore + 2 || router.dedupStats!.joined === joinedBefore + 1);
  release();
  const answers = await Promise.all([a, b]);
  return { answers, subgraphRequests: fake.requests.length - requestsBefore, joined: router.dedupStats!.joined - joinedBefore };
}

const token = (userId: string, sessionId?: string) => bearer(signAccessToken({ userId, scopes: [], sessionId }, config));

it('sends two identical anonymous queries in flight together to the subgraph once, and both get the answer', async () => {
  const query = () => gql(router.url, '{ greeting }');
  const { answers, subgraphRequests, joined } = await together(query, query);
  expect(subgraphRequests).toBe(1);
  expect(joined).toBe(1);
  expect(answers).toEqual([
    { status: 200, data: { greeting: 'hello' } },
    { status: 200, data: { greeting: 'hello' } },
  ]);
});

it('shares a signed-in shopper’s query only with the same shopper', async () => {
  const same = await together(() => gql(router.url, '{ whoami }', {}, token('7', 's1')), () => gql(router.url, '{ whoami }', {}, token('7', 's1')));
  expect(same.subgraphRequests).toBe(1);
  expect(same.answers.map((a) => (a as { data: unknown }).data)).toEqual([{ whoami: '7' }, { whoami: '7' }]);

  const users = await together(() => gql(router.url, '{ whoami }', {}, token('7', 's1')), () => gql(router.url, '{ whoami }', {}, token('8', 's1')));
  expect(users.subgraphRequests).toBe(2);
  expect(users.joined).toBe(0);
  expect(users.answers.map((a) => (a as { data: unknown }).data)).toEqual([{ whoami: '7' }, { whoami: '8' }]);

  const anonymousAndShopper = await together(() => gql(router.url, '{ whoami }'), () => gql(router.url, '{ whoami }', {}, token('7', 's1')));
  expect(anonymousAndShopper.subgraphRequests).toBe(2);
  expect(anonymousAndShopper.answers.map((a) => (a as { data: unknown }).data)).toEqual([{ whoami: null }, { whoami: '7' }]);
});

it('never merges mutations, even identical ones in flight together', async () => {
  const bump = () => gql(router.url, 'mutation { bump }');
  const before = bumps;
  const { answers, subgraphRequests, joined } = await together(bump, bump);
  expect(subgraphRequests).toBe(2);
  expect(joined).toBe(0);
  expect(bumps).toBe(before + 2);
  expect(answers.map((a) => (a as { data: { bump: number } }).data.bump).sort()).toEqual([before + 1, before + 2]);
});

it('hands every caller of a shared answer its own copy (the gateway merges later fetches into it)', async () => {
  const dedup = new InFlightDedup();
  let resolve!: (value: { data: { list: { id: string }[] } }) => void;
  const send = () => new Promise<{ data: { list: { id: string }[] } }>((r) => (resolve = r));
  // The first caller changes its answer as soon as it gets it, like the gateway merging the next fetch into it.
  const first = dedup.run('k', send).then((answer) => {
    answer.data!.list.push({ id: 'merged later' });
    return answer;
  });
  const second = dedup.run('k', send);
  resolve({ data: { list: [{ id: '1' }] } });
  const [a, b] = await Promise.all([first, second]);
  expect(a.data).toEqual({ list: [{ id: '1' }, { id: 'merged later' }] });
  expect(b.data).toEqual({ list: [{ id: '1' }] });
  expect(dedup.stats).toEqual({ sent: 1, joined: 1 });
  // Not a cache: once answered, the same request is sent again.
  const third = dedup.run('k', send);
  resolve({ data: { list: [] } });
  expect(await third).toEqual({ data: { list: [] } });
  expect(dedup.stats).toEqual({ sent: 2, joined: 1 });
});

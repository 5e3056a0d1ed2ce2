/**
 * Client releases in the open subgraph on its own against the run's PostgreSQL (docs/persisted-operations.md): racing
 * registrations of one version end with one release, traffic reports from several routers add up, retirement looks
 * at the last 7 Asia/Shanghai days, the internal fields answer the router only, and nothing changes on bad input.
 */
import crypto from 'node:crypto';
import type { RunningSupergraph } from '../../../app/launcher';
import { addDays, shanghaiDate } from '../../../platform/shanghai-time';
import { asIdentity, codes, gql, startSupergraph } from '../../../test/support/harness';

let supergraph: RunningSupergraph;
let url: string;
const db = () => supergraph.subgraphs.open!.db;
const STAFF = asIdentity({ userId: '1', scopes: ['clients:admin'] }, 'open');
const ROUTER = asIdentity({}, 'open');
const OTHER_SERVICE = asIdentity({ service: 'order' }, 'open');
const run = crypto.randomBytes(3).toString('hex');
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const manifest = (...bodies: string[]) =>
  JSON.stringify({
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: bodies.map((body) => ({ id: sha256(body), name: /query (\w+)/.exec(body)![1], type: 'query', body })),
  });
const REGISTER = `mutation($c: String!, $v: String!, $m: String!) { registerClientManifest(clientName: $c, version: $v, manifest: $m) { created release { version } } }`;
const RETIRE = `mutation($c: String!, $v: String!) { retireClientRelease(clientName: $c, version: $v) { retiredAt } }`;
const TRAFFIC = `mutation($e: [ClientTrafficInput!]!) { recordClientTraffic(entries: $e) }`;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['open'], router: false });
  url = supergraph.subgraphs.open!.url;
});
afterAll(async () => {
  await supergraph?.stop();
});

it('racing registrations of one version with different operations: one release, the others CONFLICT', async () => {
  const client = `race${run}`;
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, i) => gql(url, REGISTER, { c: client, v: '1.0.0', m: manifest(`query Q${i} { categories { id } }`) }, STAFF)),
  );
  expect(answers.filter((a) => a.data?.registerClientManifest?.created)).toHaveLength(1);
  expect(answers.filter((a) => codes(a)[0] === 'CONFLICT')).toHaveLength(5);
  const rows = await db()('client_releases').where({ client_name: client });
  expect(rows).toHaveLength(1);
  expect(await db()('client_release_operations').where({ release_id: rows[0].id })).toHaveLength(1);
});

it('traffic from several routers adds up; retirement refused with traffic within 7 days, allowed after', async () => {
  const client = `traffic${run}`;
  expect(codes(await gql(url, REGISTER, { c: client, v: '1', m: manifest('query A { categories { id } }') }, STAFF))).toEqual([]);
  const today = shanghaiDate(Date.now());
  const entry = (day: string, requests: number) => ({ clientName: client, version: '1', day, requests, lastSeenAt: new Date().toISOString() });
  // Only the router may report (shoppers cannot reach @inaccessible fields through it); another subgraph is FORBIDDEN.
  expect(codes(await gql(url, TRAFFIC, { e: [entry(today, 1)] }, OTHER_SERVICE))).toEqual(['FORBIDDEN']);
  // Eight days ago: outside the window.
  await Promise.all([gql(url, TRAFFIC, { e: [entry(addDays(today, -7), 5)] }, ROUTER), gql(url, TRAFFIC, { e: [entry(addDays(today, -7), 2)] }, ROUTER)]);
  const [old] = await db()('client_traffic').where({ client_name: client });
  expect(Number(old.requests)).toBe(7);
  expect(codes(await gql(url, RETIRE, { c: client, v: '1' }, STAFF))).toEqual([]);

  expect(codes(await gql(url, REGISTER, { c: client, v: '2', m: manifest('query B { categories { id } }') }, STAFF))).toEqual([]);
  // Six days ago (the window's first day) from two routers at once.
  const sixDaysAgo = addDays(today, -6);
  await Promise.all([1, 2, 3].map(() => gql(url, TRAFFIC, { e: [{ ...entry(sixDaysAgo, 1), version: '2' }] }, ROUTER)));
  const refused = await gql(url, RETIRE, { c: client, v: '2' }, STAFF);
  expect(codes(refused)).toEqual(['CONFLICT']);
  expect(refused.errors?.[0].message).toMatch(/served 3 requests/);
  expect((await db()('client_releases').where({ client_name: client, version: '2' }).first()).retired_at).toBeNull();
  // Unknown release: NOT_FOUND.
  expect(codes(await gql(url, RETIRE, { c: client, v: '9' }, STAFF))).toEqual(['NOT_FOUND']);
});

it('the internal read answers the router only, with live releases only', async () => {
  const QUERY = '{ safelistRegistry { modes { clientName mode } operations { clientName version id } } }';
  expect(codes(await gql(url, QUERY, {}, OTHER_SERVICE))).toEqual(['FORBIDDEN']);
  const answer = await gql(url, QUERY, {}, ROUTER);
  expect(answer.errors).toBeUndefined();
  const versions = answer.data.safelistRegistry.operations.filter((o: { clientName: string }) => o.clientName === `traffic${run}`).map((o: { version: string }) => o.version);
  expect(versions).toEqual(['2']);
});

it('bad input changes nothing', async () => {
  const before = Number((await db()('client_releases').count({ n: '*' }))[0].n);
  expect(codes(await gql(url, REGISTER, { c: `bad${run}`, v: '1', m: '{"format":"x"}' }, STAFF))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(url, REGISTER, { c: `bad${run}`, v: '1', m: 'not json' }, STAFF))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(url, REGISTER, { c: `bad${run}`, v: '../1', m: manifest('query C { categories { id } }') }, STAFF))).toEqual(['BAD_USER_INPUT']);
  const twoOps = manifest('query D { categories { id } } query E { categories { id } }');
  expect(codes(await gql(url, REGISTER, { c: `bad${run}`, v: '1', m: twoOps }, STAFF))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(url, REGISTER, { c: `bad${run}`, v: '1', m: manifest('query F { categories { id } }') }, asIdentity({ userId: '1', scopes: ['open:admin'] }, 'open')))).toEqual(['FORBIDDEN']);
  expect(Number((await db()('client_releases').count({ n: '*' }))[0].n)).toBe(before);
});

/** Welfare activities on the promote subgraph alone, against the run's real database. */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../app/launcher';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, type GraphQLResponse } from '../../test/support/harness';
import { parseActivityInput } from './activities';

let supergraph: RunningSupergraph;
let url: string;
let db: Knex;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['promote'], router: false });
  url = supergraph.subgraphs.promote!.url;
  db = supergraph.subgraphs.promote!.db;
});
afterAll(async () => {
  await supergraph?.stop();
});

const newUserId = () => String(crypto.randomInt(1, 2 ** 47));
const staff = () => asIdentity({ userId: newUserId(), scopes: ['promote:write'] }, 'promote');
const shopper = () => asIdentity({ userId: newUserId() }, 'promote');
const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const CREATE = 'mutation($input: ActivityInput!) { createActivity(input: $input) { id title description link startsAt endsAt } }';
const LIST = '{ activities { id title endsAt } }';
const DELETE = 'mutation($id: ID!) { deleteActivity(id: $id) }';

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

it('lists the running activities to anyone, ending soonest first, and not the future or removed ones', async () => {
  const title = (name: string) => `${name}-${crypto.randomBytes(4).toString('hex')}`;
  const later = ok(await gql(url, CREATE, { input: { title: title('later'), startsAt: hoursFromNow(-1), endsAt: hoursFromNow(48) } }, staff())).createActivity;
  const sooner = ok(
    await gql(url, CREATE, { input: { title: ` ${title('sooner')} `, description: 'Open a red packet', link: '/pages/invite/index?x=1', startsAt: hoursFromNow(-1), endsAt: hoursFromNow(24) } }, staff()),
  ).createActivity;
  expect(sooner).toMatchObject({ title: sooner.title.trim(), description: 'Open a red packet', link: '/pages/invite/index?x=1' });
  const future = ok(await gql(url, CREATE, { input: { title: title('future'), startsAt: hoursFromNow(5), endsAt: hoursFromNow(50) } }, staff())).createActivity;
  const removed = ok(await gql(url, CREATE, { input: { title: title('removed'), startsAt: hoursFromNow(-1), endsAt: hoursFromNow(30) } }, staff())).createActivity;
  expect(ok(await gql(url, DELETE, { id: removed.id }, staff())).deleteActivity).toBe(true);
  expect(codes(await gql(url, DELETE, { id: removed.id }, staff()))).toEqual(['NOT_FOUND']);
  expect(codes(await gql(url, DELETE, { id: 'x' }, staff()))).toEqual(['NOT_FOUND']);

  const listed = ok(await gql(url, LIST, {}, anonymousTo('promote'))).activities as { id: string }[];
  const ids = listed.map((a) => a.id);
  expect(ids).toContain(later.id);
  expect(ids.indexOf(sooner.id)).toBeLessThan(ids.indexOf(later.id));
  expect(ids).not.toContain(future.id);
  expect(ids).not.toContain(removed.id);
  // Ended: gone from the list.
  await db('promote_activities').where({ id: later.id }).update({ ends_at: db.raw("now() - interval '1 second'"), starts_at: db.raw("now() - interval '2 hours'") });
  expect((ok(await gql(url, LIST, {}, shopper())).activities as { id: string }[]).map((a) => a.id)).not.toContain(later.id);
});

it('keeps creating and removing behind promote:write, refusing bad input with nothing written', async () => {
  const input = { title: 'T', startsAt: hoursFromNow(-1), endsAt: hoursFromNow(1) };
  expect(codes(await gql(url, CREATE, { input }, shopper()))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(url, CREATE, { input }, anonymousTo('promote')))).toEqual(['UNAUTHENTICATED']);
  expect(codes(await gql(url, DELETE, { id: '1' }, shopper()))).toEqual(['FORBIDDEN']);
  const before = Number((await db('promote_activities').count({ n: '*' }))[0]!.n);
  for (const bad of [
    { title: '  ' },
    { title: 'x'.repeat(65) },
    { title: 'a\u0000b' },
    { description: 'd'.repeat(501) },
    { link: 'https://evil.example' },
    { startsAt: 'tomorrow' },
    { startsAt: '2026-01-01' },
    { endsAt: input.startsAt },
    { startsAt: hoursFromNow(-5), endsAt: hoursFromNow(-2) },
  ]) {
    expect(codes(await gql(url, CREATE, { input: { ...input, ...bad } }, staff()))).toEqual(['BAD_USER_INPUT']);
  }
  expect(Number((await db('promote_activities').count({ n: '*' }))[0]!.n)).toBe(before);
});

it('parses an input into a row (the rules on their own)', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  expect(parseActivityInput({ title: ' Welfare ', startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-02T00:00:00+08:00' }, '7', now)).toEqual({
    title: 'Welfare',
    description: null,
    link: null,
    starts_at: new Date('2026-12-01T00:00:00Z'),
    ends_at: new Date('2026-12-01T16:00:00Z'),
    created_by: '7',
  });
});

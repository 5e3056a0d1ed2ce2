/**
 * Staff keep the carrier list (docs/logistics.md, "Carriers") against the order subgraph and real PostgreSQL: add,
 * rename, change spellings, deactivate and reactivate under order:write (shoppers FORBIDDEN), every input rule
 * (BAD_USER_INPUT, nothing written), no two active carriers sharing a spelling (CONFLICT, also under concurrent adds),
 * and what shipOrder accepts follows at once.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../../app/launcher';
import { asIdentity, codes, gql, startSupergraph, type GraphQLResponse } from '../../../test/support/harness';
import { placeTestOrder } from './fixtures';

let supergraph: RunningSupergraph;
let db: Knex;
let url: string;
beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['order'], router: false });
  db = supergraph.subgraphs.order!.db;
  url = supergraph.subgraphs.order!.url;
});
afterAll(async () => {
  // The database is shared by every test file: this file's carriers leave the list (shipments keep theirs).
  if (db) await db('carriers').whereIn('code', made).update({ active: false });
  await supergraph?.stop();
});
const made: string[] = [];

const as = (userId: string, scopes: string[] = []) => asIdentity({ userId, scopes }, 'order');
const staff = as('999997', ['order:write']);
const shopper = as('424243');
const FIELDS = 'code name aliases sort active';
const create = async (input: Record<string, unknown>, headers = staff) => {
  const response = await gql(url, `mutation($input: CarrierInput!) { createCarrier(input: $input) { ${FIELDS} } }`, { input }, headers);
  if (response.data?.createCarrier) made.push(response.data.createCarrier.code);
  return response;
};
const update = (code: string, input: Record<string, unknown>, headers = staff) =>
  gql(url, `mutation($code: String!, $input: CarrierUpdateInput!) { updateCarrier(code: $code, input: $input) { ${FIELDS} } }`, { code, input }, headers);
const reasonOf = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.reason;
const listed = async () => ((await gql(url, '{ carriers { code name } }', {}, shopper)).data.carriers as { code: string; name: string }[]);
/** This run's own spellings: the database is shared by every test file. */
const tag = () => crypto.randomBytes(4).toString('hex');
const ship = (orderId: string, carrier: string) =>
  gql(url, `mutation($id: ID!, $c: String!, $t: String!) { shipOrder(id: $id, carrier: $c, trackingNo: $t) { status carrier shipments { carrier { code name } } } }`, { id: orderId, c: carrier, t: `T${crypto.randomInt(10 ** 9, 10 ** 10)}` }, staff);

it('staff add a carrier that shipOrder then accepts by code, name or alias; rename it; deactivate and reactivate it', async () => {
  const t = tag();
  const code = `ane${t}`;
  expect(codes(await create({ code, name: `安能${t}`, aliases: [`ANE${t}`] }, shopper))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(url, '{ allCarriers { code } }', {}, shopper))).toEqual(['FORBIDDEN']);
  const created = await create({ code, name: ` 安能${t} `, aliases: [`ANE${t}`, `ane${t.toUpperCase()}x`, `ANE${t}`] });
  expect(created.errors).toBeUndefined();
  expect(created.data.createCarrier).toMatchObject({ code, name: `安能${t}`, aliases: [`ANE${t}`, `ane${t.toUpperCase()}x`], active: true });
  // At the end of the list.
  expect(Math.max(...(await db('carriers').select('sort')).map((row: { sort: number }) => row.sort))).toBe(created.data.createCarrier.sort);
  expect(await listed()).toContainEqual({ code, name: `安能${t}` });

  const order = await placeTestOrder(db, { userId: '424243', status: 'PAID' });
  const shipped = await ship(order, `ane${t}`.toUpperCase());
  expect(shipped.data.shipOrder).toMatchObject({ status: 'SHIPPED', carrier: `安能${t}`, shipments: [{ carrier: { code, name: `安能${t}` } }] });

  // Renamed: the list and the shipment show the new name; the code stays.
  expect((await update(code, { name: `安能物流${t}` })).data.updateCarrier).toMatchObject({ code, name: `安能物流${t}`, aliases: [`ANE${t}`, `ane${t.toUpperCase()}x`], active: true });
  expect(await listed()).toContainEqual({ code, name: `安能物流${t}` });
  const read = await gql(url, `query($id: ID!) { order(id: $id) { shipments { carrier { code name } } } }`, { id: order }, as('424243'));
  expect(read.data.order.shipments).toEqual([{ carrier: { code, name: `安能物流${t}` } }]);

  // Deactivated: gone from the list, refused for new shipments, still on the old one; listed for staff.
  expect((await update(code, { active: false })).data.updateCarrier.active).toBe(false);
  expect((await listed()).map((c) => c.code)).not.toContain(code);
  const refused = await ship(await placeTestOrder(db, { userId: '424243', status: 'PAID' }), code);
  expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
  expect(reasonOf(refused)).toBe('UNKNOWN_CARRIER');
  expect((await gql(url, `query($id: ID!) { order(id: $id) { shipments { carrier { code } } } }`, { id: order }, as('424243'))).data.order.shipments).toEqual([{ carrier: { code } }]);
  expect((await gql(url, '{ allCarriers { code active } }', {}, staff)).data.allCarriers).toContainEqual({ code, active: false });
  expect((await update(code, { active: true })).data.updateCarrier.active).toBe(true);
  expect((await ship(await placeTestOrder(db, { userId: '424243', status: 'PAID' }), `ANE${t}`)).data.shipOrder.status).toBe('SHIPPED');
});

it('refuses bad input, taken codes and spellings another active carrier answers to, changing nothing', async () => {
  const t = tag();
  const code = `kd${t}`;
  const before = await db('carriers').count<{ count: string }[]>('* as count').first();
  for (const input of [
    { code: 'Has-Caps', name: 'x' },
    { code: '', name: 'x' },
    { code: 'x'.repeat(33), name: 'x' },
    { code, name: '   ' },
    { code, name: 'n'.repeat(33) },
    { code, name: 'bad\u0000name' },
    { code, name: 'ok', aliases: Array.from({ length: 11 }, (_v, i) => `a${i}${t}`) },
    { code, name: 'ok', aliases: [''] },
  ]) {
    expect(codes(await create(input))).toEqual(['BAD_USER_INPUT']);
  }
  expect(await db('carriers').count<{ count: string }[]>('* as count').first()).toEqual(before);

  // The seeded 顺丰速运 answers to shunfeng, 顺丰速运, SF, 顺丰, SF Express.
  for (const input of [{ code, name: '顺丰速运' }, { code, name: `快递${t}`, aliases: ['sf express'] }, { code: 'shunfeng', name: `快递${t}` }]) {
    const response = await create(input);
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(reasonOf(response)).toBe(input.code === 'shunfeng' ? 'CARRIER_EXISTS' : 'CARRIER_NAME_TAKEN');
  }
  expect(await db('carriers').where({ code }).first()).toBeUndefined();

  const mine = (await create({ code, name: `快递${t}` })).data.createCarrier;
  expect(codes(await update(code, { aliases: ['顺丰'] }))).toEqual(['CONFLICT']);
  expect(codes(await update(code, { name: '' }))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await update(`nope${t}`, { name: 'x' }))).toEqual(['NOT_FOUND']);
  expect(codes(await update(code, { name: 'x' }, shopper))).toEqual(['FORBIDDEN']);
  expect(await db('carriers').where({ code }).first()).toMatchObject({ name: mine.name, aliases: [], active: true });

  // A deactivated carrier's spellings are free; reactivating it while another active one took them is refused.
  await update(code, { active: false });
  const heir = (await create({ code: `kd2${t}`, name: `快递${t}` })).data.createCarrier;
  expect(heir.name).toBe(`快递${t}`);
  expect(reasonOf(await update(code, { active: true }))).toBe('CARRIER_NAME_TAKEN');
  expect(await db('carriers').where({ code }).first()).toMatchObject({ active: false });
});

it('of two staff adding carriers with the same alias at once, one wins', async () => {
  const t = tag();
  const answers = await Promise.all([0, 1, 2].map((n) => create({ code: `race${n}${t}`, name: `竞速${n}${t}`, aliases: [`RACE${t}`] })));
  expect(answers.map((answer) => codes(answer).join()).sort()).toEqual(['', 'CONFLICT', 'CONFLICT']);
  expect(await db('carriers').whereRaw('code LIKE ?', [`race%${t}`])).toHaveLength(1);
});

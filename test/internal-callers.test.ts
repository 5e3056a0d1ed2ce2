/**
 * Every internal (`@inaccessible`) field of every subgraph has an entry in its internal-callers.ts allow-list, and
 * the schema build refuses one without (so a field added later cannot ship open to every signed caller).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'graphql';
import { SUBGRAPH_NAMES } from '../platform/config';
import { checkInternalCallers, inaccessibleFields } from '../platform/internal-callers';
import { SERVICE_NAMES } from '../platform/service-keys';
import { internalCallers as cart } from '../subgraphs/cart/internal-callers';
import { internalCallers as order } from '../subgraphs/order/internal-callers';
import { internalCallers as payment } from '../subgraphs/payment/internal-callers';
import { internalCallers as product } from '../subgraphs/product/internal-callers';
import { internalCallers as promote } from '../subgraphs/promote/internal-callers';
import { internalCallers as open } from '../subgraphs/open/internal-callers';
import { internalCallers as review } from '../subgraphs/review/internal-callers';
import { internalCallers as user } from '../subgraphs/user/internal-callers';

const allowLists = { cart, open, order, payment, product, promote, review, user };

const sdl = (name: string) => parse(fs.readFileSync(path.join(__dirname, '..', 'subgraphs', name, 'schema.graphql'), 'utf8'));

describe.each(SUBGRAPH_NAMES)('%s', (name) => {
  it('lists exactly its @inaccessible fields, each with known callers', () => {
    const internalCallers = allowLists[name];
    const fields = inaccessibleFields(sdl(name));
    expect(Object.keys(internalCallers).sort()).toEqual([...fields].sort());
    for (const field of fields) {
      expect(internalCallers[field].length).toBeGreaterThan(0);
      for (const caller of internalCallers[field]) expect(SERVICE_NAMES).toContain(caller);
    }
    expect(() => checkInternalCallers(name, sdl(name), internalCallers)).not.toThrow();
  });
});

it('the schema build refuses an @inaccessible field without an entry, and an entry for no such field', () => {
  const typeDefs = parse('type Query { open: Int, secret: Int @inaccessible }');
  expect(() => checkInternalCallers('demo', typeDefs, {})).toThrow('missing (or empty): Query.secret');
  expect(() => checkInternalCallers('demo', typeDefs, { 'Query.secret': [] })).toThrow('missing (or empty): Query.secret');
  expect(() => checkInternalCallers('demo', typeDefs, { 'Query.secret': ['order'], 'Query.gone': ['order'] })).toThrow('not @inaccessible fields: Query.gone');
});

it('covers the known internal operations with their owners', () => {
  expect(order['Mutation.markOrderPaid']).toEqual(['payment']);
  expect(order['Mutation.markOrderRefunded']).toEqual(['payment']);
  expect([...order['Query.orderHoldStates']].sort()).toEqual(['product', 'promote']);
  for (const field of ['reserveStock', 'releaseStock', 'commitStock']) expect(product[`Mutation.${field}`]).toEqual(['order']);
  for (const field of ['lockCoupon', 'useCoupon', 'releaseCoupon']) expect(promote[`Mutation.${field}`]).toEqual(['order']);
  expect(cart['Mutation.removeOrderedCartItems']).toEqual(['order']);
});

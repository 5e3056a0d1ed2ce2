/** platform/connection.ts: page-size rules, opaque cursors of one list only, and hasNextPage from the extra row. */
import { pageRequest, toConnection } from '../platform/connection';

const rows = (...ids: string[]) => ids.map((id) => ({ id }));

it('defaults to 20 and refuses page sizes outside 1..max', () => {
  expect(pageRequest('Product', {}, 100)).toEqual({ size: 20, limit: 21 });
  for (const first of [0, -1, 101, 1.5]) {
    expect(() => pageRequest('Product', { first }, 100)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first' }) }));
  }
});

it("walks pages with its own cursors and refuses another list's or a forged one", () => {
  const first = toConnection('Product', rows('9', '8', '7'), pageRequest('Product', { first: 2 }, 100));
  expect(first.edges.map((edge) => edge.node.id)).toEqual(['9', '8']);
  expect(first.pageInfo.hasNextPage).toBe(true);
  const next = pageRequest('Product', { first: 2, after: first.pageInfo.endCursor }, 100);
  expect(next.afterId).toBe('8');
  const last = toConnection('Product', rows('7'), next);
  expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: last.edges[0].cursor });
  expect(toConnection('Product', [], next).pageInfo).toEqual({ hasNextPage: false, endCursor: null });

  const forged = [first.pageInfo.endCursor!, Buffer.from('Product:abc').toString('base64url'), Buffer.from('Product:1:2').toString('base64url'), ''];
  expect(() => pageRequest('CouponTemplate', { after: forged[0] }, 100)).toThrow(/not a cursor of this list/);
  for (const after of forged.slice(1)) expect(() => pageRequest('Product', { after }, 100)).toThrow(/not a cursor of this list/);
});

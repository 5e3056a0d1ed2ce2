/**
 * openCallsPerMinute on real PostgreSQL: calls inserted in known minutes come back per minute (calls, errors, average
 * and slowest response time), the minutes between them filled with zeros, filtered by method and app, in one
 * statement; a span over 24 hours, instants off whole minutes or malformed are BAD_USER_INPUT; without open:admin
 * FORBIDDEN.
 */
import crypto from 'node:crypto';
import { countStatements } from '../../../platform/db';
import { asIdentity, codes, gql, type GraphQLResponse } from '../../../test/support/harness';
import { startIsolatedSupergraph, type IsolatedSupergraph } from '../../../test/support/isolated-supergraph';
import { insertCallLog } from '../data/call-logs';

let shop: IsolatedSupergraph;
let url: string;
const db = () => shop.subgraphs.open!.db;
const ADMIN = () => asIdentity({ userId: '1', scopes: ['open:admin'] }, 'open', shop.config);

beforeAll(async () => {
  shop = await startIsolatedSupergraph({}, { subgraphs: ['open'], router: false });
  url = shop.subgraphs.open!.url;
});
afterAll(async () => {
  await shop?.stop();
});

const ok = <T = any>(response: GraphQLResponse<T>): T => {
  expect(response.errors).toBeUndefined();
  return response.data as T;
};

const PER_MINUTE = `query ($from: String!, $to: String!, $method: String, $appKey: String) {
  openCallsPerMinute(from: $from, to: $to, method: $method, appKey: $appKey) { minute calls errors averageMs maxMs }
}`;

/** A method name of this run alone (the database may be shared). */
const method = `test.minutes${crypto.randomBytes(3).toString('hex')}`;
const BASE = Date.parse('2026-11-18T10:00:00Z');

async function call(offsetSeconds: number, responseTimeMs: number, options: { errorCode?: string; appKey?: string } = {}) {
  await insertCallLog(db(), {
    id: crypto.randomUUID(),
    requestId: crypto.randomUUID(),
    appKey: options.appKey ?? 'ak_minutes_a',
    gateway: '127.0.0.1:4000/1',
    merchant: '10001',
    clientAddress: '203.0.113.9',
    method,
    responseTimeMs,
    request: '{}',
    errorCode: options.errorCode ?? null,
    httpStatus: options.errorCode ? 502 : 200,
    admitted: true,
    receivedAt: new Date(BASE + offsetSeconds * 1000),
  });
}

it('answers each minute of the range with its calls, errors, average and slowest; empty minutes zero; one statement', async () => {
  // 10:00 three calls (one error), 10:03 one call at its last millisecond's second, 10:05 one call of another app.
  await call(0, 10);
  await call(20, 20, { errorCode: 'SERVICE_ERROR' });
  await call(59, 31);
  await call(3 * 60 + 59, 100);
  await call(5 * 60, 7, { appKey: 'ak_minutes_b' });
  // Outside the range: 09:59:59 and 10:06:00.
  await call(-1, 999);
  await call(6 * 60, 999);

  const counter = countStatements(db());
  const buckets = ok(await gql(url, PER_MINUTE, { from: '2026-11-18T18:00:00+08:00', to: '2026-11-18T10:06:00Z', method }, ADMIN())).openCallsPerMinute;
  expect(counter.count).toBe(1);
  const minute = (m: number) => new Date(BASE + m * 60_000).toISOString();
  expect(buckets).toEqual([
    { minute: minute(0), calls: 3, errors: 1, averageMs: 20, maxMs: 31 },
    { minute: minute(1), calls: 0, errors: 0, averageMs: null, maxMs: null },
    { minute: minute(2), calls: 0, errors: 0, averageMs: null, maxMs: null },
    { minute: minute(3), calls: 1, errors: 0, averageMs: 100, maxMs: 100 },
    { minute: minute(4), calls: 0, errors: 0, averageMs: null, maxMs: null },
    { minute: minute(5), calls: 1, errors: 0, averageMs: 7, maxMs: 7 },
  ]);

  const appB = ok(await gql(url, PER_MINUTE, { from: minute(0), to: minute(6), method, appKey: 'ak_minutes_b' }, ADMIN())).openCallsPerMinute;
  expect(appB.map((b: { calls: number }) => b.calls)).toEqual([0, 0, 0, 0, 0, 1]);

  // A whole day: 1440 buckets, the first minute's figures where they belong.
  const day = ok(await gql(url, PER_MINUTE, { from: minute(0), to: minute(1440), method }, ADMIN())).openCallsPerMinute;
  expect(day).toHaveLength(1440);
  expect(day[0]).toEqual({ minute: minute(0), calls: 3, errors: 1, averageMs: 20, maxMs: 31 });
  expect(day[6]).toMatchObject({ minute: minute(6), calls: 1, maxMs: 999 });
});

it('refuses spans over 24 hours, instants off whole minutes, reversed or malformed ranges, and callers without open:admin', async () => {
  const bad = [
    { from: '2026-11-18T10:00:00Z', to: '2026-11-19T10:01:00Z' },
    { from: '2026-11-18T10:00:30Z', to: '2026-11-18T10:05:00Z' },
    { from: '2026-11-18T10:00:00Z', to: '2026-11-18T10:05:00.500Z' },
    { from: '2026-11-18T10:05:00Z', to: '2026-11-18T10:00:00Z' },
    { from: 'yesterday', to: '2026-11-18T10:00:00Z' },
    { from: '2026-11-18T10:00:00Z', to: '2026-11-18T10:05:00Z', method: '' },
  ];
  for (const variables of bad) expect(codes(await gql(url, PER_MINUTE, variables, ADMIN()))).toEqual(['BAD_USER_INPUT']);
  const range = { from: '2026-11-18T10:00:00Z', to: '2026-11-18T10:05:00Z' };
  expect(codes(await gql(url, PER_MINUTE, range, asIdentity({ userId: '2' }, 'open', shop.config)))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(url, PER_MINUTE, range, asIdentity({ userId: '3', scopes: ['order:write'] }, 'open', shop.config)))).toEqual(['FORBIDDEN']);
});

/**
 * The open platform's call logs on real PostgreSQL and the process's event bus (Redis Streams with REDIS_URL): a
 * router's records become searchable rows (keyword with highlight, Chinese included) within seconds, once each even
 * when redelivered; statistics per method; today's ranking from Redis; the day partitions and their retention; the
 * slow-API monitor raising one alert per method and window — also with two instances' job runners racing — mailed
 * to an SMTP sink and posted to a webhook, each channel once. Gateway calls themselves are the router tests' business.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { SMTPServer } from 'smtp-server';
import { launch, type RunningSupergraph } from '../../../app/launcher';
import { countStatements } from '../../../platform/db';
import { consumerEffect, type EventEnvelope } from '../../../platform/events';
import { addDays, shanghaiDate, shanghaiDayStart } from '../../../platform/shanghai-time';
import { createOpenCallRecorder, OPEN_CALL_RECORDED, OPEN_CALLS_STREAM, type OpenCallRecord } from '../../../router/open/call-events';
import { asIdentity, codes, gql, type GraphQLResponse } from '../../../test/support/harness';
import { startIsolatedSupergraph, type IsolatedSupergraph } from '../../../test/support/isolated-supergraph';
import { recordOpenCalls } from '../call-logs/consumer';
import type { OpenCallPayload } from '../../../platform/open-call-record';
import { runMonitor } from '../call-logs/monitor';
import { maintainCallLogPartitions } from '../call-logs/partitions';
import { highlight } from '../call-logs/search';
import { partitionDates } from '../data/call-logs';

interface Mail {
  to: string;
  body: string;
}
const mails: Mail[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    let body = '';
    stream.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    stream.on('end', () => {
      mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body });
      callback();
    });
  },
});
const webhookBodies: { method: string }[] = [];
/** Methods whose alert the webhook refuses (503) this many more times. */
const webhookFailures = new Map<string, number>();
const webhookAttempts: string[] = [];
const webhook = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk));
  req.on('end', () => {
    const alert = JSON.parse(body) as { method: string };
    webhookAttempts.push(alert.method);
    const failures = webhookFailures.get(alert.method) ?? 0;
    if (failures > 0) {
      webhookFailures.set(alert.method, failures - 1);
      res.writeHead(503).end();
      return;
    }
    webhookBodies.push(alert);
    res.writeHead(204).end();
  });
});

let shop: IsolatedSupergraph;
let url: string;
const db = () => shop.subgraphs.open!.db;
const ADMIN = () => asIdentity({ userId: '1', scopes: ['open:admin'] }, 'open', shop.config);
const redisClient = process.env.REDIS_URL ? createClient({ url: process.env.REDIS_URL }) : null;

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const webhookPort = (webhook.address() as AddressInfo).port;
  shop = await startIsolatedSupergraph(
    {
      OPEN_ALERT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      OPEN_ALERT_EMAIL_TO: 'ops@shop.example',
      OPEN_ALERT_WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/alerts`,
      OPEN_ALERT_THRESHOLD_MS: '1000',
    },
    { subgraphs: ['open'], router: false },
  );
  url = shop.subgraphs.open!.url;
  await redisClient?.connect();
});
afterAll(async () => {
  await shop?.stop();
  await redisClient?.quit();
  smtp.close();
  webhook.close();
});

const ok = <T = any>(response: GraphQLResponse<T>): T => {
  expect(response.errors).toBeUndefined();
  return response.data as T;
};

/** A method name of this test alone (the run's Redis and, without REDIS_URL, database are shared). */
const method = (name: string) => `test.${name}${crypto.randomBytes(3).toString('hex')}`;

function record(overrides: Partial<OpenCallRecord> = {}): OpenCallRecord {
  return {
    requestId: crypto.randomUUID(),
    appKey: 'ak_0123456789abcdef01234567',
    gateway: '127.0.0.1:4000/1',
    merchant: '10001',
    clientAddress: '203.0.113.9',
    method: 'order.query',
    responseTimeMs: 12,
    request: '{"orderNo":"20261205000001"}',
    errorCode: null,
    httpStatus: 200,
    receivedAt: new Date(),
    ...overrides,
  };
}

/** The router's recorder on this shop's bus, ranking in this shop's Redis namespace. */
function recorder() {
  const prefix = `${shop.config.events.namespace}:`;
  const redis = redisClient
    ? { prefix, command: <T>(args: string[]) => redisClient.sendCommand(args) as Promise<T> }
    : null;
  const lines: Record<string, unknown>[] = [];
  return { recorder: createOpenCallRecorder({ bus: shop.events, redis, log: (line) => lines.push(line) }), lines };
}

const SEARCH = `query ($filter: OpenCallLogFilter!, $first: Int, $after: String) {
  openCallLogs(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id requestId appKey method merchant clientAddress request responseTimeMs errorCode httpStatus admitted receivedAt
      requestHighlight { text match } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const lastHour = () => ({ from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('call records → call logs', () => {
  it('are searchable by keyword within seconds, Chinese included, with the match highlighted; the call is never awaited', async () => {
    const { recorder: rec, lines } = recorder();
    const name = method('search');
    const requestId = crypto.randomUUID();
    const started = Date.now();
    rec.emit(record({ method: name, requestId, request: '{"receiverName":"张三丰","note":"送到门卫张三丰收"}' }));
    rec.emit(record({ method: name, request: '{"receiverName":"李四"}' }));
    expect(lines).toHaveLength(2); // one JSON log line per call, written at once
    const search = () => gql(url, SEARCH, { filter: { ...lastHour(), method: name, keyword: '张三丰' } }, ADMIN());
    const found = await eventually(search, (r) => (r.data?.openCallLogs.edges.length ?? 0) >= 1);
    const seconds = (Date.now() - started) / 1000;
    const edges = ok(found).openCallLogs.edges;
    expect(edges).toHaveLength(1);
    expect(seconds).toBeLessThan(10);
    const node = edges[0].node;
    expect(node).toMatchObject({ requestId, method: name, merchant: '10001', clientAddress: '203.0.113.9', admitted: true, errorCode: null, httpStatus: 200 });
    expect(node.requestHighlight).toEqual([
      { text: '{"receiverName":"', match: false },
      { text: '张三丰', match: true },
      { text: '","note":"送到门卫', match: false },
      { text: '张三丰', match: true },
      { text: '收"}', match: false },
    ]);
    expect(node.requestHighlight.map((f: { text: string }) => f.text).join('')).toBe(node.request);
    await rec.flush();
    expect(rec.dropped).toBe(0);
  });

  it('keeps a redelivered record once', async () => {
    const name = method('redelivered');
    const payload: OpenCallPayload = { ...record({ method: name }), receivedAt: new Date().toISOString(), admitted: true };
    const event: EventEnvelope<OpenCallPayload> = {
      id: crypto.randomUUID(), stream: OPEN_CALLS_STREAM, type: OPEN_CALL_RECORDED, aggregateId: name, payload, occurredAt: payload.receivedAt,
    };
    const deliver = consumerEffect({ db: db(), group: 'open', ...recordOpenCalls() });
    expect(await deliver(event)).toBe(true);
    expect(await deliver(event)).toBe(false);
    // Even past processed_events (pruned after its retention), the row's key keeps it single.
    await db()('processed_events').where({ event_id: event.id }).delete();
    await deliver(event);
    expect(Number((await db()('call_logs').where({ method: name }).count('* as n'))[0].n)).toBe(1);
  });

  it('refuses a record that breaks the wire contract (zod, platform/open-call-record.ts) and writes nothing', async () => {
    const name = method('malformed');
    const deliver = consumerEffect({ db: db(), group: 'open', ...recordOpenCalls() });
    const envelope = (payload: unknown) => ({
      id: crypto.randomUUID(), stream: OPEN_CALLS_STREAM, type: OPEN_CALL_RECORDED, aggregateId: name, payload, occurredAt: new Date().toISOString(),
    });
    const good: OpenCallPayload = { ...record({ method: name }), receivedAt: new Date().toISOString(), admitted: true };
    await expect(deliver(envelope({ ...good, receivedAt: 'yesterday' }))).rejects.toThrow(/malformed: receivedAt/);
    await expect(deliver(envelope({ ...good, responseTimeMs: '12' }))).rejects.toThrow(/malformed: responseTimeMs/);
    const { admitted: _admitted, ...withoutAdmitted } = good;
    await expect(deliver(envelope(withoutAdmitted))).rejects.toThrow(/malformed: admitted/);
    expect(Number((await db()('call_logs').where({ method: name }).count('* as n'))[0].n)).toBe(0);
    // The contract's own fields only: an extra one is dropped, the record kept.
    expect(await deliver(envelope({ ...good, extra: 'ignored' }))).toBe(true);
    expect(Number((await db()('call_logs').where({ method: name }).count('* as n'))[0].n)).toBe(1);
  });

  it('filters by app, method, errors and time to the second; pages newest first with one statement per page', async () => {
    const name = method('paging');
    const base = Date.parse('2026-12-01T10:00:00+08:00');
    const deliver = consumerEffect({ db: db(), group: 'open', ...recordOpenCalls() });
    for (let i = 0; i < 25; i += 1) {
      const at = new Date(base + i * 1000);
      const failed = i % 5 === 0;
      await deliver({
        id: crypto.randomUUID(), stream: OPEN_CALLS_STREAM, type: OPEN_CALL_RECORDED, aggregateId: name, occurredAt: at.toISOString(),
        payload: { ...record({ method: name, appKey: i % 2 ? 'ak_odd' : 'ak_even', errorCode: failed ? 'SERVICE_ERROR' : null, httpStatus: failed ? 502 : 200 }), receivedAt: at.toISOString(), admitted: true },
      });
    }
    // 10:00:05 (inclusive) to 10:00:15 (exclusive): calls 5..14.
    const window = { from: '2026-12-01T10:00:05+08:00', to: '2026-12-01T10:00:15+08:00', method: name };
    const counter = countStatements(db());
    const first = ok(await gql(url, SEARCH, { filter: window, first: 4 }, ADMIN())).openCallLogs;
    expect(counter.count).toBe(1);
    expect(first.edges.map((e: any) => e.node.receivedAt)).toEqual([14, 13, 12, 11].map((i) => new Date(base + i * 1000).toISOString()));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = ok(await gql(url, SEARCH, { filter: window, first: 10, after: first.pageInfo.endCursor }, ADMIN())).openCallLogs;
    expect(rest.edges.map((e: any) => e.node.receivedAt)).toEqual([10, 9, 8, 7, 6, 5].map((i) => new Date(base + i * 1000).toISOString()));
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const errors = ok(await gql(url, SEARCH, { filter: { ...window, errorsOnly: true } }, ADMIN())).openCallLogs.edges;
    expect(errors.map((e: any) => e.node.errorCode)).toEqual(['SERVICE_ERROR', 'SERVICE_ERROR']);
    const odd = ok(await gql(url, SEARCH, { filter: { ...window, appKey: 'ak_odd' } }, ADMIN())).openCallLogs.edges;
    expect(odd).toHaveLength(5);
  });

  it('treats LIKE wildcards in a keyword as text', async () => {
    const { recorder: rec } = recorder();
    const name = method('wildcard');
    rec.emit(record({ method: name, request: '{"discount":"100%_off"}' }));
    rec.emit(record({ method: name, request: '{"discount":"100 percent off"}' }));
    const search = () => gql(url, SEARCH, { filter: { ...lastHour(), method: name, keyword: '0%_' } }, ADMIN());
    await eventually(() => db()('call_logs').where({ method: name }).count('* as n'), (rows) => Number(rows[0].n) === 2);
    const edges = ok(await search()).openCallLogs.edges;
    expect(edges.map((e: any) => e.node.request)).toEqual(['{"discount":"100%_off"}']);
  });

  it('refuses bad searches with BAD_USER_INPUT and anyone without open:admin', async () => {
    const filter = lastHour();
    const bad = [
      { filter: { from: filter.to, to: filter.from } },
      { filter: { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' } },
      { filter: { from: 'yesterday', to: filter.to } },
      { filter: { ...filter, keyword: 'x'.repeat(101) } },
      { filter: { ...filter, keyword: '' } },
      { filter, first: 101 },
      { filter, after: 'bm90LWEtY3Vyc29y' },
    ];
    for (const variables of bad) expect(codes(await gql(url, SEARCH, variables, ADMIN()))).toEqual(['BAD_USER_INPUT']);
    const shopper = asIdentity({ userId: '2' }, 'open', shop.config);
    expect(codes(await gql(url, SEARCH, { filter }, shopper))).toEqual(['FORBIDDEN']);
  });
});

describe('statistics and ranking', () => {
  it('counts calls, errors, average, p95 and the slowest per method over a range', async () => {
    const name = method('stats');
    const deliver = consumerEffect({ db: db(), group: 'open', ...recordOpenCalls() });
    const at = new Date('2026-11-20T08:00:00Z');
    for (let i = 1; i <= 20; i += 1) {
      await deliver({
        id: crypto.randomUUID(), stream: OPEN_CALLS_STREAM, type: OPEN_CALL_RECORDED, aggregateId: name, occurredAt: at.toISOString(),
        payload: { ...record({ method: name, responseTimeMs: i * 10, errorCode: i > 18 ? 'SERVICE_ERROR' : null }), receivedAt: at.toISOString(), admitted: true },
      });
    }
    const STATS = `query ($from: String!, $to: String!, $method: String) { openCallStatistics(from: $from, to: $to, method: $method) { method calls errors averageMs p95Ms maxMs } }`;
    const stats = ok(await gql(url, STATS, { from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z', method: name }, ADMIN())).openCallStatistics;
    // 10..200 ms: average 105, p95 (interpolated) 190.5 → 191, max 200.
    expect(stats).toEqual([{ method: name, calls: 20, errors: 2, averageMs: 105, p95Ms: 191, maxMs: 200 }]);
  });

  const RANKING = `query ($limit: Int) { openTodayRanking(limit: $limit) { date entries { rank method calls } } }`;

  it('ranks today’s admitted calls (Redis; the call logs without it); refused calls and unknown methods are not ranked', async () => {
    const { recorder: rec } = recorder();
    const busy = method('busy');
    const quiet = method('quiet');
    for (let i = 0; i < 3; i += 1) rec.emit(record({ method: busy }));
    rec.emit(record({ method: quiet }));
    rec.emit(record({ method: quiet, errorCode: 'SERVICE_ERROR', httpStatus: 502 })); // ran, and failed: ranked
    rec.emit(record({ method: quiet, errorCode: 'MINUTE_LIMIT_EXCEEDED', httpStatus: 429 })); // refused: not ranked
    rec.emit(record({ method: 'no.such.method', errorCode: 'UNKNOWN_METHOD', httpStatus: 404 }));
    await rec.flush();
    // Without Redis the ranking is counted from the call logs: wait for the writer.
    if (!redisClient) await eventually(() => db()('call_logs').whereIn('method', [busy, quiet]).count('* as n'), (rows) => Number(rows[0].n) === 6);
    const ranking = ok(await gql(url, RANKING, { limit: 10 }, ADMIN())).openTodayRanking;
    expect(ranking.date).toBe(shanghaiDate(Date.now()));
    const mine = ranking.entries.filter((e: { method: string }) => e.method === busy || e.method === quiet);
    expect(mine.map((e: { method: string; calls: number }) => [e.method, e.calls])).toEqual([[busy, 3], [quiet, 2]]);
    expect(ranking.entries.some((e: { method: string }) => e.method === 'no.such.method')).toBe(false);
    expect(codes(await gql(url, RANKING, { limit: 0 }, ADMIN()))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('partitions', () => {
  it('keeps today and the next two days ready and drops days past the retention whole', async () => {
    const today = shanghaiDate(Date.now());
    // A record of a day far back creates its partition on the spot…
    const old = addDays(today, -40);
    const deliver = consumerEffect({ db: db(), group: 'open', ...recordOpenCalls() });
    const at = new Date(shanghaiDayStart(old).getTime() + 3600_000).toISOString();
    await deliver({ id: crypto.randomUUID(), stream: OPEN_CALLS_STREAM, type: OPEN_CALL_RECORDED, aggregateId: 'x', occurredAt: at, payload: { ...record(), receivedAt: at, admitted: true } });
    expect(await partitionDates(db())).toContain(old);
    // …and the maintenance drops it (30 days kept), leaving today and what is ahead.
    const { dropped } = await maintainCallLogPartitions(db(), 30);
    expect(dropped).toContain(old);
    const dates = await partitionDates(db());
    expect(dates).not.toContain(old);
    expect(dates).toEqual(expect.arrayContaining([today, addDays(today, 1), addDays(today, 2)]));
  });
});

describe('the slow-API monitor', () => {
  async function calls(name: string, responseTimeMs: number, count: number, at: number) {
    const deliver = consumerEffect({ db: db(), group: 'open', ...recordOpenCalls() });
    for (let i = 0; i < count; i += 1) {
      const iso = new Date(at + i).toISOString();
      await deliver({
        id: crypto.randomUUID(), stream: OPEN_CALLS_STREAM, type: OPEN_CALL_RECORDED, aggregateId: name, occurredAt: iso,
        payload: { ...record({ method: name, responseTimeMs }), receivedAt: iso, admitted: true },
      });
    }
  }

  it('alerts once per method and window above the threshold, never below it, and honours a per-API threshold', async () => {
    const now = Date.parse('2026-11-25T10:07:30Z');
    const slow = method('slow');
    const fine = method('fine');
    await calls(slow, 1500, 4, now - 120_000);
    await calls(fine, 900, 4, now - 120_000);
    // Refused calls are fast and would hide a slow API: they are not averaged.
    const deliver = consumerEffect({ db: db(), group: 'open', ...recordOpenCalls() });
    const refusedAt = new Date(now - 60_000).toISOString();
    await deliver({ id: crypto.randomUUID(), stream: OPEN_CALLS_STREAM, type: OPEN_CALL_RECORDED, aggregateId: slow, occurredAt: refusedAt,
      payload: { ...record({ method: slow, responseTimeMs: 1, errorCode: 'INVALID_SIGNATURE', httpStatus: 401 }), receivedAt: refusedAt, admitted: false } });

    // Two instances' monitors in the same minute: one alert.
    const [a, b] = await Promise.all([runMonitor(db(), shop.config, { now }), runMonitor(db(), shop.config, { now })]);
    const raised = [...a, ...b].filter((alert) => alert.method === slow || alert.method === fine);
    expect(raised.map((alert) => [alert.method, alert.average_ms, alert.calls, alert.threshold_ms])).toEqual([[slow, 1500, 4, 1000]]);
    expect(raised[0].window_end.toISOString()).toBe('2026-11-25T10:07:00.000Z');
    expect(raised[0].window_start.toISOString()).toBe('2026-11-25T10:02:00.000Z');
    // A minute later the window overlaps the one alerted: no second alert for the same slow spell.
    expect((await runMonitor(db(), shop.config, { now: now + 60_000 })).filter((alert) => alert.method === slow)).toEqual([]);
    // A stricter per-API threshold makes the 900 ms method slow too.
    await db()('open_apis').insert({ method: fine, document: 'query { __typename }', idempotent: true, alert_threshold_ms: 800 });
    const stricter = await runMonitor(db(), shop.config, { now: now + 60_000 });
    expect(stricter.map((alert) => [alert.method, alert.threshold_ms])).toEqual([[fine, 800]]);
  });

  it('mails and posts an alert once each through the job runner, retrying only the channel that failed', async () => {
    const now = Date.now();
    const name = method('notify');
    webhookFailures.set(name, 1);
    // Inside the window that ends on the last whole minute.
    await calls(name, 2500, 2, Math.floor(now / 60_000) * 60_000 - 90_000);
    // This instance's own periodic monitor may raise it first: either way there is one alert.
    const alert = (await runMonitor(db(), shop.config, { now })).find((a) => a.method === name) ?? (await db()('open_alerts').where({ method: name }).first());
    expect(alert.method).toBe(name);
    // Scheduled with the alert; the running instance's job runner sends it, and retries the webhook after its 503.
    const row = await eventually(() => db()('open_alerts').where({ id: alert.id }).first(), (r) => Boolean(r.emailed_at && r.webhook_at), 15_000);
    expect(row.emailed_at).not.toBeNull();
    expect(row.webhook_at).not.toBeNull();
    expect(webhookAttempts.filter((m) => m === name)).toHaveLength(2);
    const sent = mails.filter((mail) => mail.body.includes(name));
    expect(sent).toHaveLength(1);
    expect(sent[0].to).toBe('ops@shop.example');
    expect(sent[0].body).toContain('2500 ms average');
    expect(webhookBodies.filter((body) => body.method === name)).toEqual([
      expect.objectContaining({ kind: 'open.slowApi', method: name, averageMs: 2500, thresholdMs: 1000, calls: 2 }),
    ]);
    const ALERTS = `query ($method: String) { openAlerts(method: $method) { edges { node { method averageMs thresholdMs emailedAt webhookAt } } } }`;
    const listed = ok(await gql(url, ALERTS, { method: name }, ADMIN())).openAlerts.edges;
    expect(listed).toHaveLength(1);
    expect(listed[0].node).toMatchObject({ method: name, averageMs: 2500, thresholdMs: 1000 });
  });

  it('raises one alert across two running instances, each with its own job runner', async () => {
    // A second open instance on the same database and Redis: both runners have the monitor as a periodic job.
    const second: RunningSupergraph = await launch({
      config: { ...shop.config, openLogs: { ...shop.config.openLogs, monitorIntervalMs: 300 } },
      subgraphs: ['open'],
      router: false,
      ephemeralPorts: true,
      seedDemo: false,
      databases: shop.databases,
    });
    try {
      const name = method('twice');
      const mailsBefore = mails.filter((mail) => mail.body.includes(name)).length;
      await calls(name, 3000, 3, Math.floor(Date.now() / 60_000) * 60_000 - 90_000);
      // The first instance's monitor runs every minute by default; make it due now, and wait for the runners.
      await db()('jobs').where({ kind: 'open.monitor' }).update({ run_at: new Date() });
      const alerts = await eventually(() => db()('open_alerts').where({ method: name }), (rows) => rows.length > 0, 15_000);
      await eventually(async () => mails.filter((mail) => mail.body.includes(name)).length, (n) => n > mailsBefore, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // several more periods of the fast runner
      expect(await db()('open_alerts').where({ method: name })).toHaveLength(1);
      expect(alerts).toHaveLength(1);
      expect(mails.filter((mail) => mail.body.includes(name)).length - mailsBefore).toBe(1);
    } finally {
      await second.stop();
    }
  });
});

describe('highlight', () => {
  it('matches case-insensitively, keeps every character, and treats regex characters as text', () => {
    expect(highlight('Order ORDER order', 'order').filter((f) => f.match).map((f) => f.text)).toEqual(['Order', 'ORDER', 'order']);
    expect(highlight('a+b(a+b)', 'a+b').map((f) => f.text).join('')).toBe('a+b(a+b)');
    expect(highlight('no match here', 'xyz')).toEqual([{ text: 'no match here', match: false }]);
  });
});

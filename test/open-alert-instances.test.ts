/**
 * The open platform's slow-API monitor (docs/open-call-logs.md) as it is deployed: two instances of the open subgraph,
 * each its own process (`npm run start:subgraph -- open`) with its own job runner, on one PostgreSQL database and one
 * Redis. A slow spell raises exactly one alert and one mail although both runners have the monitor as a periodic
 * job; and once one instance is SIGKILLed, the other one goes on monitoring (a new slow method gets its alert).
 * Needs real PostgreSQL and Redis (the instances share them): skipped on the embedded database.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { consumerEffect } from '../platform/events';
import { OPEN_CALL_RECORDED, OPEN_CALLS_STREAM } from '../router/open/call-events';
import { recordOpenCalls } from '../subgraphs/open/call-logs/consumer';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';
import { run, type Run } from './support/processes';

jest.setTimeout(240_000);
const withServices = process.env.SHOP_TEST_ADMIN_URL && process.env.REDIS_URL ? describe : describe.skip;

const mails: string[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    let body = '';
    stream.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    stream.on('end', () => {
      mails.push(body);
      callback();
    });
  },
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `read` until `done` holds or `ms` passed; the last value either way. */
async function eventually<T>(read: () => Promise<T> | T, done: (value: T) => boolean, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

withServices('the slow-API monitor with two open instances as processes', () => {
  let shop: IsolatedSupergraph;
  const instances: Run[] = [];
  const db = () => shop.databases.dbs.open;
  const method = (name: string) => `test.${name}${crypto.randomBytes(3).toString('hex')}`;

  /** `count` admitted calls of `name` taking `ms` each, a minute ago: recorded as the call-log consumer records them. */
  async function slowCalls(name: string, ms: number, count: number) {
    const deliver = consumerEffect({ db: db(), group: 'open', ...recordOpenCalls() });
    for (let i = 0; i < count; i += 1) {
      const at = new Date(Date.now() - 60_000 + i).toISOString();
      await deliver({
        id: crypto.randomUUID(), stream: OPEN_CALLS_STREAM, type: OPEN_CALL_RECORDED, aggregateId: name, occurredAt: at,
        payload: {
          requestId: crypto.randomUUID(), appKey: 'ak_0123456789abcdef01234567', gateway: '127.0.0.1:4000/1', merchant: '10001',
          clientAddress: '203.0.113.9', method: name, responseTimeMs: ms, request: '{}', errorCode: null, httpStatus: 200,
          receivedAt: at, admitted: true,
        },
      });
    }
  }
  const mailsAbout = (name: string) => mails.filter((body) => body.includes(name)).length;
  const alertsOf = (name: string) => db()('open_alerts').where({ method: name });

  beforeAll(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    // A database of its own, migrated; no subgraph of it runs in this process.
    shop = await startIsolatedSupergraph({}, { subgraphs: [], router: false });
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    for (let i = 0; i < 2; i += 1) {
      const instance = run(['scripts/start-subgraph.ts', 'open'], {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: shop.config.databaseUrl,
        DB_SEPARATE_ROLES: 'false',
        EVENTS_NAMESPACE: shop.config.events.namespace,
        OPEN_PORT: String(await freePort()),
        METRICS_PORT: '0',
        OPEN_MONITOR_INTERVAL_MS: '500',
        OPEN_ALERT_THRESHOLD_MS: '1000',
        OPEN_ALERT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        OPEN_ALERT_EMAIL_TO: 'ops@shop.example',
      });
      instances.push(instance);
    }
    await Promise.all(instances.map((instance) => instance.waitFor(/Ready in/)));
  }, 240_000);

  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.exited));
    await shop?.stop();
    smtp.close();
  });

  it('raises one alert and one mail for a slow spell, then keeps monitoring after an instance is killed', async () => {
    const first = method('slow');
    await slowCalls(first, 3000, 3);
    const alerts = await eventually(() => alertsOf(first), (rows) => rows.length > 0, 60_000);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ method: first });
    await eventually(() => mailsAbout(first), (n) => n > 0, 60_000);
    // Many more periods of both runners: still one alert, one mail.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await alertsOf(first)).toHaveLength(1);
    expect(mailsAbout(first)).toBe(1);

    // One instance dies without a goodbye; the other runner claims the monitor (at worst once its lease ends).
    instances[0].child.kill('SIGKILL');
    await instances[0].exited;
    const second = method('after');
    await slowCalls(second, 2500, 3);
    expect(await eventually(() => alertsOf(second), (rows) => rows.length > 0, 120_000)).toHaveLength(1);
    await eventually(() => mailsAbout(second), (n) => n > 0, 60_000);
    expect(mailsAbout(second)).toBe(1);
  });
});

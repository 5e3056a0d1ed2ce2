/** Durable delayed jobs: idempotent scheduling, once with racing instances, lease takeover, restart, retry, cancel. */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { cancelJob, claimDueJobs, scheduleJob, startJobRunner, type JobHandler } from '../../platform/events/jobs';
import { createEventsTestDb, waitFor, type EventsTestDb } from '../support/events-db';

let env: EventsTestDb;
beforeAll(async () => {
  env = await createEventsTestDb('events_jobs');
});
afterAll(async () => {
  await env.drop();
});

const jobs = () => env.db(`${env.schema}.jobs`);
const effectsOf = async (consumer: string) =>
  env.db(`${env.schema}.effects`).where({ consumer }).orderBy('seq');

/** A handler whose effect (one row in `effects`, inside the job's transaction) shows how often it ran. */
const recording = (kind: string, runner: string): JobHandler => async (job, trx) => {
  await trx(`${env.schema}.effects`).insert({ consumer: kind, event_id: crypto.randomUUID(), stream: runner, n: Number(job.key) });
};

const pending = async (kind: string) =>
  Number((await jobs().where({ kind }).whereNull('done_at').whereNull('cancelled_at').count<{ c: string }[]>('* as c'))[0].c);

describe('jobs', () => {
  it('schedules idempotently per (kind, key); replace moves a pending job', async () => {
    const runAt = new Date(Date.now() + 3600_000);
    const opts = { schema: env.schema };
    expect(await scheduleJob(env.db, { kind: 'idem', key: 1, runAt, payload: { a: 1 } }, opts)).toBe(true);
    expect(await scheduleJob(env.db, { kind: 'idem', key: 1, runAt: new Date(), payload: { a: 2 } }, opts)).toBe(false);
    let rows = await jobs().where({ kind: 'idem' });
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toEqual({ a: 1 });
    expect(new Date(rows[0].run_at).getTime()).toBe(runAt.getTime());
    const later = new Date(runAt.getTime() + 60_000);
    expect(await scheduleJob(env.db, { kind: 'idem', key: 1, runAt: later, payload: { a: 3 }, onConflict: 'replace' }, opts)).toBe(true);
    rows = await jobs().where({ kind: 'idem' });
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toEqual({ a: 3 });
    expect(new Date(rows[0].run_at).getTime()).toBe(later.getTime());
  });

  it('runs each due job once with two instances racing, and leaves future and cancelled jobs alone', async () => {
    const kind = 'race';
    const now = new Date(Date.now() - 1000);
    await env.db.transaction(async (trx) => {
      for (let key = 0; key < 40; key++) await scheduleJob(trx, { kind, key, runAt: now }, { schema: env.schema });
      await scheduleJob(trx, { kind, key: 1000, runAt: new Date(Date.now() + 3600_000) }, { schema: env.schema });
      await scheduleJob(trx, { kind, key: 1001, runAt: now }, { schema: env.schema });
      expect(await cancelJob(trx, kind, 1001, { schema: env.schema })).toBe(true);
    });
    // Two pools: two "instances" of the subgraph.
    const pools: Knex[] = [env.openPool(), env.openPool()];
    const runners = pools.map((db, i) =>
      startJobRunner({ db, schema: env.schema, handlers: { [kind]: recording(kind, `r${i}`) }, pollIntervalMs: 10, batchSize: 5 }),
    );
    await waitFor(async () => (await pending(kind)) === 1);
    await Promise.all(runners.map((r) => r.stop()));

    const effects = await effectsOf(kind);
    expect(effects.map((e) => e.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const future = await jobs().where({ kind, key: '1000' }).first();
    expect(future.done_at).toBeNull();
    const cancelled = await jobs().where({ kind, key: '1001' }).first();
    expect(cancelled).toMatchObject({ done_at: null, attempts: 0 });
    expect(cancelled.cancelled_at).not.toBeNull();
    console.log(`jobs race: runner shares ${['r0', 'r1'].map((r) => effects.filter((e) => e.stream === r).length).join('/')}`);
  });

  it('a job whose runner died after claiming it is run by another instance once the lease expires', async () => {
    const kind = 'takeover';
    await scheduleJob(env.db, { kind, key: 7, runAt: new Date(Date.now() - 1000) }, { schema: env.schema });
    // What a runner leaves behind when it dies right after claiming.
    const claimed = await claimDueJobs(env.db, [kind], 300, 10, { schema: env.schema });
    expect(claimed).toHaveLength(1);
    const runner = startJobRunner({
      db: env.openPool(),
      schema: env.schema,
      handlers: { [kind]: recording(kind, 'survivor') },
      pollIntervalMs: 20,
    });
    await waitFor(async () => (await pending(kind)) === 0);
    await runner.stop();
    expect((await effectsOf(kind)).map((e) => [e.n, e.stream])).toEqual([[7, 'survivor']]);
    expect((await jobs().where({ kind }).first()).attempts).toBe(2);
  });

  it('survives a restart: a job scheduled before runs after a new runner starts on the same table', async () => {
    const kind = 'restart';
    const first = startJobRunner({ db: env.openPool(), schema: env.schema, handlers: { [kind]: recording(kind, 'first') }, pollIntervalMs: 20 });
    await scheduleJob(env.db, { kind, key: 3, runAt: new Date(Date.now() + 400) }, { schema: env.schema });
    await first.stop(); // "the process stops" before the job is due
    expect(await pending(kind)).toBe(1);
    const second = startJobRunner({ db: env.openPool(), schema: env.schema, handlers: { [kind]: recording(kind, 'second') }, pollIntervalMs: 20 });
    await waitFor(async () => (await pending(kind)) === 0);
    await second.stop();
    expect((await effectsOf(kind)).map((e) => [e.n, e.stream])).toEqual([[3, 'second']]);
  });

  it('a failing job backs off, records the error, and its rolled back attempt leaves no effect', async () => {
    const kind = 'flaky';
    await scheduleJob(env.db, { kind, key: 9, runAt: new Date(Date.now() - 1000) }, { schema: env.schema });
    const attemptsSeen: number[] = [];
    const runner = startJobRunner({
      db: env.openPool(),
      schema: env.schema,
      pollIntervalMs: 20,
      retryBaseMs: 50,
      handlers: {
        [kind]: async (job, trx) => {
          attemptsSeen.push(job.attempts);
          await recording(kind, 'flaky')(job, trx);
          if (job.attempts === 1) throw new Error('provider timeout');
        },
      },
    });
    await waitFor(async () => (await pending(kind)) === 0);
    await runner.stop();
    expect(attemptsSeen).toEqual([1, 2]);
    expect(await effectsOf(kind)).toHaveLength(1);
    const row = await jobs().where({ kind }).first();
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBe('provider timeout'); // kept after success: the job's history
  });
});

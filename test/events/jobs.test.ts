/**
 * The one durable job runner: idempotent scheduling, once with racing instances, lease takeover, restart; handlers
 * outside any transaction with fenced effects (a stale run commits nothing and cannot mark done); bounded concurrency
 * with a hung callee; backoff; dead letters (once, logged once, counted) and requeue; periodic jobs once per
 * interval across instances; runNow.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import {
  backoffMs,
  cancelJob,
  claimDueJobs,
  JobClaimLost,
  scheduleJob,
  startJobRunner,
  type JobHandler,
  type JobRunner,
  type JobRunnerOptions,
} from '../../platform/events/jobs';
import { listDeadJobs, requeueDeadJob } from '../../platform/events/dead-letters';
import { createEventsTestDb, waitFor, type EventsTestDb } from '../support/events-db';
import { captureLogs } from '../support/log-capture';

let env: EventsTestDb;
const runners: JobRunner[] = [];
beforeAll(async () => {
  env = await createEventsTestDb('events_jobs');
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  jest.restoreAllMocks();
});
afterAll(async () => {
  await env.drop();
});

const opts = () => ({ schema: env.schema });
const jobs = () => env.db(`${env.schema}.jobs`);
const effectsOf = async (consumer: string) => env.db(`${env.schema}.effects`).where({ consumer }).orderBy('seq');
const start = (options: Omit<JobRunnerOptions, 'db' | 'schema'> & { db?: Knex }) => {
  const runner = startJobRunner({ db: env.openPool(), schema: env.schema, pollIntervalMs: 20, ...options });
  runners.push(runner);
  return runner;
};
const due = () => new Date(Date.now() - 1000);

/** A handler whose effect (one row in `effects`, committed fenced with "done") shows how often it ran. */
const recording = (kind: string, runner: string): JobHandler => async (job, ctx) => {
  await ctx.fenced(async (trx) => {
    await trx(`${env.schema}.effects`).insert({ consumer: kind, event_id: crypto.randomUUID(), stream: runner, n: Number(job.key) });
  }, { complete: true });
};

const pending = async (kind: string) =>
  Number((await jobs().where({ kind }).whereNull('done_at').whereNull('cancelled_at').whereNull('dead_at').count<{ c: string }[]>('* as c'))[0].c);

/** A promise and the function that resolves it. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('jobs', () => {
  it('schedules idempotently per (kind, key); replace moves a pending job', async () => {
    const runAt = new Date(Date.now() + 3600_000);
    expect(await scheduleJob(env.db, { kind: 'idem', key: 1, runAt, payload: { a: 1 } }, opts())).toBe(true);
    expect(await scheduleJob(env.db, { kind: 'idem', key: 1, runAt: new Date(), payload: { a: 2 } }, opts())).toBe(false);
    let rows = await jobs().where({ kind: 'idem' });
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toEqual({ a: 1 });
    expect(new Date(rows[0].run_at).getTime()).toBe(runAt.getTime());
    const later = new Date(runAt.getTime() + 60_000);
    expect(await scheduleJob(env.db, { kind: 'idem', key: 1, runAt: later, payload: { a: 3 }, onConflict: 'replace' }, opts())).toBe(true);
    rows = await jobs().where({ kind: 'idem' });
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toEqual({ a: 3 });
    expect(new Date(rows[0].run_at).getTime()).toBe(later.getTime());
  });

  it('runs each due job once with two instances racing, and leaves future and cancelled jobs alone', async () => {
    const kind = 'race';
    await env.db.transaction(async (trx) => {
      for (let key = 0; key < 40; key++) await scheduleJob(trx, { kind, key, runAt: due() }, opts());
      await scheduleJob(trx, { kind, key: 1000, runAt: new Date(Date.now() + 3600_000) }, opts());
      await scheduleJob(trx, { kind, key: 1001, runAt: due() }, opts());
      expect(await cancelJob(trx, kind, 1001, opts())).toBe(true);
    });
    const pair = ['r0', 'r1'].map((r) => start({ handlers: { [kind]: recording(kind, r) }, pollIntervalMs: 10, concurrency: 3 }));
    await waitFor(async () => (await pending(kind)) === 1);
    await Promise.all(pair.map((r) => r.stop()));

    const effects = await effectsOf(kind);
    expect(effects.map((e) => e.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect((await jobs().where({ kind, key: '1000' }).first()).done_at).toBeNull();
    const cancelled = await jobs().where({ kind, key: '1001' }).first();
    expect(cancelled).toMatchObject({ done_at: null, attempts: 0 });
    expect(cancelled.cancelled_at).not.toBeNull();
    expect(pair[0].stats().done + pair[1].stats().done).toBe(40);
    console.log(`jobs race: runner shares ${['r0', 'r1'].map((r) => effects.filter((e) => e.stream === r).length).join('/')}`);
  });

  it('a job whose runner died after claiming it is run by another instance once the lease expires', async () => {
    const kind = 'takeover';
    await scheduleJob(env.db, { kind, key: 7, runAt: due() }, opts());
    // What a runner leaves behind when it dies right after claiming.
    expect(await claimDueJobs(env.db, [kind], 300, 10, opts())).toHaveLength(1);
    start({ handlers: { [kind]: recording(kind, 'survivor') } });
    await waitFor(async () => (await pending(kind)) === 0);
    expect((await effectsOf(kind)).map((e) => [e.n, e.stream])).toEqual([[7, 'survivor']]);
    expect((await jobs().where({ kind }).first()).attempts).toBe(2);
  });

  it('survives a restart: a job scheduled before runs after a new runner starts on the same table', async () => {
    const kind = 'restart';
    const first = start({ handlers: { [kind]: recording(kind, 'first') } });
    await scheduleJob(env.db, { kind, key: 3, runAt: new Date(Date.now() + 3600_000) }, opts());
    await first.stop(); // "the process stops" before the job is due…
    expect(await pending(kind)).toBe(1);
    await jobs().where({ kind }).update({ run_at: env.db.fn.now() }); // …and it falls due while nothing runs
    start({ handlers: { [kind]: recording(kind, 'second') } });
    await waitFor(async () => (await pending(kind)) === 0);
    expect((await effectsOf(kind)).map((e) => [e.n, e.stream])).toEqual([[3, 'second']]);
  });

  it('runs the handler outside any transaction: the job row is not locked and no connection is held while it waits', async () => {
    const kind = 'outside';
    await scheduleJob(env.db, { kind, key: 1, runAt: due() }, opts());
    const hold = gate();
    const entered = gate();
    let inTransaction: boolean | undefined;
    // A pool of ONE connection: were the handler inside a transaction, the probe below could not run on it.
    const db = env.openPool();
    const single = env.openPool(1);
    start({
      db: single,
      handlers: {
        [kind]: async (_job, ctx) => {
          inTransaction = (ctx.db as Knex & { isTransaction?: boolean }).isTransaction === true;
          entered.open();
          await hold.promise;
        },
      },
    });
    await entered.promise;
    expect(inTransaction).toBe(false);
    // Another session can lock the job row at once (NOWAIT): the runner holds no row lock across the handler.
    await db.transaction(async (trx) => {
      const row = await trx.raw(`SELECT id FROM ?? WHERE kind = ? FOR UPDATE NOWAIT`, [`${env.schema}.jobs`, kind]);
      expect(row.rows).toHaveLength(1);
    });
    // The runner's only connection is free: a query on its pool answers while the handler still waits.
    expect((await single.raw('select 1 as one')).rows[0].one).toBe(1);
    hold.open();
    await waitFor(async () => (await pending(kind)) === 0);
  });

  it('fencing: a run whose lease expired and was taken over commits nothing and cannot mark the job done', async () => {
    const kind = 'fenced';
    await scheduleJob(env.db, { kind, key: 11, runAt: due() }, opts());
    const staleHold = gate();
    const staleEntered = gate();
    let staleError: unknown;
    const stale = start({
      handlers: {
        [kind]: async (job, ctx) => {
          staleEntered.open();
          await staleHold.promise; // "paused" (GC, SIGSTOP, a slow call) past its lease
          try {
            await ctx.fenced(async (trx) => {
              await trx(`${env.schema}.effects`).insert({ consumer: kind, event_id: crypto.randomUUID(), stream: 'stale', n: Number(job.key) });
            }, { complete: true });
          } catch (error) {
            staleError = error;
            throw error;
          }
        },
      },
    });
    await staleEntered.promise;
    // Its lease runs out (as if paused past it) and another instance takes the job over and finishes it.
    await jobs().where({ kind }).update({ locked_until: env.db.raw("now() - interval '1 second'") });
    const fresh = start({ handlers: { [kind]: recording(kind, 'fresh') } });
    await waitFor(async () => (await pending(kind)) === 0);
    staleHold.open();
    await waitFor(() => stale.stats().claimsLost === 1);
    expect(staleError).toBeInstanceOf(JobClaimLost);
    expect((await effectsOf(kind)).map((e) => e.stream)).toEqual(['fresh']);
    const row = await jobs().where({ kind }).first();
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBeNull(); // the lost claim is not a failure of the job
    expect(fresh.stats().done).toBe(1);
    expect(stale.stats()).toMatchObject({ done: 0, retried: 0, claimsLost: 1 });

    // A stale run that merely returns cannot mark done a job another run holds (and has not finished).
    const kind2 = 'fenced-done';
    await scheduleJob(env.db, { kind: kind2, key: 12, runAt: due() }, opts());
    const holds = [gate(), gate()];
    const entered = [gate(), gate()];
    let runs = 0;
    const handler: JobHandler = async () => {
      const mine = runs++;
      entered[mine].open();
      await holds[mine].promise;
    };
    const a = start({ handlers: { [kind2]: handler } });
    await entered[0].promise;
    await jobs().where({ kind: kind2 }).update({ locked_until: env.db.raw("now() - interval '1 second'") });
    const b = start({ handlers: { [kind2]: handler } });
    await entered[1].promise;
    holds[0].open(); // the stale run returns first
    await waitFor(() => a.stats().claimsLost === 1);
    expect((await jobs().where({ kind: kind2 }).first()).done_at).toBeNull();
    holds[1].open();
    await waitFor(() => b.stats().done === 1);
    expect((await jobs().where({ kind: kind2 }).first()).done_at).not.toBeNull();
  });

  it('runs jobs concurrently: a handler hung on a slow HTTP callee does not stall the other jobs of the instance', async () => {
    const sockets = new Set<import('node:net').Socket>();
    // A callee that never answers (until the test ends).
    const slow = http.createServer(() => undefined);
    slow.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
    const hung = new AbortController();
    try {
      await scheduleJob(env.db, { kind: 'hang', key: 1, runAt: due() }, opts());
      const runner = start({
        // One connection for the whole runner: a hung handler must hold none.
        db: env.openPool(1),
        concurrency: 2,
        handlers: {
          hang: async () => {
            await fetch(url, { signal: hung.signal });
          },
          quick: recording('quick', 'r'),
        },
      });
      await waitFor(() => runner.stats().running === 1);
      const started = Date.now();
      for (let key = 0; key < 5; key++) await scheduleJob(env.db, { kind: 'quick', key, runAt: new Date() }, opts());
      runner.kick();
      await waitFor(async () => (await pending('quick')) === 0);
      console.log(`jobs: 5 quick jobs done in ${Date.now() - started} ms beside a hung one`);
      expect(await effectsOf('quick')).toHaveLength(5);
      expect(runner.stats().running).toBe(1); // the hung one, still waiting on its callee
      expect(await pending('hang')).toBe(1);
    } finally {
      hung.abort();
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it('backs off exponentially (capped at 5 minutes) and records the error; a failed attempt commits nothing', async () => {
    expect(backoffMs(1, 1000, undefined, () => 0.5)).toBe(1000);
    expect(backoffMs(4, 1000, undefined, () => 0.5)).toBe(8000);
    expect(backoffMs(300, 1000, undefined, () => 0.5)).toBe(300_000);
    expect(backoffMs(300, 1000, undefined, () => 1)).toBe(330_000);
    expect(backoffMs(3, 1000, undefined, () => 0)).toBe(3600);

    const kind = 'flaky';
    await scheduleJob(env.db, { kind, key: 9, runAt: due() }, opts());
    const seen: { attempts: number; at: number }[] = [];
    start({
      pollIntervalMs: 5,
      retryBaseMs: 100,
      handlers: {
        [kind]: async (job, ctx) => {
          seen.push({ attempts: job.attempts, at: Date.now() });
          await ctx.fenced(async (trx) => {
            await trx(`${env.schema}.effects`).insert({ consumer: kind, event_id: crypto.randomUUID(), stream: 'flaky', n: job.attempts });
            if (job.attempts < 4) throw new Error('provider timeout'); // rolls the effect back
          }, { complete: true });
        },
      },
    });
    await waitFor(async () => (await pending(kind)) === 0);
    expect(seen.map((s) => s.attempts)).toEqual([1, 2, 3, 4]);
    const gaps = seen.slice(1).map((s, i) => s.at - seen[i].at);
    console.log(`jobs backoff gaps (base 100 ms): ${gaps.join(', ')} ms`);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(0.9 * 100 * 2 ** i - 5));
    expect((await effectsOf(kind)).map((e) => e.n)).toEqual([4]);
    const row = await jobs().where({ kind }).first();
    expect(row.attempts).toBe(4);
    expect(row.last_error).toBe('provider timeout'); // kept after success: the job's history
  });

  it('dead-letters a job after JOB_MAX_ATTEMPTS failures: never claimed again, logged once, counted; then requeued', async () => {
    const kind = 'poison';
    await scheduleJob(env.db, { kind, key: 13, runAt: due(), payload: { why: 'test' } }, opts());
    // The process log's error lines (platform/log.ts), read back; the retries' warnings are not kept.
    const logs = captureLogs('error');
    let fixed = false;
    const handler: JobHandler = async (job, ctx) => {
      if (!fixed) throw new Error(`callee down (attempt ${job.attempts})`);
      await recording(kind, 'after-requeue')(job, ctx);
    };
    // Two instances race for it.
    const pair = [0, 1].map(() => start({ pollIntervalMs: 5, retryBaseMs: 10, maxAttempts: 3, handlers: { [kind]: handler } }));
    await waitFor(async () => (await jobs().where({ kind }).first()).dead_at !== null);
    // Give both runners many polls: a dead job is never claimed again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const row = await jobs().where({ kind }).first();
    expect(row).toMatchObject({ attempts: 3, done_at: null, locked_until: null, last_error: 'callee down (attempt 3)' });
    const deadLines = logs.lines().map((line) => String(line.msg)).filter((line) => line.includes(`${kind}/13`) && line.includes('DEAD-LETTERED'));
    expect(deadLines).toHaveLength(1);
    expect(pair[0].stats().deadLettered + pair[1].stats().deadLettered).toBe(1);

    const dead = await listDeadJobs(env.db, opts());
    expect(dead.filter((d) => d.kind === kind)).toEqual([
      expect.objectContaining({ id: String(row.id), key: '13', attempts: 3, lastError: 'callee down (attempt 3)', payload: { why: 'test' } }),
    ]);
    // An operator fixes the cause and requeues it.
    fixed = true;
    expect(await requeueDeadJob(env.db, String(row.id), opts())).toBe(true);
    expect(await requeueDeadJob(env.db, String(row.id), opts())).toBe(false);
    await waitFor(async () => (await pending(kind)) === 0);
    expect((await effectsOf(kind)).map((e) => e.stream)).toEqual(['after-requeue']);
    expect((await jobs().where({ kind }).first()).attempts).toBe(1);
  });

  it('dead-letters a job whose runs never finish (the process dies each time) without running it again', async () => {
    const kind = 'crasher';
    await scheduleJob(env.db, { kind, key: 14, runAt: due() }, opts());
    // Three claims whose runners "died": leases left to expire.
    for (let i = 0; i < 3; i++) {
      expect(await claimDueJobs(env.db, [kind], 1, 1, opts())).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    let ran = 0;
    const runner = start({ maxAttempts: 3, handlers: { [kind]: async () => void (ran += 1) } });
    await waitFor(async () => (await jobs().where({ kind }).first()).dead_at !== null);
    expect(ran).toBe(0);
    expect(runner.stats().deadLettered).toBe(1);
    expect((await jobs().where({ kind }).first()).last_error).toMatch(/claimed 4 times without finishing/);
  });

  it('a periodic job runs once per interval across two instances', async () => {
    const kind = 'sweep';
    const runs: { at: number; by: string }[] = [];
    const periodic = (by: string) => [{ kind, intervalMs: 250, handler: async () => void runs.push({ at: Date.now(), by }) }];
    const startedAt = Date.now();
    const pair = ['a', 'b'].map((by) => start({ handlers: {}, periodic: periodic(by), pollIntervalMs: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 1400));
    await Promise.all(pair.map((r) => r.stop()));
    const elapsed = Date.now() - startedAt;
    const gaps = runs.slice(1).map((r, i) => r.at - runs[i].at);
    console.log(`periodic: ${runs.length} runs in ${elapsed} ms (by ${runs.map((r) => r.by).join('')}), gaps ${gaps.join(', ')}`);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.length).toBeLessThanOrEqual(Math.floor(elapsed / 250) + 1);
    gaps.forEach((gap) => expect(gap).toBeGreaterThanOrEqual(240));
    const rows = await jobs().where({ kind });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key: 'periodic', done_at: null, dead_at: null });
  });

  it('runNow runs a pending job at once whatever its run_at, and does nothing to a job another run holds or one done', async () => {
    const kind = 'urgent';
    await scheduleJob(env.db, { kind, key: 21, runAt: new Date(Date.now() + 3600_000) }, opts());
    const runner = start({ pollIntervalMs: 60_000, handlers: { [kind]: recording(kind, 'now') } });
    await runner.runNow(kind, 21);
    expect((await effectsOf(kind)).map((e) => e.n)).toEqual([21]);
    await runner.runNow(kind, 21); // done: nothing
    expect(await effectsOf(kind)).toHaveLength(1);

    await scheduleJob(env.db, { kind, key: 22, runAt: new Date(Date.now() + 3600_000) }, opts());
    await jobs().where({ kind, key: '22' }).update({ locked_until: env.db.raw("now() + interval '1 minute'"), lock_token: crypto.randomUUID() });
    await runner.runNow(kind, 22); // held by another run: left to it
    expect(await effectsOf(kind)).toHaveLength(1);

    // A failure is recorded for a retry, not thrown at the caller.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const failing = start({ pollIntervalMs: 60_000, handlers: { boom: async () => Promise.reject(new Error('down')) } });
    await scheduleJob(env.db, { kind: 'boom', key: 1, runAt: new Date(Date.now() + 3600_000) }, opts());
    await expect(failing.runNow('boom', 1)).resolves.toBeUndefined();
    expect(await jobs().where({ kind: 'boom' }).first()).toMatchObject({ attempts: 1, last_error: 'down', done_at: null });
  });
});

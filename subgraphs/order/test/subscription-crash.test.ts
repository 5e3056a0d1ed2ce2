/**
 * Fault: the subscription scheduler dies while it creates a paid subscription's packages (docs/subscriptions-purchase.md).
 * The order subgraph runs as a separate process (`node --import tsx scripts/start-subgraph.ts order`) with the
 * test-only ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES, which makes it exit (86) right after creating that many packages
 * in the `order.subscriptionPackages` job: a real process dying mid-run, its job claim left behind. Twice. Then a normal
 * order instance takes the job over once the claim's lease has run out, and there are exactly N packages — periods
 * 1…N once each, their amounts adding up to the total: none created twice, none skipped. Also: runners racing on the
 * same order (the unique (order_id, period_no)) create each period once, and the rounding rule of the shares.
 *
 * The order database and events namespace are this file's own (created and dropped here): in the run's shared
 * database another test file's order instance would claim the packages job first (see test/support/isolated-supergraph.ts).
 * Needs real PostgreSQL (DATABASE_URL); skipped on the embedded PGlite.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import knexFactory, { type Knex } from "knex";
import { openDatabases, type OpenDatabases } from "../../../app/databases";
import { launch } from "../../../app/launcher";
import { scheduleJob } from "../../../platform/events";
import { testConfig } from "../../../test/support/harness";
import { periodAmount } from "../data/subscriptions";
import {
  createPackages,
  JOB_SUBSCRIPTION_PACKAGES,
} from "../subscription-jobs";
import { eventually } from "./checkout-fixtures";

const root = path.resolve(__dirname, "..", "..", "..");
const PERIODS = 12;
const TOTAL = 100_007;
const adminUrl = process.env.SHOP_TEST_ADMIN_URL;
const withPostgres = adminUrl ? describe : describe.skip;
const database = `shop_subcrash_${Date.now().toString(36)}_${crypto.randomBytes(3).toString("hex")}`;
/** This file's own database and namespace, for this process, the crashing children and the recovering instance. */
const privateEnv: Record<string, string> = {
  DATABASE_URL: adminUrl
    ? Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString()
    : "",
  DB_SEPARATE_ROLES: "false",
  EVENTS_NAMESPACE: `shop-subcrash-${crypto.randomBytes(6).toString("hex")}`,
};
let databases: OpenDatabases;
let db: Knex;
const children: ReturnType<typeof spawn>[] = [];

beforeAll(async () => {
  if (!adminUrl) return;
  const admin = knexFactory({
    client: "pg",
    connection: adminUrl,
    pool: { min: 0, max: 1 },
  });
  await admin.raw("CREATE DATABASE ??", [database]);
  await admin.destroy();
  databases = await openDatabases(testConfig(privateEnv), ["order"], {
    separateRoles: false,
  });
  db = databases.dbs.order;
});
afterAll(async () => {
  children.forEach((child) => child.kill("SIGKILL"));
  await databases?.close();
  if (!adminUrl) return;
  const admin = knexFactory({
    client: "pg",
    connection: adminUrl,
    pool: { min: 0, max: 1 },
  });
  await admin.raw("DROP DATABASE IF EXISTS ?? WITH (FORCE)", [database]);
  await admin.destroy();
});

/** A PAID subscription order as payment leaves it (packages not created yet); its first package far ahead, so nothing is due. */
async function paidSubscription(
  userId: string,
  withJob: boolean,
): Promise<string> {
  return db.transaction(async (trx) => {
    const [order] = await trx("orders")
      .insert({
        order_no: `SF${Date.now()}${Math.floor(Math.random() * 1e6)}`,
        user_id: userId,
        kind: "SUBSCRIPTION",
        status: "PAID",
        subtotal: TOTAL,
        total: TOTAL,
        payment_id: `p${Date.now()}`,
        paid_at: new Date(),
      })
      .returning("id");
    const id = String(order.id);
    await trx("subscriptions").insert({
      order_id: id,
      user_id: userId,
      wares_id: 1,
      product_id: 1,
      sku_id: 1,
      title: "每周一箱",
      cycle: "WEEKLY",
      periods: PERIODS,
      quantity_per_period: 1,
      start_date: "2099-01-05",
    });
    if (withJob)
      await scheduleJob(trx, {
        kind: JOB_SUBSCRIPTION_PACKAGES,
        key: id,
        runAt: new Date(),
        payload: { orderId: id },
      });
    return id;
  });
}

const packagesOf = (orderId: string) =>
  db("subscription_packages")
    .where({ order_id: orderId })
    .orderBy("period_no")
    .select("period_no", "amount");
const jobOf = (orderId: string) =>
  db("jobs").where({ kind: JOB_SUBSCRIPTION_PACKAGES, key: orderId }).first();

/** An order process that exits after creating `count` packages; resolves with its exit code. */
function crashingOrderProcess(count: number): {
  exited: Promise<number | null>;
  output: () => string;
} {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/start-subgraph.ts", "order"],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      // A short claim lease: the next runner may take the job over 1.5 s after the crash.
      env: {
        ...process.env,
        ...privateEnv,
        NODE_ENV: "test",
        ORDER_PORT: "0",
        ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES: String(count),
        EVENTS_JOB_LEASE_MS: "1500",
        EVENTS_JOB_POLL_INTERVAL_MS: "100",
      },
    },
  );
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return {
    exited: new Promise((resolve) => child.on("close", resolve)),
    output: () => output,
  };
}

withPostgres("the scheduler killed mid-run", () => {
  it("the scheduler killed twice mid-run: a normal instance completes the job, exactly N packages, none twice, none skipped", async () => {
    const orderId = await paidSubscription("880001", true);

    const first = crashingOrderProcess(5);
    expect(await first.exited).toBe(86);
    expect(first.output()).toContain(
      "ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES=5",
    );
    expect((await packagesOf(orderId)).map((p) => p.period_no)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect((await jobOf(orderId)).done_at).toBeNull();

    // The second runner waits for the dead one's lease, reruns the job, skips 1-5 and dies after three more.
    const second = crashingOrderProcess(3);
    expect(await second.exited).toBe(86);
    expect((await packagesOf(orderId)).map((p) => p.period_no)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);

    const config = testConfig({
      ...privateEnv,
      EVENTS_JOB_POLL_INTERVAL_MS: "100",
    });
    const recovering = await launch({
      config,
      subgraphs: ["order"],
      router: false,
      ephemeralPorts: true,
      seedDemo: false,
      databases,
    });
    try {
      const packages = await eventually(
        () => packagesOf(orderId),
        (rows) => rows.length >= PERIODS,
        30_000,
      );
      expect(packages.map((p) => p.period_no)).toEqual(
        Array.from({ length: PERIODS }, (_, i) => i + 1),
      );
      expect(packages.reduce((sum, p) => sum + p.amount, 0)).toBe(TOTAL);
      const job = await eventually(
        () => jobOf(orderId),
        (row) => row.done_at !== null,
        30_000,
      );
      expect(job.done_at).not.toBeNull();
      // Stays exactly N afterwards.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await packagesOf(orderId)).toHaveLength(PERIODS);
    } finally {
      await recovering.stop();
    }
  }, 120_000);

  it("runners racing on the same subscription create each period once", async () => {
    const orderId = await paidSubscription("880002", false);
    const order = { id: orderId, total: TOTAL };
    const created = await Promise.all(
      Array.from({ length: 6 }, () => createPackages(db, order)),
    );
    expect(created.reduce((sum, n) => sum + n, 0)).toBe(PERIODS);
    expect((await packagesOf(orderId)).map((p) => p.period_no)).toEqual(
      Array.from({ length: PERIODS }, (_, i) => i + 1),
    );
  });
});

it("shares: total / periods rounded down, the last period absorbs the remainder, the shares add up to the total", () => {
  expect([1, 2, 3, 4].map((n) => periodAmount(10001, 4, n))).toEqual([
    2500, 2500, 2500, 2501,
  ]);
  expect([1, 2, 3].map((n) => periodAmount(100, 3, n))).toEqual([33, 33, 34]);
  expect(periodAmount(5, 1, 1)).toBe(5);
  for (const [total, periods] of [
    [100_007, 12],
    [52, 52],
    [99_999_999, 52],
    [7, 3],
  ]) {
    const shares = Array.from({ length: periods }, (_, i) =>
      periodAmount(total, periods, i + 1),
    );
    expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
    expect(Math.min(...shares)).toBeGreaterThan(0);
  }
});

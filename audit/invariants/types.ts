/** The shapes every invariant check shares: what it reads, what it reports. */
import type { Knex } from 'knex';

/** The subgraph databases the checks read (each a knex whose search_path is that subgraph's schema). */
export type AuditDatabases = Record<'product' | 'promote' | 'order' | 'payment' | 'review' | 'user', Knex>;

export interface CheckContext {
  dbs: AuditDatabases;
  /** The moment the audit started; with `graceMs`, what counts as settled. */
  now: Date;
  /**
   * How long a state may be in flight before it counts as a violation: a release or commit job that has not run
   * yet, a refund being paid back. Checks that can never be transient (ledgers) ignore it.
   */
  graceMs: number;
  /** Rows read per statement where a table grows with the shop's history (orders, payments, used coupons). */
  pageSize: number;
}

export interface Violation {
  /** A stable code per kind of violation, e.g. `STOCK_HELD_FOR_DEAD_ORDER` (docs/faults.md lists them). */
  kind: string;
  message: string;
  /** What it is about, for an operator to look up. */
  subject: { orderId?: string; skuId?: string; couponId?: string; paymentId?: string; userId?: string; productId?: string; templateId?: string };
  details?: Record<string, unknown>;
}

export interface InvariantCheck {
  /** Short name used on the command line (`--only stock,coupons`). */
  name: string;
  /** The invariant, in one sentence. */
  title: string;
  run(context: CheckContext): Promise<Violation[]>;
}

export interface CheckResult {
  name: string;
  title: string;
  ok: boolean;
  violations: Violation[];
  /** Set when the check could not run (a database unreachable, a table missing): counts as not ok. */
  error?: string;
  ms: number;
}

export interface InvariantReport {
  ok: boolean;
  checkedAt: string;
  graceSeconds: number;
  checks: CheckResult[];
}

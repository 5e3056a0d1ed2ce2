/**
 * The invariant checker: the books of stock, holds, coupons, payments, refunds, wallets, product ratings, favorite
 * counts and coupon templates' issued counts, read across the subgraphs' databases (read-only) and joined here. `npm run check:invariants` (scripts/check-invariants.ts) runs
 * it against a deployment; tests call `checkInvariants` directly. Each check is a module of its own (one invariant
 * each) so it can grow with the model; docs/faults.md lists every violation kind and what it means.
 */
import { couponsCheck } from './coupons';
import { favoritesCheck } from './favorites';
import { holdsCheck } from './holds';
import { issuedCheck } from './issued';
import { paymentsCheck } from './payments';
import { ratingsCheck } from './ratings';
import { refundsCheck } from './refunds';
import { stockCheck } from './stock';
import type { AuditDatabases, CheckResult, InvariantCheck, InvariantReport } from './types';
import { walletCheck } from './wallet';
import { familyWalletCheck } from './family-wallet';

export type { AuditDatabases, CheckResult, InvariantCheck, InvariantReport, Violation } from './types';

export const CHECKS: readonly InvariantCheck[] = [stockCheck, holdsCheck, couponsCheck, paymentsCheck, refundsCheck, walletCheck, familyWalletCheck, ratingsCheck, favoritesCheck, issuedCheck];
export const CHECK_NAMES = CHECKS.map((check) => check.name);

/** Default grace: longer than a release/commit job's first retries and the 60 s bound on late holds. */
export const DEFAULT_GRACE_SECONDS = 120;

export interface CheckOptions {
  /** See CheckContext.graceMs; tests that waited for recovery pass 0. Default DEFAULT_GRACE_SECONDS. */
  graceSeconds?: number;
  /** Names of the checks to run (default all). */
  only?: readonly string[];
  pageSize?: number;
  now?: Date;
}

export async function checkInvariants(dbs: AuditDatabases, options: CheckOptions = {}): Promise<InvariantReport> {
  const unknown = (options.only ?? []).filter((name) => !CHECK_NAMES.includes(name));
  if (unknown.length) throw new Error(`unknown check ${unknown.join(', ')} (known: ${CHECK_NAMES.join(', ')})`);
  const graceSeconds = options.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  const now = options.now ?? new Date();
  const context = { dbs, now, graceMs: graceSeconds * 1000, pageSize: options.pageSize ?? 2000 };
  const selected = CHECKS.filter((check) => !options.only?.length || options.only.includes(check.name));
  const checks: CheckResult[] = [];
  // One after the other: an audit should not add load bursts to a production database.
  for (const check of selected) {
    const started = Date.now();
    try {
      const violations = await check.run(context);
      checks.push({ name: check.name, title: check.title, ok: violations.length === 0, violations, ms: Date.now() - started });
    } catch (error) {
      checks.push({ name: check.name, title: check.title, ok: false, violations: [], error: (error as Error).message, ms: Date.now() - started });
    }
  }
  return { ok: checks.every((check) => check.ok), checkedAt: now.toISOString(), graceSeconds, checks };
}

/** Human-readable lines: one per check, then one per violation (at most `limit` per check). */
export function formatReport(report: InvariantReport, limit = 50): string {
  const lines: string[] = [];
  for (const check of report.checks) {
    const status = check.error ? 'ERROR' : check.ok ? 'ok' : `${check.violations.length} VIOLATION${check.violations.length === 1 ? '' : 'S'}`;
    lines.push(`${check.ok ? '✓' : '✗'} ${check.name.padEnd(8)} ${status.padEnd(14)} ${check.title} (${check.ms} ms)`);
    if (check.error) lines.push(`    could not check: ${check.error}`);
    for (const violation of check.violations.slice(0, limit)) lines.push(`    ${violation.kind}: ${violation.message}`);
    if (check.violations.length > limit) lines.push(`    … and ${check.violations.length - limit} more (--json lists all)`);
  }
  const failed = report.checks.filter((check) => !check.ok).length;
  lines.push(
    report.ok
      ? `All ${report.checks.length} invariants hold (grace ${report.graceSeconds} s, at ${report.checkedAt}).`
      : `${failed} of ${report.checks.length} invariants violated (grace ${report.graceSeconds} s, at ${report.checkedAt}).`,
  );
  return lines.join('\n');
}

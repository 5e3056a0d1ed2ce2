/**
 * Membership activation codes (seed 000 `js_active_code`, `js_access_risk`). Staff (member:write) create batches of
 * random codes; a code is a bearer secret worth membership, so only its SHA-256 is stored and the codes are shown
 * once, in the answer that created them (about 79 random bits each: a hash needs no key, guessing is hopeless). A shopper
 * uses a code on a family they own: the code's row flips OK → USED in one conditional UPDATE, so two concurrent uses
 * of one code activate once. Every attempt that reaches the code check is recorded (access_risks) with its client
 * address; wrong ones are throttled per shopper and per address (successes are given back to the limiter).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { hitOrThrow, ruleOf, type RateLimiter } from '../../platform/rate-limit';
import type { Config } from '../../platform/config';
import {
  cancelCodes,
  codeStatus,
  insertBatch,
  listBatches,
  lockFamily,
  recordAccessRisk,
  setMembership,
  useCode,
  type BatchRow,
  type FamilyRow,
} from './data/families';
import { membershipOf, publishMembershipChanged } from './membership';

/** No 0/O, 1/I/L look-alikes: 31 symbols, so 16 of them carry about 79 random bits. */
const SYMBOLS = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 16;
const CODE_SHAPE = new RegExp(`^[${SYMBOLS}]{${CODE_LENGTH}}$`);
export const MAX_CODES_PER_BATCH = 1000;
export const MAX_CYCLE_DAYS = 3660;
const PURPOSE_MAX = 64;
const DAY_MS = 24 * 3600 * 1000;
/** access_risks.path of an activation attempt. */
const ACTIVATE_PATH = 'activateMembershipCode';

/** One random code: rejection sampling keeps every symbol equally likely. */
export function generateCode(): string {
  let code = '';
  while (code.length < CODE_LENGTH) {
    for (const byte of crypto.randomBytes(CODE_LENGTH)) {
      const index = byte & 31;
      if (index < SYMBOLS.length && code.length < CODE_LENGTH) code += SYMBOLS[index];
    }
  }
  return code;
}

/** Upper-cased, spaces and dashes dropped (codes are read aloud and typed in groups); null when it cannot be a code. */
export function normalizeCode(raw: string): string | null {
  const code = raw.toUpperCase().replace(/[\s-]/g, '');
  return CODE_SHAPE.test(code) ? code : null;
}

export const hashCode = (code: string) => crypto.createHash('sha256').update(code).digest('hex');

export interface BatchInput {
  count: number;
  cycleDays: number;
  purpose: string;
}

export async function createBatch(db: Knex, staffId: string, input: BatchInput): Promise<{ batch: BatchRow; codes: string[] }> {
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_CODES_PER_BATCH) {
    throw badInput(`count must be 1 to ${MAX_CODES_PER_BATCH}`, 'count');
  }
  if (!Number.isInteger(input.cycleDays) || input.cycleDays < 1 || input.cycleDays > MAX_CYCLE_DAYS) {
    throw badInput(`cycleDays must be 1 to ${MAX_CYCLE_DAYS}`, 'cycleDays');
  }
  const purpose = input.purpose.trim();
  if (!purpose || [...purpose].length > PURPOSE_MAX || /\p{Cc}/u.test(purpose)) {
    throw badInput(`purpose must be 1 to ${PURPOSE_MAX} characters without control characters`, 'purpose');
  }
  const codes = new Set<string>();
  while (codes.size < input.count) codes.add(generateCode());
  const list = [...codes];
  const batchId = await db.transaction((trx) => insertBatch(trx, { cycleDays: input.cycleDays, purpose, createdBy: staffId }, list.map(hashCode)));
  const [batch] = await listBatches(db, 1, batchId);
  return { batch, codes: list };
}

export async function batches(db: Knex, first: number | null | undefined, maxPageSize: number): Promise<BatchRow[]> {
  const limit = first ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) throw badInput(`first must be 1 to ${maxPageSize}`, 'first');
  return listBatches(db, limit);
}

export async function cancelBatchCodes(db: Knex, batchId: string, codes: readonly string[] | null | undefined): Promise<number> {
  if (codes && codes.length > MAX_CODES_PER_BATCH) throw badInput(`At most ${MAX_CODES_PER_BATCH} codes at a time`, 'codes');
  if (!isBigintId(batchId) || !(await db('activation_code_batches').where({ id: batchId }).first('id'))) throw notFound('Batch not found');
  const hashes = codes ? codes.map(normalizeCode).filter((code): code is string => code !== null).map(hashCode) : null;
  if (hashes && !hashes.length) return 0;
  return cancelCodes(db, batchId, hashes);
}

export interface ActivationServices {
  db: Knex;
  config: Config;
  limiter: RateLimiter;
}

type Failure = 'INVALID' | 'USED' | 'CANCELED';

function failureError(failure: Failure) {
  if (failure === 'USED') return shopError('CONFLICT', 'This activation code has already been used', { reason: 'CODE_USED' });
  if (failure === 'CANCELED') return shopError('BAD_USER_INPUT', 'This activation code has been canceled', { reason: 'CODE_CANCELED', field: 'code' });
  return shopError('BAD_USER_INPUT', 'This activation code is not valid', { reason: 'CODE_INVALID', field: 'code' });
}

class CodeRefused extends Error {
  constructor(readonly failure: Failure) {
    super(failure);
  }
}

export async function activateCode(
  services: ActivationServices,
  userId: string,
  familyId: string,
  rawCode: string,
  clientIp: string | undefined,
): Promise<FamilyRow> {
  const { db, config, limiter } = services;
  // The family first: a shopper naming someone else's family learns nothing and spends no tries.
  const owned = isBigintId(familyId) ? await db<FamilyRow>('families').where({ id: familyId, owner_id: userId }).first('id') : undefined;
  if (!owned) throw notFound('Family not found');

  const userRule = ruleOf(config.family.codeFailuresPerUser);
  const ipRule = ruleOf(config.family.codeFailuresPerIp);
  const userKey = `member-code:user:${userId}`;
  const ipKey = clientIp ? `member-code:ip:${clientIp}` : null;
  // Counted before the work and given back on success: parallel wrong tries cannot slip past the limit.
  if (ipKey) await hitOrThrow(limiter, ipKey, ipRule, 'Too many wrong activation codes from your network; try again later');
  try {
    await hitOrThrow(limiter, userKey, userRule, 'Too many wrong activation codes; try again later');
  } catch (error) {
    if (ipKey) await limiter.refund(ipKey, ipRule);
    throw error;
  }

  const ip = clientIp ?? null;
  const code = normalizeCode(rawCode);
  try {
    if (!code) throw new CodeRefused('INVALID');
    const codeHash = hashCode(code);
    const family = await db.transaction(async (trx) => {
      // The family first: marking the code takes a key-share lock on the family (used_family_id's foreign key), so
      // locking the family after it would deadlock two codes used on one family at once.
      const current = await lockFamily(trx, familyId);
      if (!current) throw notFound('Family not found');
      const cycleDays = await useCode(trx, codeHash, { userId, familyId, ip });
      if (cycleDays === null) {
        const status = await codeStatus(trx, codeHash);
        throw new CodeRefused(status === 'USED' ? 'USED' : status === 'CANCELED' ? 'CANCELED' : 'INVALID');
      }
      const now = Date.now();
      const formalUntil = membershipOf(current).level === 'FORMAL' ? current.vip_expires_at!.getTime() : now;
      const updated = await setMembership(trx, familyId, 'FORMAL', new Date(Math.max(now, formalUntil) + cycleDays * DAY_MS));
      await publishMembershipChanged(trx, updated);
      await recordAccessRisk(trx, { userId, ip, path: ACTIVATE_PATH, outcome: 'ACTIVATED' });
      return updated;
    });
    await limiter.refund(userKey, userRule);
    if (ipKey) await limiter.refund(ipKey, ipRule);
    return family;
  } catch (error) {
    if (!(error instanceof CodeRefused)) {
      // Not the shopper's wrong code (the database failed): this try does not count against them.
      await limiter.refund(userKey, userRule);
      if (ipKey) await limiter.refund(ipKey, ipRule);
      throw error;
    }
    await recordAccessRisk(db, { userId, ip, path: ACTIVATE_PATH, outcome: error.failure });
    throw failureError(error.failure);
  }
}

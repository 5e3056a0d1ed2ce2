/**
 * SMS one-time codes: 6 random digits, stored only as an HMAC-SHA256 under a key derived from JWT_SECRET (a database
 * dump does not reveal them, and 10^6 candidates cannot be tried offline without the key); valid SMS_CODE_TTL_SECONDS
 * (300); bound to a phone and a purpose (register, login, reset, bind — and for bind to the account that asked); only
 * the latest code of a phone and purpose works; used once; dead after SMS_CODE_MAX_ATTEMPTS wrong guesses.
 * Sending is throttled per client address, per phone, and to one code per phone and purpose per cooldown.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { badInput, shopError } from '../../platform/errors';
import { hitOrThrow, ruleOf } from '../../platform/rate-limit';
import type { UserServices } from './accounts';
import { smsNotConfigured } from './sms-provider';
import {
  consumeSmsCode,
  countSmsAttempt,
  deleteOldSmsCodes,
  deleteSmsCode,
  findLatestSmsCodeForUpdate,
  insertSmsCode,
  type SmsPurpose,
} from './data/sms-codes';

export type { SmsPurpose };

const CODE_FORMAT = /^\d{6}$/;

const codeKey = (config: Pick<Config, 'jwtSecret'>) => Buffer.from(crypto.hkdfSync('sha256', config.jwtSecret, Buffer.alloc(0), 'shop/sms-code/v1', 32));

export const hashSmsCode = (config: Pick<Config, 'jwtSecret'>, phone: string, purpose: SmsPurpose, code: string) =>
  crypto.createHmac('sha256', codeKey(config)).update(`${phone}:${purpose}:${code}`).digest('hex');

/** Rate-limit keys carry a hash, never the phone or address itself. */
const limiterKey = (kind: string, value: string) => `${kind}:${crypto.createHash('sha256').update(value).digest('hex').slice(0, 32)}`;

export interface SmsCodeTicket {
  expiresInSeconds: number;
  resendAfterSeconds: number;
}

/**
 * Counts one send against every throttle (address, phone + purpose cooldown, phone) — before anything about the phone
 * is looked at, so no answer (not even "already registered") comes unthrottled. Refuses at once without a provider.
 */
export async function countSend(services: UserServices, input: { phone: string; purpose: SmsPurpose; clientIp?: string }): Promise<void> {
  const { config, limiter, sms } = services;
  const { passport } = config;
  if (sms.kind === 'unconfigured') throw smsNotConfigured();
  if (input.clientIp) {
    await hitOrThrow(limiter, limiterKey('sms-ip', input.clientIp), ruleOf(passport.smsSendPerIp), 'Too many codes requested from this network address; try again later');
  }
  const cooldown = { limit: 1, windowMs: passport.smsSendCooldownSeconds * 1000 };
  await hitOrThrow(limiter, limiterKey(`sms-cooldown-${input.purpose}`, input.phone), cooldown, 'A code was just sent to this phone; wait before asking again');
  await hitOrThrow(limiter, limiterKey('sms-phone', input.phone), ruleOf(passport.smsSendPerPhone), 'Too many codes sent to this phone number; try again later');
}

/**
 * Stores and sends a fresh code (after `countSend`). `deliver: false` (a reset for an unknown phone) answers alike but
 * stores and sends nothing, so the answer does not tell whether the phone has an account.
 */
export async function deliverCode(
  services: UserServices,
  input: { phone: string; purpose: SmsPurpose; userId: string | null; deliver: boolean },
): Promise<SmsCodeTicket> {
  const { db, config, sms } = services;
  const { passport } = config;
  const ticket = { expiresInSeconds: passport.smsCodeTtlSeconds, resendAfterSeconds: passport.smsSendCooldownSeconds };
  if (!input.deliver) return ticket;

  const code = crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
  const id = await db.transaction((trx) =>
    insertSmsCode(trx, {
      phone: input.phone,
      purpose: input.purpose,
      user_id: input.userId,
      code_hash: hashSmsCode(config, input.phone, input.purpose, code),
      expires_at: new Date(Date.now() + passport.smsCodeTtlSeconds * 1000),
    }),
  );
  try {
    // Stored first (committed), so a fast shopper's verification finds it; withdrawn if the provider refuses.
    await sms.sendCode(input.phone, code, Math.ceil(passport.smsCodeTtlSeconds / 60));
  } catch (error) {
    await deleteSmsCode(db, id);
    throw error;
  }
  if (crypto.randomInt(50) === 0) await deleteOldSmsCodes(db);
  return ticket;
}

type CodeCheck = { ok: true } | { ok: false; reason: 'CODE_INVALID' | 'CODE_EXPIRED' | 'CODE_ATTEMPTS_EXCEEDED' };

/**
 * Checks the code inside `trx` (holding the code's row lock) and spends it when it matches. A wrong guess is counted
 * in `trx` too: the caller must commit it even though it then answers with an error (see `withSmsCode`).
 */
async function checkCode(
  trx: Knex.Transaction,
  config: Config,
  input: { phone: string; purpose: SmsPurpose; code: string; userId: string | null },
): Promise<CodeCheck> {
  const row = await findLatestSmsCodeForUpdate(trx, input.phone, input.purpose);
  if (!row || row.consumed_at) return { ok: false, reason: 'CODE_INVALID' };
  if (input.purpose === 'bind' && row.user_id !== input.userId) return { ok: false, reason: 'CODE_INVALID' };
  if (row.expires_at.getTime() <= Date.now()) return { ok: false, reason: 'CODE_EXPIRED' };
  if (row.attempts >= config.passport.smsCodeMaxAttempts) return { ok: false, reason: 'CODE_ATTEMPTS_EXCEEDED' };
  const expected = Buffer.from(row.code_hash, 'hex');
  const given = Buffer.from(hashSmsCode(config, input.phone, input.purpose, input.code), 'hex');
  if (!crypto.timingSafeEqual(expected, given)) {
    await countSmsAttempt(trx, row.id);
    // The last allowed guess failing kills the code at once.
    return { ok: false, reason: row.attempts + 1 >= config.passport.smsCodeMaxAttempts ? 'CODE_ATTEMPTS_EXCEEDED' : 'CODE_INVALID' };
  }
  await consumeSmsCode(trx, row.id);
  return { ok: true };
}

const MESSAGES: Record<Exclude<CodeCheck, { ok: true }>['reason'], string> = {
  CODE_INVALID: 'The code is wrong or was already used',
  CODE_EXPIRED: 'The code has expired; ask for a new one',
  CODE_ATTEMPTS_EXCEEDED: 'Too many wrong codes; ask for a new one',
};

/**
 * Runs `work` in one transaction with the code spent, so both land together or not at all (a refused bind leaves the
 * code usable). A wrong code commits only its attempt count and throws BAD_USER_INPUT with extensions.reason.
 */
export async function withSmsCode<T>(
  services: UserServices,
  input: { phone: string; purpose: SmsPurpose; code: string; userId: string | null },
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  const code = input.code.trim();
  if (!CODE_FORMAT.test(code)) throw badInput('The code is 6 digits', 'code');
  const outcome = await services.db.transaction(async (trx) => {
    const check = await checkCode(trx, services.config, { ...input, code });
    if (!check.ok) return check;
    return { ok: true as const, value: await work(trx) };
  });
  if (!outcome.ok) throw shopError('BAD_USER_INPUT', MESSAGES[outcome.reason], { field: 'code', reason: outcome.reason });
  return outcome.value;
}

/**
 * Development stand-ins that hand out something for nothing (the payment sandbox: an order paid without money; the
 * development WeChat login: any code signs in; SMS_DEV_LOG: SMS codes written to the log) follow the rule of the development secrets (secrets.ts), decided once
 * at start-up from the environment:
 *   - never with NODE_ENV=production (asking for one there is a start-up error);
 *   - outside production, on by default only when nothing but this machine can reach us: HOST is a loopback address,
 *     no proxy is declared in front (TRUST_PROXY_HOPS=0) and PAYMENT_PUBLIC_URL, if set, is on loopback too (a
 *     loopback router behind nginx, or one that tells providers a public URL, is public whatever HOST says);
 *   - off loopback only with an explicit opt-in (`<NAME>=true`), e.g. a phone on the LAN testing the mini-program;
 *   - `<NAME>=false` turns one off anywhere.
 * And merchant keys come as a complete set or not at all: a set with a gap is a start-up error naming the gap, in
 * every mode — a half-configured provider must never fall back to something else silently.
 */
import { reachableOnlyLocally } from './secrets';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** Whether the stand-in `name` (PAYMENT_SANDBOX, WECHAT_DEV_LOGIN) is on; throws for a value that is not a boolean or for production. */
export function developmentMode(env: NodeJS.ProcessEnv, name: string, options: { isProduction: boolean; host: string }): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw !== '' && !TRUE.has(raw) && !FALSE.has(raw)) throw new Error(`${name} must be true or false, got "${env[name]}"`);
  const explicit = raw === '' ? undefined : TRUE.has(raw);
  if (options.isProduction) {
    if (explicit) throw new Error(`${name}=true is refused with NODE_ENV=production: it would let anyone pay or sign in without the real provider`);
    return false;
  }
  return explicit ?? reachableOnlyLocally(env, options.host);
}

/**
 * A set of variables that must be given all together or not at all. Each entry is one requirement: a variable name,
 * or alternatives (`['WECHATPAY_APPID', 'WECHAT_APPID']`: either will do). `triggers` are the variables whose presence
 * means "this set is being configured" (default: every name in the set).
 */
export interface KeySet {
  label: string;
  required: (string | readonly string[])[];
  triggers?: readonly string[];
}

const present = (env: NodeJS.ProcessEnv, name: string) => Boolean(env[name]?.trim());
const requirementName = (entry: string | readonly string[]) =>
  typeof entry === 'string' ? entry : `${entry[0]} (or ${entry.slice(1).join(', ')})`;

/** The requirements of `set` that are missing when some of it is given; empty when it is complete or absent. */
export function missingKeys(env: NodeJS.ProcessEnv, set: KeySet): string[] {
  const triggers = set.triggers ?? set.required.flatMap((entry) => (typeof entry === 'string' ? [entry] : [...entry]));
  if (!triggers.some((name) => present(env, name))) return [];
  return set.required
    .filter((entry) => !(typeof entry === 'string' ? [entry] : entry).some((name) => present(env, name)))
    .map(requirementName);
}

/** Throws one message naming every incomplete set and exactly what each lacks. */
export function assertCompleteKeySets(env: NodeJS.ProcessEnv, sets: readonly KeySet[]): void {
  const problems = sets
    .map((set) => ({ set, missing: missingKeys(env, set) }))
    .filter(({ missing }) => missing.length)
    .map(({ set, missing }) => `${set.label} is configured incompletely: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`);
  if (problems.length) throw new Error(`${problems.join('; ')}. Set all of them, or none.`);
}

/** The merchant and app key sets of the shop (docs/payment.md, README "Payment and login modes"). */
export const KEY_SETS: readonly KeySet[] = [
  {
    label: 'WeChat Pay',
    required: [
      ['WECHATPAY_APPID', 'WECHAT_APPID'],
      'WECHATPAY_MCHID',
      'WECHATPAY_MERCHANT_SERIAL',
      'WECHATPAY_MERCHANT_PRIVATE_KEY',
      'WECHATPAY_APIV3_KEY',
      'WECHATPAY_PLATFORM_PUBLIC_KEY',
      'WECHATPAY_PLATFORM_SERIAL',
    ],
    // WECHAT_APPID alone is the login's app id, not a payment being configured.
    triggers: [
      'WECHATPAY_APPID',
      'WECHATPAY_MCHID',
      'WECHATPAY_MERCHANT_SERIAL',
      'WECHATPAY_MERCHANT_PRIVATE_KEY',
      'WECHATPAY_APIV3_KEY',
      'WECHATPAY_PLATFORM_PUBLIC_KEY',
      'WECHATPAY_PLATFORM_SERIAL',
    ],
  },
  { label: 'Alipay', required: ['ALIPAY_APP_ID', 'ALIPAY_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY'] },
  { label: 'WeChat login', required: ['WECHAT_APPID', 'WECHAT_SECRET'] },
  {
    label: 'Tencent Cloud SMS',
    required: ['TENCENT_SMS_SECRET_ID', 'TENCENT_SMS_SECRET_KEY', 'TENCENT_SMS_SDK_APP_ID', 'TENCENT_SMS_SIGN_NAME', 'TENCENT_SMS_TEMPLATE_ID'],
  },
];

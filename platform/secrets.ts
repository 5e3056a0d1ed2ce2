/**
 * When the development secrets may be used. The JWT_SECRET / INTERNAL_SECRET fallbacks are written in this
 * repository, so anyone who reads it can mint an admin access token or a subgraph identity header with them. They
 * are therefore accepted only when nothing but this machine can reach us (`reachableOnlyLocally`): a loopback HOST,
 * no proxy declared in front and no public callback URL. Production refuses them outright (config.ts); a deployment
 * that merely forgot NODE_ENV is caught here by its HOST, TRUST_PROXY_HOPS or PAYMENT_PUBLIC_URL.
 */
import net from 'node:net';
import { SERVICE_NAMES } from './service-keys';

export const SECRET_VARIABLES = ['JWT_SECRET', 'INTERNAL_SECRET'] as const;

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. 0.0.0.0, :: and any other address are not. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) {
    if (bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
    return mapped !== null && mapped[1].startsWith('127.');
  }
  return false;
}

/**
 * Whether only this machine can reach the shop, judged from what the configuration says: HOST is a loopback address,
 * no proxy is declared in front (TRUST_PROXY_HOPS=0) and PAYMENT_PUBLIC_URL, if set, is on loopback too. A loopback
 * router behind nginx, or one that tells providers a public URL, is public whatever HOST says.
 */
export function reachableOnlyLocally(env: NodeJS.ProcessEnv, host: string): boolean {
  return publicReason(env, host) === undefined;
}

/** Why others can reach us (for start-up errors), or undefined when only this machine can. */
export function publicReason(env: NodeJS.ProcessEnv, host: string): string | undefined {
  if (!isLoopbackHost(host)) return `HOST=${host} is not a loopback address`;
  const hops = Number(env.TRUST_PROXY_HOPS || 0);
  if (!Number.isFinite(hops) || hops > 0) return `TRUST_PROXY_HOPS=${env.TRUST_PROXY_HOPS} declares a proxy in front of HOST=${host}`;
  if (env.PAYMENT_PUBLIC_URL) {
    let hostname = '';
    try {
      hostname = new URL(env.PAYMENT_PUBLIC_URL).hostname;
    } catch {
      // An unparsable URL counts as public.
    }
    if (!isLoopbackHost(hostname)) return `PAYMENT_PUBLIC_URL=${env.PAYMENT_PUBLIC_URL} is not on loopback`;
  }
  return undefined;
}

/**
 * Throws when development secrets would be used where others can reach us; returns the names of the variables
 * that fall back to development values (empty when all are set).
 */
export function checkDevelopmentSecrets(env: NodeJS.ProcessEnv, host: string): string[] {
  // INTERNAL_SECRET is only the base the service keys are derived from: not needed when every service has its own.
  const allServiceKeys = SERVICE_NAMES.every((name) => env[`SERVICE_KEY_${name.toUpperCase()}`]);
  const missing = SECRET_VARIABLES.filter((name) => !env[name] && !(name === 'INTERNAL_SECRET' && allServiceKeys));
  if (missing.length && !reachableOnlyLocally(env, host)) {
    throw new Error(
      `${publicReason(env, host)}, so ${missing.join(' and ')} must be set: the development ` +
        'values are public (in the repository) and would let anyone sign tokens. Set them, or listen on 127.0.0.1.',
    );
  }
  return missing;
}

let warned = false;
/** One line per process, so a developer knows the secrets are the public development ones. */
export function warnDevelopmentSecrets(missing: readonly string[], host: string): void {
  if (warned || !missing.length) return;
  warned = true;
  // Development only (config.ts): a plain line for the developer at the terminal, on stderr like any warning, so a
  // command's own output on stdout (e.g. `npm run check:invariants -- --json`) stays what it says it is.
  process.stderr.write(`Warning: ${missing.join(' and ')} not set: using the public development secrets (allowed only when nothing but this machine can reach us, HOST=${host}).\n`);
}

/**
 * The demo staff account `admin` with the development password is refused where others can reach us (the rule of
 * `reachableOnlyLocally`): anybody could sign in as staff holding every scope. Called by whoever seeds demo data.
 */
export function checkDemoAdminPassword(options: { adminPasswordSet: boolean; publicReason?: string }): void {
  if (!options.adminPasswordSet && options.publicReason) {
    throw new Error(
      `${options.publicReason}, so ADMIN_PASSWORD must be set before the demo staff account ` +
        '"admin" is seeded (its development password is public).',
    );
  }
}

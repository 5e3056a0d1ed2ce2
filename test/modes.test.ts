/**
 * Issue 15 finding 1: explicit payment and login modes (platform/modes.ts). The payment sandbox and the development
 * WeChat login are never on in production (asking for them there is a start-up error), on by default only on a
 * loopback HOST outside production, off loopback only with PAYMENT_SANDBOX=true / WECHAT_DEV_LOGIN=true. Merchant
 * keys come complete or not at all: a partial set is a start-up error naming exactly what is missing, in every mode.
 * Before: the sandbox and the development login were on whenever NODE_ENV was not production, on any HOST, and 6 of
 * the 7 WECHATPAY_* variables fell back to the sandbox silently.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../platform/config';
import { createProviders, describeProviders } from '../subgraphs/payment/providers';
import { createWechatProvider, describeWechatLogin } from '../subgraphs/user/wechat';
import { bareEnv, run, SECRETS, SERVICE_KEYS } from './support/processes';

const PROD_SECRETS = { JWT_SECRET: 'modes-test-jwt-secret-0123456789', INTERNAL_SECRET: 'modes-test-internal-secret-0123456789', ...SERVICE_KEYS };

/** A complete, well-formed WeChat Pay merchant (the keys are only parsed when a request is signed). */
function wechatPayKeys(dir: string): Record<string, string> {
  const key = path.join(dir, 'merchant.pem');
  fs.writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n');
  return {
    WECHATPAY_APPID: 'wx0123456789abcdef',
    WECHATPAY_MCHID: '1900000001',
    WECHATPAY_MERCHANT_SERIAL: 'ABCDEF0123456789',
    WECHATPAY_MERCHANT_PRIVATE_KEY: key,
    WECHATPAY_APIV3_KEY: '0123456789abcdef0123456789abcdef',
    WECHATPAY_PLATFORM_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nMII\\n-----END PUBLIC KEY-----',
    WECHATPAY_PLATFORM_SERIAL: 'PUB_KEY_ID_0123',
  };
}
const ALIPAY_KEYS = {
  ALIPAY_APP_ID: '2021000000000001',
  ALIPAY_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nMII\\n-----END PRIVATE KEY-----',
  ALIPAY_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nMII\\n-----END PUBLIC KEY-----',
};
const LOGIN_KEYS = { WECHAT_APPID: 'wx0123456789abcdef', WECHAT_SECRET: 'login-secret-0123' };

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modes-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Env = Record<string, string>;
const modesOf = (env: Env) => {
  const config = loadConfig(env);
  return { sandbox: config.payment.sandbox, devLogin: config.wechat.devLogin };
};

describe('the mode matrix: NODE_ENV × HOST × opt-in', () => {
  const cases: [string, Env, { sandbox: boolean; devLogin: boolean }][] = [
    // Outside production (development, test, or no NODE_ENV at all: the forgotten NODE_ENV).
    ['development, loopback, nothing said', { NODE_ENV: 'development' }, { sandbox: true, devLogin: true }],
    ['no NODE_ENV, localhost', { HOST: 'localhost' }, { sandbox: true, devLogin: true }],
    ['test, ::1', { NODE_ENV: 'test', HOST: '::1' }, { sandbox: true, devLogin: true }],
    ['development, loopback, both turned off', { NODE_ENV: 'development', PAYMENT_SANDBOX: 'false', WECHAT_DEV_LOGIN: 'false' }, { sandbox: false, devLogin: false }],
    ['no NODE_ENV, 0.0.0.0, nothing said', { HOST: '0.0.0.0', ...SECRETS }, { sandbox: false, devLogin: false }],
    ['development, LAN address, nothing said', { NODE_ENV: 'development', HOST: '192.168.1.20', ...SECRETS }, { sandbox: false, devLogin: false }],
    ['development, LAN address, both opted in', { NODE_ENV: 'development', HOST: '192.168.1.20', ...SECRETS, PAYMENT_SANDBOX: 'true', WECHAT_DEV_LOGIN: 'true' }, { sandbox: true, devLogin: true }],
    ['development, ::, sandbox only', { NODE_ENV: 'development', HOST: '::', ...SECRETS, PAYMENT_SANDBOX: 'true' }, { sandbox: true, devLogin: false }],
    ['development, 0.0.0.0, login only', { NODE_ENV: 'development', HOST: '0.0.0.0', ...SECRETS, WECHAT_DEV_LOGIN: 'yes' }, { sandbox: false, devLogin: true }],
    // Loopback but public all the same: behind a proxy, or telling providers a public URL.
    ['development, loopback behind a proxy (TRUST_PROXY_HOPS=1)', { NODE_ENV: 'development', TRUST_PROXY_HOPS: '1', ...SECRETS }, { sandbox: false, devLogin: false }],
    ['no NODE_ENV, loopback, public PAYMENT_PUBLIC_URL', { PAYMENT_PUBLIC_URL: 'https://shop.example.com', ...SECRETS }, { sandbox: false, devLogin: false }],
    ['development, loopback, PAYMENT_PUBLIC_URL on loopback', { NODE_ENV: 'development', PAYMENT_PUBLIC_URL: 'http://localhost:4000' }, { sandbox: true, devLogin: true }],
    ['development, loopback behind a proxy, both opted in', { NODE_ENV: 'development', TRUST_PROXY_HOPS: '1', ...SECRETS, PAYMENT_SANDBOX: 'true', WECHAT_DEV_LOGIN: 'true' }, { sandbox: true, devLogin: true }],
    // Production: never, on any HOST.
    ['production, loopback', { NODE_ENV: 'production', ...PROD_SECRETS }, { sandbox: false, devLogin: false }],
    ['production, 0.0.0.0', { NODE_ENV: 'production', HOST: '0.0.0.0', ...PROD_SECRETS }, { sandbox: false, devLogin: false }],
    ['production, explicitly off', { NODE_ENV: 'production', ...PROD_SECRETS, PAYMENT_SANDBOX: 'false', WECHAT_DEV_LOGIN: '0' }, { sandbox: false, devLogin: false }],
  ];
  it.each(cases)('%s', (_what, env, expected) => {
    expect(modesOf(env)).toEqual(expected);
  });

  it.each([
    ['PAYMENT_SANDBOX', { HOST: '127.0.0.1' }],
    ['WECHAT_DEV_LOGIN', { HOST: '127.0.0.1' }],
    ['PAYMENT_SANDBOX', { HOST: '0.0.0.0' }],
  ])('production refuses %s=true (%j)', (name, env) => {
    expect(() => loadConfig({ NODE_ENV: 'production', ...PROD_SECRETS, ...env, [name]: 'true' })).toThrow(
      `${name}=true is refused with NODE_ENV=production`,
    );
  });

  it('refuses a value that is not a boolean rather than guessing', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', PAYMENT_SANDBOX: 'maybe' })).toThrow('PAYMENT_SANDBOX must be true or false, got "maybe"');
  });
});

describe('merchant and app keys: complete or absent, in every mode', () => {
  const modes: [string, Env][] = [
    ['development on loopback', { NODE_ENV: 'development' }],
    ['development off loopback, sandbox opted in', { NODE_ENV: 'development', HOST: '0.0.0.0', ...SECRETS, PAYMENT_SANDBOX: 'true' }],
    ['production', { NODE_ENV: 'production', ...PROD_SECRETS }],
  ];

  describe.each(modes)('%s', (_mode, base) => {
    it('6 of the 7 WeChat Pay settings: refused, naming the one missing', () => {
      const { WECHATPAY_PLATFORM_SERIAL: _gone, ...six } = wechatPayKeys(tmp);
      expect(() => loadConfig({ ...base, ...six })).toThrow(
        'WeChat Pay is configured incompletely: WECHATPAY_PLATFORM_SERIAL is not set. Set all of them, or none.',
      );
      const { WECHATPAY_APPID: _appId, ...noAppId } = wechatPayKeys(tmp);
      expect(() => loadConfig({ ...base, ...noAppId })).toThrow(
        'WeChat Pay is configured incompletely: WECHATPAY_APPID (or WECHAT_APPID) is not set',
      );
    });

    it('one WeChat Pay setting alone: refused, naming all six others', () => {
      expect(() => loadConfig({ ...base, WECHATPAY_MCHID: '1900000001' })).toThrow(
        'WeChat Pay is configured incompletely: WECHATPAY_APPID (or WECHAT_APPID), WECHATPAY_MERCHANT_SERIAL, ' +
          'WECHATPAY_MERCHANT_PRIVATE_KEY, WECHATPAY_APIV3_KEY, WECHATPAY_PLATFORM_PUBLIC_KEY, WECHATPAY_PLATFORM_SERIAL are not set',
      );
    });

    it('an incomplete Alipay set and a half WeChat login: refused together, each gap named', () => {
      expect(() => loadConfig({ ...base, ALIPAY_APP_ID: ALIPAY_KEYS.ALIPAY_APP_ID, WECHAT_SECRET: 'only-the-secret' })).toThrow(
        'Alipay is configured incompletely: ALIPAY_PRIVATE_KEY, ALIPAY_PUBLIC_KEY are not set; ' +
          'WeChat login is configured incompletely: WECHAT_APPID is not set. Set all of them, or none.',
      );
    });

    it('complete sets are accepted; the WeChat Pay app id may come from WECHAT_APPID', () => {
      const { WECHATPAY_APPID: _appId, ...keys } = wechatPayKeys(tmp);
      const config = loadConfig({ ...base, ...keys, ...ALIPAY_KEYS, ...LOGIN_KEYS });
      expect(config.payment.wechat.appId).toBe(LOGIN_KEYS.WECHAT_APPID);
      expect(createProviders(config).mode).toEqual({ wechat: 'live', alipay: 'live' });
      expect(createWechatProvider(config).kind).toBe('wechat');
    });
  });
});

describe('who serves each method and the WeChat login, per mode', () => {
  const serving = (env: Env) => {
    const config = loadConfig({ DATA_DIR: tmp, ...env });
    const providers = createProviders(config);
    return { mode: providers.mode, login: createWechatProvider(config).kind, log: describeProviders(providers, config.payment.methods) };
  };

  it('loopback development without keys: sandboxes and the development login, and the log says SANDBOX', () => {
    const { mode, login, log } = serving({ NODE_ENV: 'development' });
    expect(mode).toEqual({ wechat: 'sandbox', alipay: 'sandbox' });
    expect(login).toBe('development');
    expect(log).toEqual([
      '[payment] WECHAT   SANDBOX (no money moves) (no WECHATPAY_* keys, PAYMENT_SANDBOX on)',
      '[payment] ALIPAY   SANDBOX (no money moves) (no ALIPAY_* keys, PAYMENT_SANDBOX on)',
      "[payment] BALANCE  wallet (the shop's own ledger)",
      "[payment] FAMILY_BALANCE  family wallets (the shop's own ledger)",
    ]);
  });

  it('off loopback without opt-in (the forgotten NODE_ENV): nothing but the wallet, no login stand-in', () => {
    const { mode, login, log } = serving({ HOST: '0.0.0.0', ...SECRETS });
    expect(mode).toEqual({ wechat: 'off', alipay: 'off' });
    expect(login).toBe('unconfigured');
    expect(log.slice(0, 2)).toEqual([
      '[payment] WECHAT   unavailable (no WECHATPAY_* keys, PAYMENT_SANDBOX off)',
      '[payment] ALIPAY   unavailable (no ALIPAY_* keys, PAYMENT_SANDBOX off)',
    ]);
  });

  it('real keys win over the sandbox method by method: WeChat real, Alipay sandbox', () => {
    const { mode, log } = serving({ NODE_ENV: 'development', HOST: '0.0.0.0', ...SECRETS, PAYMENT_SANDBOX: 'true', ...wechatPayKeys(tmp) });
    expect(mode).toEqual({ wechat: 'live', alipay: 'sandbox' });
    expect(log[0]).toBe('[payment] WECHAT   real provider (WECHATPAY_* keys set)');
  });

  it('production without keys: unavailable, and WeChat login refused', () => {
    const { mode, login } = serving({ NODE_ENV: 'production', ...PROD_SECRETS });
    expect(mode).toEqual({ wechat: 'off', alipay: 'off' });
    expect(login).toBe('unconfigured');
  });

  it('the login lines', () => {
    const line = (env: Env) => describeWechatLogin(createWechatProvider(loadConfig(env)));
    expect(line({ NODE_ENV: 'development' })).toMatch(/^\[user\] WeChat login: DEVELOPMENT stand-in/);
    expect(line({ NODE_ENV: 'development', ...LOGIN_KEYS })).toMatch(/^\[user\] WeChat login: real/);
    expect(line({ NODE_ENV: 'production', ...PROD_SECRETS })).toMatch(/^\[user\] WeChat login: unavailable/);
  });
});

describe('entry points refuse to start on a mode error, saying why', () => {
  const ports = { ROUTER_PORT: '0', PAYMENT_PORT: '0', USER_PORT: '0' };
  it.concurrent.each([
    ['the payment subgraph, production with PAYMENT_SANDBOX=true', ['scripts/start-subgraph.ts', 'payment'], { NODE_ENV: 'production', ...PROD_SECRETS, PAYMENT_SANDBOX: 'true' }, 'Cannot start the subgraph: PAYMENT_SANDBOX=true is refused with NODE_ENV=production'],
    ['the user subgraph, production with WECHAT_DEV_LOGIN=true', ['scripts/start-subgraph.ts', 'user'], { NODE_ENV: 'production', ...PROD_SECRETS, WECHAT_DEV_LOGIN: 'true' }, 'Cannot start the subgraph: WECHAT_DEV_LOGIN=true is refused with NODE_ENV=production'],
    ['the router, production with PAYMENT_SANDBOX=true', ['router/main.ts'], { NODE_ENV: 'production', ...PROD_SECRETS, PAYMENT_SANDBOX: 'true' }, 'Cannot start the router: PAYMENT_SANDBOX=true is refused with NODE_ENV=production'],
    ['the payment subgraph in development with 6 of 7 WeChat Pay keys', ['scripts/start-subgraph.ts', 'payment'], { NODE_ENV: 'development', WECHATPAY_MCHID: '1', WECHATPAY_APPID: 'wx1', WECHATPAY_MERCHANT_SERIAL: 's', WECHATPAY_MERCHANT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----', WECHATPAY_APIV3_KEY: 'k', WECHATPAY_PLATFORM_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }, 'Cannot start the subgraph: WeChat Pay is configured incompletely: WECHATPAY_PLATFORM_SERIAL is not set'],
    ['everything, production with an incomplete Alipay', ['scripts/start-all.ts'], { NODE_ENV: 'production', ...PROD_SECRETS, ALIPAY_APP_ID: '2021' }, 'Cannot start the supergraph: Alipay is configured incompletely: ALIPAY_PRIVATE_KEY, ALIPAY_PUBLIC_KEY are not set'],
  ])('%s', async (_what, args, env, message) => {
    const started = run(args, bareEnv({ ...ports, DATA_DIR: tmp, ...env }));
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(message);
  });
});

/** The test run's database (see global-setup), for processes started outside jest. */
function testDatabaseEnv(): Record<string, string> {
  const env: Record<string, string> = { DB_SEPARATE_ROLES: process.env.SHOP_TEST_SEPARATE_ROLES === 'true' ? 'true' : 'false' };
  for (const [key, value] of Object.entries(process.env)) {
    if (value && (key === 'DATABASE_URL' || key.endsWith('_DATABASE_URL') || key === 'REDIS_URL')) env[key] = value;
  }
  return env;
}

describe('start-up lines of real processes', () => {
  it.concurrent.each([
    ['payment', { PAYMENT_PORT: '0' }, ['[payment] WECHAT   SANDBOX (no money moves) (no WECHATPAY_* keys, PAYMENT_SANDBOX on)', '[payment] ALIPAY   SANDBOX (no money moves)', '[payment] BALANCE  wallet']],
    ['payment', { PAYMENT_PORT: '0', PAYMENT_SANDBOX: 'false', PAYMENT_METHODS: 'WECHAT,BALANCE' }, ['[payment] WECHAT   unavailable (no WECHATPAY_* keys, PAYMENT_SANDBOX off)', '[payment] BALANCE  wallet']],
    ['user', { USER_PORT: '0' }, ['[user] WeChat login: DEVELOPMENT stand-in, any code signs in']],
  ])('npm run start:subgraph -- %s %j says who serves what', async (name, env, lines) => {
    const started = run(['scripts/start-subgraph.ts', name], bareEnv({ NODE_ENV: 'development', DATA_DIR: fs.mkdtempSync(path.join(tmp, 'data-')), ...testDatabaseEnv(), ...env }));
    await started.waitFor(/Ready in/);
    for (const line of lines) expect(started.output()).toContain(line);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  }, 120_000);
});

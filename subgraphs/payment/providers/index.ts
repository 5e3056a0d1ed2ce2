/**
 * Which providers this process uses: the real APIs when their merchant keys are configured (a partial set never gets
 * here: config.ts refuses it at start-up), otherwise the local sandboxes when PAYMENT_SANDBOX is on (one per process,
 * shared by every payment instance in it, like a real provider; never in production, off a loopback HOST only when
 * asked for: platform/modes.ts), otherwise nothing: the method is unavailable.
 */
import path from 'node:path';
import type { Config } from '../../../platform/config';
import { httpTransport } from './http';
import { WechatPayClient } from './wechat';
import { WechatSandbox } from './wechat-sandbox';
import { AlipayClient } from './alipay';
import { AlipaySandbox } from './alipay-sandbox';

export type ProviderMode = 'live' | 'sandbox' | 'off';

export interface Providers {
  wechat: WechatPayClient | null;
  alipay: AlipayClient | null;
  mode: { wechat: ProviderMode; alipay: ProviderMode };
  wechatSandbox?: WechatSandbox;
  alipaySandbox?: AlipaySandbox;
}

const SANDBOX_WECHAT_APPID = 'wxd0000000sandbox';
const SANDBOX_ALIPAY_APPID = '2021000000000000';
let wechatSandbox: WechatSandbox | undefined;
let alipaySandbox: AlipaySandbox | undefined;

/** The process's WeChat Pay sandbox (its RSA keys are generated on first use). */
/** The sandboxes' trades live under DATA_DIR (sandbox-store.ts), so every process of an installation shares them. */
const sandboxDir = (config: Pick<Config, 'dataDir'>) => path.join(config.dataDir, 'payment-sandbox');

export function sharedWechatSandbox(config: Pick<Config, 'dataDir'>): WechatSandbox {
  wechatSandbox ??= new WechatSandbox(SANDBOX_WECHAT_APPID, sandboxDir(config));
  return wechatSandbox;
}

export function sharedAlipaySandbox(config: Pick<Config, 'dataDir'>): AlipaySandbox {
  alipaySandbox ??= new AlipaySandbox(SANDBOX_ALIPAY_APPID, sandboxDir(config));
  return alipaySandbox;
}

export function createProviders(config: Config): Providers {
  const { wechat, alipay, notifyMaxSkewSeconds } = config.payment;
  const timeoutMs = config.wechat.timeoutMs;
  const providers: Providers = { wechat: null, alipay: null, mode: { wechat: 'off', alipay: 'off' } };

  const wechatLive = wechat.appId && wechat.mchId && wechat.merchantSerial && wechat.merchantPrivateKey && wechat.apiV3Key && wechat.platformPublicKey && wechat.platformSerial;
  if (wechatLive) {
    providers.wechat = new WechatPayClient(
      {
        appId: wechat.appId!,
        mchId: wechat.mchId!,
        merchantSerial: wechat.merchantSerial!,
        merchantPrivateKey: wechat.merchantPrivateKey!,
        apiV3Key: wechat.apiV3Key!,
        platformKeys: new Map([[wechat.platformSerial!, wechat.platformPublicKey!]]),
        apiBase: wechat.apiBase,
        maxSkewSeconds: notifyMaxSkewSeconds,
      },
      httpTransport(timeoutMs),
    );
    providers.mode.wechat = 'live';
  } else if (config.payment.sandbox && !config.isProduction) {
    const sandbox = sharedWechatSandbox(config);
    providers.wechat = new WechatPayClient(sandbox.merchant('https://api.mch.weixin.qq.com', notifyMaxSkewSeconds), sandbox.transport);
    providers.wechatSandbox = sandbox;
    providers.mode.wechat = 'sandbox';
  }

  if (alipay.appId && alipay.privateKey && alipay.alipayPublicKey) {
    providers.alipay = new AlipayClient(
      { appId: alipay.appId, privateKey: alipay.privateKey, alipayPublicKey: alipay.alipayPublicKey, gateway: alipay.gateway },
      httpTransport(timeoutMs),
    );
    providers.mode.alipay = 'live';
  } else if (config.payment.sandbox && !config.isProduction) {
    const sandbox = sharedAlipaySandbox(config);
    providers.alipay = new AlipayClient(sandbox.app('https://openapi.alipay.com/gateway.do'), sandbox.transport);
    providers.alipaySandbox = sandbox;
    providers.mode.alipay = 'sandbox';
  }
  return providers;
}

const SERVED_BY: Record<ProviderMode, string> = { live: 'real provider', sandbox: 'SANDBOX (no money moves)', off: 'unavailable' };

/**
 * One line per offered method saying what serves it, logged at start-up so an operator sees at a glance whether this
 * process takes real money, plays money, or refuses a method.
 */
export function describeProviders(providers: Providers, methods: readonly string[]): string[] {
  const why = (mode: ProviderMode, keys: string) =>
    mode === 'live' ? `${keys} set` : mode === 'sandbox' ? `no ${keys}, PAYMENT_SANDBOX on` : `no ${keys}, PAYMENT_SANDBOX off`;
  return methods.map((method) => {
    if (method === 'WECHAT') return `WECHAT   ${SERVED_BY[providers.mode.wechat]} (${why(providers.mode.wechat, 'WECHATPAY_* keys')})`;
    if (method === 'ALIPAY') return `ALIPAY   ${SERVED_BY[providers.mode.alipay]} (${why(providers.mode.alipay, 'ALIPAY_* keys')})`;
    if (method === 'BALANCE') return 'BALANCE  wallet (the shop\'s own ledger)';
    if (method === 'FAMILY_BALANCE') return 'FAMILY_BALANCE  family wallets (the shop\'s own ledger)';
    return `${method.padEnd(8)} unknown method, not offered`;
  }).map((line) => `[payment] ${line}`);
}

/**
 * WeChat Pay API v3 protocol, with node:crypto only (no SDK): request signing (the `Authorization:
 * WECHATPAY2-SHA256-RSA2048 …` header), response / notification signature verification, AEAD_AES_256_GCM
 * decryption of `resource`, and the mini-program `wx.requestPayment` parameters. Formats as in the official SDKs
 * (wechatpay-apiv3/wechatpay-go, wechatpay-node): every signed message is lines joined and ended by "\n".
 */
import crypto from 'node:crypto';

export const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
/** WeChat's probe notifications carry signatures starting with this: they must fail verification. */
export const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

export const nonce = (bytes = 16) => crypto.randomBytes(bytes).toString('hex').toUpperCase();
export const unixSeconds = (now = Date.now()) => Math.floor(now / 1000);

/** Lines joined with "\n" and terminated by one: the shape of every v3 signature message. */
export const signedMessage = (...lines: string[]) => lines.map((line) => `${line}\n`).join('');

export function rsaSign(message: string | Buffer, privateKeyPem: string): string {
  return crypto.createSign('RSA-SHA256').update(message).sign(privateKeyPem, 'base64');
}

/** RSA-SHA256 only (the algorithm is pinned, never taken from the message). */
export function rsaVerify(message: string | Buffer, signatureBase64: string, publicKeyPem: string): boolean {
  try {
    return crypto.createVerify('RSA-SHA256').update(message).verify(publicKeyPem, signatureBase64, 'base64');
  } catch {
    return false;
  }
}

/** The Authorization header of a merchant request: signs "METHOD\nURL(path+query)\ntimestamp\nnonce\nbody\n". */
export function authorization(input: {
  method: string;
  pathWithQuery: string;
  body: string;
  mchId: string;
  serialNo: string;
  privateKeyPem: string;
  now?: number;
}): string {
  const timestamp = String(unixSeconds(input.now));
  const nonceStr = nonce();
  const signature = rsaSign(signedMessage(input.method.toUpperCase(), input.pathWithQuery, timestamp, nonceStr, input.body), input.privateKeyPem);
  return `${SIGNATURE_TYPE} mchid="${input.mchId}",nonce_str="${nonceStr}",signature="${signature}",timestamp="${timestamp}",serial_no="${input.serialNo}"`;
}

/** Parses `WECHATPAY2-SHA256-RSA2048 k="v",…` (what the platform — or the sandbox — checks). */
export function parseAuthorization(header: string | undefined): Record<string, string> | null {
  if (!header?.startsWith(`${SIGNATURE_TYPE} `)) return null;
  const fields: Record<string, string> = {};
  for (const match of header.slice(SIGNATURE_TYPE.length + 1).matchAll(/(\w+)="([^"]*)"/g)) fields[match[1]] = match[2];
  return fields;
}

/** Headers of a signed platform response or notification. */
export interface WechatSignedHeaders {
  'wechatpay-timestamp': string;
  'wechatpay-nonce': string;
  'wechatpay-signature': string;
  'wechatpay-serial': string;
  'wechatpay-signature-type': string;
}

export function signPlatformMessage(body: string, serial: string, privateKeyPem: string, now = Date.now()): WechatSignedHeaders {
  const timestamp = String(unixSeconds(now));
  const nonceStr = nonce();
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonceStr,
    'wechatpay-signature': rsaSign(signedMessage(timestamp, nonceStr, body), privateKeyPem),
    'wechatpay-serial': serial,
    'wechatpay-signature-type': SIGNATURE_TYPE,
  };
}

export type VerifyFailure = 'MISSING_HEADERS' | 'SIGNTEST' | 'STALE_TIMESTAMP' | 'UNKNOWN_SERIAL' | 'BAD_SIGNATURE' | 'BAD_SIGNATURE_TYPE';

/**
 * Verifies a platform response or notification on its raw body bytes: the four Wechatpay-* headers, a timestamp
 * within `maxSkewSeconds`, RSA-SHA256 over "<timestamp>\n<nonce>\n<body>\n" with the platform key chosen by serial.
 */
export function verifyPlatformSignature(
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
  platformKeys: ReadonlyMap<string, string>,
  maxSkewSeconds: number,
  now = Date.now(),
): VerifyFailure | null {
  const get = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const timestamp = get('wechatpay-timestamp');
  const nonceStr = get('wechatpay-nonce');
  const signature = get('wechatpay-signature');
  const serial = get('wechatpay-serial');
  if (!timestamp || !nonceStr || !signature || !serial) return 'MISSING_HEADERS';
  if (signature.startsWith(SIGNTEST_PREFIX)) return 'SIGNTEST';
  const type = get('wechatpay-signature-type');
  if (type !== undefined && type !== SIGNATURE_TYPE) return 'BAD_SIGNATURE_TYPE';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(unixSeconds(now) - Number(timestamp)) > maxSkewSeconds) return 'STALE_TIMESTAMP';
  const key = platformKeys.get(serial);
  if (!key) return 'UNKNOWN_SERIAL';
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonceStr}\n`), rawBody, Buffer.from('\n')]);
  return rsaVerify(message, signature, key) ? null : 'BAD_SIGNATURE';
}

/** `resource` of a notification: AEAD_AES_256_GCM with the APIv3 key; the last 16 bytes of ciphertext are the tag. */
export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

export function encryptResource(plaintext: string, apiV3Key: string, associatedData: string, originalType: string): EncryptedResource {
  const iv = nonce(6); // 12 characters, as WeChat sends
  const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(iv, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: encrypted.toString('base64'), associated_data: associatedData, nonce: iv };
}

/** Decrypts `resource`; throws when the algorithm is not AEAD_AES_256_GCM or the tag does not match (tampering). */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new Error(`unsupported algorithm ${resource.algorithm}`);
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length < 17) throw new Error('ciphertext too short');
  const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(resource.nonce, 'utf8'));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

/** What `wx.requestPayment` takes: paySign = RSA-SHA256 over "appId\ntimeStamp\nnonceStr\npackage\n" with the merchant key. */
export interface WechatClientParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export function clientParams(appId: string, prepayId: string, merchantPrivateKeyPem: string, now = Date.now()): WechatClientParams {
  const timeStamp = String(unixSeconds(now));
  const nonceStr = nonce();
  const pkg = `prepay_id=${prepayId}`;
  return { appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign: rsaSign(signedMessage(appId, timeStamp, nonceStr, pkg), merchantPrivateKeyPem) };
}

/** The decrypted transaction of a TRANSACTION.SUCCESS notification (and of a query by out_trade_no). */
export interface WechatTransaction {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_type?: string;
  trade_state: 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';
  trade_state_desc?: string;
  success_time?: string;
  payer?: { openid: string };
  amount?: { total: number; payer_total?: number; currency: string; payer_currency?: string };
}

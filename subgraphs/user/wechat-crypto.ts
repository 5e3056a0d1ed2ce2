/**
 * WeChat's encrypted user data (wx.getUserInfo, the getPhoneNumber button's `encryptedData` + `iv`): AES-128-CBC under
 * the login's session key, all three base64, PKCS#7 padding; the plaintext is JSON whose `watermark.appid` names the
 * mini-program it was made for. Data that does not decrypt, is not JSON, or carries another app id is refused
 * (BAD_USER_INPUT): CBC has no integrity of its own, so the watermark is what ties the data to us.
 */
import crypto from 'node:crypto';
import { badInput, shopError } from '../../platform/errors';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Generous: a phone payload is ~200 bytes, a user profile ~600. */
const MAX_ENCRYPTED_CHARS = 8192;

function decode(value: string, field: string, exactBytes?: number): Buffer {
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > MAX_ENCRYPTED_CHARS || !BASE64.test(trimmed) || trimmed.length % 4 !== 0) {
    throw badInput(`${field} is not base64`, field);
  }
  const bytes = Buffer.from(trimmed, 'base64');
  if (exactBytes !== undefined && bytes.length !== exactBytes) throw badInput(`${field} must be ${exactBytes} bytes`, field);
  return bytes;
}

/** The decrypted JSON object; throws BAD_USER_INPUT (extensions.reason) for anything not made by WeChat for `appId`. */
export function decryptWechatData(sessionKey: string, encryptedData: string, iv: string, appId: string): Record<string, unknown> {
  const key = Buffer.from(sessionKey, 'base64');
  if (key.length !== 16) throw new Error('WeChat session key is not 16 bytes');
  const ciphertext = decode(encryptedData, 'encryptedData');
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw badInput('encryptedData is not AES-128-CBC ciphertext', 'encryptedData');
  const ivBytes = decode(iv, 'iv', 16);
  let plaintext: string;
  try {
    const decipher = crypto.createDecipheriv('aes-128-cbc', key, ivBytes);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw refused('The encrypted data does not decrypt with this login’s session key (call wx.login() again, then retry)', 'UNDECRYPTABLE');
  }
  let data: unknown;
  try {
    data = JSON.parse(plaintext);
  } catch {
    throw refused('The encrypted data is damaged', 'UNDECRYPTABLE');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw refused('The encrypted data is damaged', 'UNDECRYPTABLE');
  const watermark = (data as { watermark?: { appid?: unknown } }).watermark;
  if (!watermark || watermark.appid !== appId) throw refused('The encrypted data was made for another mini-program', 'WATERMARK_MISMATCH');
  return data as Record<string, unknown>;
}

const refused = (message: string, reason: string) => shopError('BAD_USER_INPUT', message, { field: 'encryptedData', reason });

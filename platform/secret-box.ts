/**
 * Seals small secrets at rest with AES-256-GCM (the open platform's app secrets, docs/open-platform.md): HMAC
 * signatures need the secret itself, so a one-way hash cannot be stored. Format: base64url `iv.tag.ciphertext`,
 * a fresh 12-byte IV per seal; the associated data binds a sealed value to its owner (an app key), so a row's
 * secret copied onto another row does not open.
 */
import crypto from 'node:crypto';

export function seal(key: Buffer, plaintext: string, associatedData: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
}

/** Opens a sealed value; throws when it was sealed with another key or for another owner, or was altered. */
export function open(key: Buffer, sealed: string, associatedData: string): string {
  const [iv, tag, body, extra] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body || extra !== undefined || iv.length !== 12 || tag.length !== 16) throw new Error('malformed sealed value');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

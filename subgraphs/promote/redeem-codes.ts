/** Redeem codes: random, unguessable, and easy to type from a screen or a printed card. */
import crypto from 'node:crypto';

/** No 0/O, 1/I/L: characters nobody mistakes for one another. 31 symbols x 12 = about 59 bits per code. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_LENGTH = 12;

export function generateCodes(count: number): string[] {
  return Array.from({ length: count }, () => {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)];
    return code;
  });
}

/** What a shopper typed, as stored: case, spaces and dashes do not matter. Null when it cannot be a code. */
export function normalizeCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== CODE_LENGTH || [...code].some((ch) => !CODE_ALPHABET.includes(ch))) return null;
  return code;
}

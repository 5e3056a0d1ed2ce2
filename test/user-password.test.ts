/** platform/password.ts: scrypt hashes with a random salt, in a self-describing string, compared in constant time. */
import { burnPasswordCheck, DEFAULT_SCRYPT_PARAMS, hashPassword, needsRehash, verifyPassword } from '../platform/password';

it('hashes to scrypt$N$r$p$salt$hash with a fresh salt each time, and verifies only the right password', async () => {
  const [a, b] = await Promise.all([hashPassword('correct horse 1'), hashPassword('correct horse 1')]);
  expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  expect(a).not.toBe(b);
  expect(await verifyPassword('correct horse 1', a)).toBe(true);
  expect(await verifyPassword('correct horse 2', a)).toBe(false);
  expect(await verifyPassword('', a)).toBe(false);
});

it('matches the same password typed in another Unicode form (NFKC)', async () => {
  const stored = await hashPassword('ｐａｓｓ１２３４'); // full-width, as some IMEs type it
  expect(await verifyPassword('pass1234', stored)).toBe(true);
});

it('verifies hashes made with other parameters, and says they need re-hashing', async () => {
  const cheap = await hashPassword('secret123', { N: 1024, r: 8, p: 1 });
  expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
  expect(await verifyPassword('secret123', cheap)).toBe(true);
  expect(needsRehash(cheap)).toBe(true);
  expect(needsRehash(await hashPassword('secret123', DEFAULT_SCRYPT_PARAMS))).toBe(false);
});

it.each([
  ['empty', ''],
  ['another scheme', '$2b$10$abcdefghijklmnopqrstuv'],
  ['missing parts', 'scrypt$16384$8$1$c2FsdA'],
  ['absurd cost', 'scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'],
  ['N not a power of two', 'scrypt$1000$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'],
])('treats an unreadable stored hash (%s) as a mismatch, never an error', async (_case, stored) => {
  expect(await verifyPassword('secret123', stored)).toBe(false);
  expect(needsRehash(stored)).toBe(true);
});

it('burns the same scrypt work for unknown accounts', async () => {
  await expect(burnPasswordCheck('anything1')).resolves.toBeUndefined();
});

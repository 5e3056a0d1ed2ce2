/**
 * Terminals (设备/终端, docs/back-office.md): a device bound to one store. Store staff issue a one-time binding code
 * (10 minutes); the device binds itself with it and receives a device secret, shown once and stored only as its
 * sha256. The terminal signs in with the secret (`terminalSignIn`) as its own account — a staff account with the
 * `terminal` role (store:operate) assigned to its store only — so its tokens are ordinary access tokens: the router
 * verifies them, sessions and revocation work as for people, and every store check treats it like store staff.
 * Revoking ends its sessions at once and refuses its secret from then on.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { badInput, notFound, shopError, unauthenticated } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { SessionRevocations } from '../../platform/session-revocation';
import { endSessions, requireStoreAccess, type Reach } from './back-office';
import { findByIds } from './data/directory';
import type { StoreRow } from './data/directory';
import { grantRole } from './data/roles';
import { insertStaffAccount, replaceAccountStores } from './data/staff-accounts';
import {
  attachTerminalToCode,
  findTerminalBySecret,
  findTerminalsByIds,
  insertBindingCode,
  insertTerminal,
  markTerminalRevoked,
  spendBindingCode,
  touchTerminal,
  type TerminalRow,
} from './data/terminals';
import { findUserById, insertUser } from './data/users';
import { ensureStaffRoles } from './staff';
import { startSession, type AuthResult } from './tokens';

export const BINDING_CODE_TTL_MS = 10 * 60 * 1000;
/** Unambiguous upper-case letters and digits (no 0/O, 1/I): read off one screen and typed into another. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
const normalizeCode = (raw: string) => raw.replace(/[\s-]/g, '').toUpperCase();

function randomCode(): string {
  let code = '';
  for (const byte of crypto.randomBytes(CODE_LENGTH)) code += ALPHABET[byte % ALPHABET.length];
  return code;
}

export async function issueBindingCode(db: Knex, userId: string, storeCode: string): Promise<{ code: string; storeCode: string; expiresAt: string }> {
  const access = await requireStoreAccess(db, userId, storeCode);
  const code = randomCode();
  const expiresAt = new Date(Date.now() + BINDING_CODE_TTL_MS);
  await insertBindingCode(db, { code_hash: sha256(code), store_id: access.storeId!, issued_by: userId, expires_at: expiresAt });
  return { code, storeCode: access.storeCode, expiresAt: expiresAt.toISOString() };
}

const INVALID = () => shopError('BAD_USER_INPUT', 'This binding code is unknown, used or expired', { field: 'code', reason: 'CODE_INVALID' });

/** Binds a device: spends the code once (concurrent bindings with one code → one terminal) and makes its account. */
export async function bindTerminal(db: Knex, rawCode: string, rawName: string, rawDeviceId: string | null | undefined) {
  const code = normalizeCode(rawCode);
  if (code.length !== CODE_LENGTH) throw INVALID();
  const name = rawName.trim();
  if (!name || [...name].length > 64 || /\p{Cc}/u.test(name)) throw badInput('The name is 1–64 characters', 'name');
  const deviceId = rawDeviceId?.trim() || null;
  if (deviceId && !/^[\x21-\x7e]{1,64}$/.test(deviceId)) throw badInput('The device id is 1–64 printable ASCII characters', 'deviceId');
  const deviceSecret = crypto.randomBytes(32).toString('base64url');
  const terminal = await db.transaction(async (trx) => {
    const spent = await spendBindingCode(trx, sha256(code));
    if (!spent) throw INVALID();
    const roles = await ensureStaffRoles(trx);
    const user = await insertUser(trx, { nickname: name });
    await insertStaffAccount(trx, { user_id: user.id, real_name: name, phone: null, all_stores: false, created_by: spent.issued_by });
    await replaceAccountStores(trx, user.id, [spent.store_id]);
    await grantRole(trx, user.id, roles.terminal);
    const row = await insertTerminal(trx, {
      store_id: spent.store_id,
      user_id: user.id,
      name,
      device_id: deviceId,
      secret_hash: sha256(deviceSecret),
      bound_by: spent.issued_by,
    });
    await attachTerminalToCode(trx, sha256(code), row.id);
    return row;
  });
  return { terminal, deviceSecret };
}

export async function terminalSignIn(db: Knex, config: Config, deviceSecret: string): Promise<AuthResult> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(deviceSecret)) throw unauthenticated('Unknown or revoked terminal');
  const terminal = await findTerminalBySecret(db, sha256(deviceSecret));
  if (!terminal || terminal.revoked_at) throw unauthenticated('Unknown or revoked terminal');
  return db.transaction(async (trx) => {
    await touchTerminal(trx, terminal.id);
    const user = (await findUserById(trx, terminal.user_id))!;
    return startSession(trx, config, user, 'terminal');
  });
}

/** The terminal, if the caller reaches its store (store:admin's reach, or store:operate access to the store). */
export async function terminalInReach(db: Knex, userId: string, reach: Reach | null, id: string): Promise<TerminalRow> {
  const [terminal] = isBigintId(id) ? await findTerminalsByIds(db, [id]) : [];
  if (!terminal) throw notFound('No such terminal');
  if (reach?.all || reach?.storeIds.includes(String(terminal.store_id))) return terminal;
  const [store] = await findByIds<StoreRow>(db, 'stores', [terminal.store_id]);
  try {
    await requireStoreAccess(db, userId, store.code);
  } catch {
    throw notFound('No such terminal');
  }
  return terminal;
}

export async function revokeTerminal(db: Knex, revocations: SessionRevocations, terminal: TerminalRow): Promise<TerminalRow> {
  const revoked = (await markTerminalRevoked(db, terminal.id))!;
  await endSessions(db, revocations, terminal.user_id, 'disabled');
  return revoked;
}

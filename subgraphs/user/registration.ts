/**
 * UserRegistered: appended in the transaction that creates an account (every creation path: register, SMS register,
 * SMS quick login creating the account, first WeChat login creating a half account), so other subgraphs learn of new
 * accounts exactly once and never of an existing one (promote records invitations from it; docs/invites.md).
 */
import type { Knex } from 'knex';
import { appendEvent } from '../../platform/events';
import { badInput } from '../../platform/errors';

/** The stream of account lifecycle events. */
export const USER_STREAM = 'shop.user.user';
export const USER_REGISTERED = 'UserRegistered';

export interface UserRegisteredPayload {
  userId: string;
  /** The invite code the new shopper signed up with, as given (promote decides whether it names an inviter). */
  inviteCode: string | null;
  registeredAt: string;
}

/** Invite codes are promote's (letters and digits); anything else is refused here, before an account is made. */
const INVITE_CODE = /^[A-Za-z0-9]{4,32}$/;

/** The optional invite code of a sign-up: trimmed, empty is none, malformed is BAD_USER_INPUT. */
export function validateInviteCode(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const code = raw.trim();
  if (!code) return null;
  if (!INVITE_CODE.test(code)) throw badInput('The invite code is malformed (4 to 32 letters and digits)', 'inviteCode');
  return code.toUpperCase();
}

export async function publishUserRegistered(trx: Knex.Transaction, userId: string, inviteCode: string | null): Promise<void> {
  const payload: UserRegisteredPayload = { userId: String(userId), inviteCode, registeredAt: new Date().toISOString() };
  await appendEvent(trx, { stream: USER_STREAM, type: USER_REGISTERED, aggregateId: String(userId), payload });
}

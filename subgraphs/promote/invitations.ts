/**
 * Invitations (docs/invites.md): promote learns new accounts from the user subgraph's UserRegistered (stream
 * shop.user.user) and records the invitation named by its invite code, once (processed_events + the invitee's primary
 * key), with the invitee's new-user coupon and the inviter's reward. The stream and payload are the user subgraph's
 * (subgraphs/user/registration.ts); promote keeps its own copy of the shape so the subgraphs do not import each other.
 */
import type { InviteConfig } from '../../platform/config';
import type { EventConsumerSpec } from '../../platform/events';
import { isBigintId } from '../../platform/loaders';
import { recordInvitation } from './data/invitations';

export const USER_STREAM = 'shop.user.user';
export const USER_REGISTERED = 'UserRegistered';

export interface UserRegisteredPayload {
  userId: string;
  inviteCode: string | null;
  registeredAt: string;
}

const INVITE_CODE = /^[A-Za-z0-9]{4,32}$/;

export function recordInvitations(config: InviteConfig): EventConsumerSpec<UserRegisteredPayload> {
  return {
    stream: USER_STREAM,
    types: [USER_REGISTERED],
    effect: async (event, trx) => {
      const { userId, inviteCode } = event.payload;
      // No code, or one no code can be (the user subgraph checks too): a plain sign-up, nothing to record.
      if (!inviteCode || !INVITE_CODE.test(inviteCode) || !isBigintId(String(userId))) return;
      await recordInvitation(trx, String(userId), inviteCode.toUpperCase(), config);
    },
  };
}

/** Opaque page cursor of myInvites: the keyset of the last invitation shown. */
export function encodeCursor(createdAt: Date, inviteeId: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), String(inviteeId)])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; inviteeId: string } | null {
  try {
    const [createdAt, inviteeId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || typeof inviteeId !== 'string' || !isBigintId(inviteeId)) return null;
    return { createdAt, inviteeId };
  } catch {
    return null;
  }
}

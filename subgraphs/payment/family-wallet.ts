/**
 * Family wallets (docs/family-wallets.md): a family's own balance and bills, owned here like the user wallet.
 * Who: the family's owner and its members read it (they see the family itself, docs/families.md); only the owner
 * spends it (payOrder FAMILY_BALANCE) — as only the owner changes a family. Anyone else gets NOT_FOUND, as for a
 * family that does not exist. Funded by staff credit (scope payment:refund, like creditWallet) and by refunds of
 * payments made from it; there is no shopper top-up (see the docs).
 */
import { requireScope, requireUser } from '../../platform/context';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { PaymentContext } from './context';
import { bookFamily, familyBalance, type FamilyWalletEntryRow } from './data/family-wallet';
import type { FamilyForPayment } from './user-client';

/** A family balance never grows past this by credits (¥10,000,000): far below Int, leaving room for refunds. */
export const FAMILY_BALANCE_CREDIT_LIMIT = 1_000_000_000;

export type FamilyRole = 'OWNER' | 'MEMBER';

export function roleIn(family: FamilyForPayment | null, userId: string): FamilyRole | null {
  if (!family) return null;
  if (family.ownerId === userId) return 'OWNER';
  return family.memberUserIds.includes(userId) ? 'MEMBER' : null;
}

/** The family, when the signed-in shopper owns it or belongs to it; NOT_FOUND otherwise. */
export async function visibleFamily(context: PaymentContext, familyId: string): Promise<{ family: FamilyForPayment; role: FamilyRole }> {
  const userId = requireUser(context);
  const family = isBigintId(familyId) ? await context.loaders.familyForPayment.load(familyId) : null;
  const role = roleIn(family, userId);
  if (!family || !role) throw notFound('Family not found');
  return { family, role };
}

/** The wallet of a family the viewer may see (its fields load what is asked for). */
export interface FamilyWalletRef {
  familyId: string;
  role: FamilyRole;
}

export async function familyWallet(context: PaymentContext, familyId: string): Promise<FamilyWalletRef> {
  const { family, role } = await visibleFamily(context, familyId);
  return { familyId: family.id, role };
}

export const readBalance = (context: PaymentContext, familyId: string) => familyBalance(context.db, familyId);

/** Staff (payment:refund): adds money to a family's wallet, once per idempotency key. */
export async function creditFamilyWallet(
  context: PaymentContext,
  input: { familyId: string; amount: number; note: string; idempotencyKey: string },
): Promise<FamilyWalletEntryRow> {
  const staffId = requireScope(context, 'payment:refund');
  const max = context.config.money.maxOrderTotalFen;
  if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > max) throw badInput(`The amount must be between 1 and ${max} fen`, 'amount');
  if (!/^[A-Za-z0-9_\-:.]{8,64}$/.test(input.idempotencyKey)) throw badInput('idempotencyKey: 8 to 64 letters, digits or _-:.', 'idempotencyKey');
  const note = input.note.trim();
  if (!note || note.length > 200) throw badInput('The note must be 1 to 200 characters', 'note');
  const family = isBigintId(input.familyId) ? await context.loaders.familyForPayment.load(input.familyId) : null;
  if (!family) throw notFound('Family not found');
  const ref = `credit:${input.idempotencyKey}`;
  const entry = await context.db.transaction((trx) =>
    bookFamily(trx, { familyId: family.id, amount: input.amount, kind: 'CREDIT', ref, note, actor: `staff:${staffId}`, maxBalance: FAMILY_BALANCE_CREDIT_LIMIT }),
  );
  if (!entry) {
    throw shopError('CONFLICT', `A family balance cannot exceed ${FAMILY_BALANCE_CREDIT_LIMIT} fen`, { reason: 'BALANCE_LIMIT', max: FAMILY_BALANCE_CREDIT_LIMIT });
  }
  // The same key again is the same credit; the same key for another family or amount is a mistake.
  if (String(entry.family_id) !== family.id || entry.amount !== input.amount) {
    throw shopError('CONFLICT', 'This idempotency key was already used for another credit');
  }
  return entry;
}

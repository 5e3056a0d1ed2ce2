/**
 * The shop's return addresses (seed 000 `/order/reverse/return-address`): staff with order:write list, create, update
 * and delete them; one is the default (the first one created is, until another is made the default; deleting the
 * default makes the oldest address left the default). Approving an
 * after-sales request that sends goods back copies the chosen (or default) address onto the request, so the shopper
 * sees where to send the parcel, and later edits or deletions do not move it.
 */
import { requireScope } from '../../platform/context';
import { badInput, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { OrderContext } from './context';
import type { ReturnAddressSnapshot } from './data/after-sales';
import {
  clearDefaultReturnAddress,
  deleteReturnAddress as softDelete,
  ensureDefaultReturnAddress,
  findDefaultReturnAddress,
  findReturnAddress,
  insertReturnAddress,
  listReturnAddresses,
  lockReturnAddresses,
  updateReturnAddress as updateRow,
  type ReturnAddressFields,
  type ReturnAddressRow,
} from './data/return-addresses';

export interface ReturnAddressInput {
  label?: string | null;
  contactName?: string | null;
  phone?: string | null;
  province?: string | null;
  city?: string | null;
  district?: string | null;
  detail?: string | null;
  isDefault?: boolean | null;
}

const LIMITS: Record<keyof Omit<ReturnAddressInput, 'isDefault'>, [column: keyof ReturnAddressFields, max: number]> = {
  label: ['label', 64],
  contactName: ['contact_name', 64],
  phone: ['phone', 32],
  province: ['province', 64],
  city: ['city', 64],
  district: ['district', 64],
  detail: ['detail', 200],
};
const PHONE = /^[0-9+\- ]{5,32}$/;

/** The given fields as columns, each 1..max characters, NUL-free; `complete` requires every one. */
function fieldsOf(input: ReturnAddressInput, complete: boolean): Partial<ReturnAddressFields> {
  const fields: Partial<ReturnAddressFields> = {};
  for (const [name, [column, max]] of Object.entries(LIMITS) as [keyof typeof LIMITS, [keyof ReturnAddressFields, number]][]) {
    const raw = input[name];
    if (raw === undefined || raw === null) {
      if (complete) throw badInput(`${name} is required`, name);
      continue;
    }
    const text = raw.trim();
    if (!text || text.length > max || text.includes('\u0000')) throw badInput(`${name} must be 1 to ${max} characters`, name);
    if (name === 'phone' && !PHONE.test(text)) throw badInput('phone must be 5 to 32 digits, spaces, + or -', name);
    fields[column] = text;
  }
  return fields;
}

const noSuchAddress = () => notFound('No such return address');

export async function returnAddresses(context: OrderContext): Promise<ReturnAddressRow[]> {
  requireScope(context, 'order:write');
  return listReturnAddresses(context.db);
}

export async function createReturnAddress(context: OrderContext, input: ReturnAddressInput): Promise<ReturnAddressRow> {
  requireScope(context, 'order:write');
  const fields = fieldsOf(input, true) as ReturnAddressFields;
  return context.db.transaction(async (trx) => {
    await lockReturnAddresses(trx);
    const first = !(await findDefaultReturnAddress(trx));
    const isDefault = first || Boolean(input.isDefault);
    if (isDefault) await clearDefaultReturnAddress(trx);
    return insertReturnAddress(trx, { ...fields, is_default: isDefault });
  });
}

export async function updateReturnAddress(context: OrderContext, id: string, input: ReturnAddressInput): Promise<ReturnAddressRow> {
  requireScope(context, 'order:write');
  const fields = fieldsOf(input, false);
  if (!isBigintId(id)) throw noSuchAddress();
  return context.db.transaction(async (trx) => {
    await lockReturnAddresses(trx);
    if (!(await findReturnAddress(trx, id))) throw noSuchAddress();
    // Making one the default takes it off the others; un-defaulting is done by making another the default.
    if (input.isDefault) await clearDefaultReturnAddress(trx);
    const row = await updateRow(trx, id, { ...fields, ...(input.isDefault ? { is_default: true } : {}) });
    if (!row) throw noSuchAddress();
    return row;
  });
}

export async function deleteReturnAddress(context: OrderContext, id: string): Promise<boolean> {
  requireScope(context, 'order:write');
  if (!isBigintId(id)) throw noSuchAddress();
  return context.db.transaction(async (trx) => {
    await lockReturnAddresses(trx);
    if (!(await softDelete(trx, id))) throw noSuchAddress();
    // Deleting the default hands the flag to the oldest address left, so approvals keep a visible default.
    await ensureDefaultReturnAddress(trx);
    return true;
  });
}

export function snapshotOf(row: ReturnAddressRow): ReturnAddressSnapshot {
  return {
    id: String(row.id),
    label: row.label,
    contactName: row.contact_name,
    phone: row.phone,
    province: row.province,
    city: row.city,
    district: row.district,
    detail: row.detail,
  };
}

/** The address to copy onto an approved request: the one staff named, else the default; null when the shop has none. */
export async function chooseReturnAddress(context: OrderContext, id: string | null | undefined): Promise<ReturnAddressSnapshot | null> {
  if (id) {
    const row = isBigintId(id) ? await findReturnAddress(context.db, id) : undefined;
    if (!row) throw badInput('No such return address', 'returnAddressId');
    return snapshotOf(row);
  }
  const fallback = await findDefaultReturnAddress(context.db);
  return fallback ? snapshotOf(fallback) : null;
}

/**
 * Staff (order:write) keep the carrier list shipments name (docs/logistics.md, "Carriers"): add a carrier (its Kuaidi100
 * company code, a name, other spellings), rename it or change its spellings, deactivate or reactivate it. The code
 * never changes (Kuaidi100 subscriptions and shipments refer to it). A deactivated carrier leaves `carriers` and can no
 * longer be named by a new shipment; its shipments keep it. No two active carriers answer to the same spelling
 * (code, name or alias, case-insensitive): shipOrder's free-text carrier must name exactly one (CONFLICT otherwise).
 */
import type { Knex } from 'knex';
import { requireScope } from '../../platform/context';
import { badInput, notFound, shopError } from '../../platform/errors';
import type { OrderContext } from './context';
import { carriersNamed, findCarrierByCode, insertCarrier, listAllCarriers, lockCarrierWrites, updateCarrier as updateRow } from './data/carriers';
import type { CarrierRow } from './data/shipments';

/** Kuaidi100's `com` codes: lower-case letters and digits. */
const CODE = /^[a-z0-9]{1,32}$/;
const MAX_TEXT = 32;
const MAX_ALIASES = 10;

export interface CarrierInput {
  code: string;
  name: string;
  aliases?: readonly string[] | null;
}

export interface CarrierUpdateInput {
  name?: string | null;
  aliases?: readonly string[] | null;
  active?: boolean | null;
}

function text(raw: string, field: string): string {
  const value = raw.trim();
  if (!value || [...value].length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(value)) throw badInput(`${field}: 1 to ${MAX_TEXT} characters, no control characters`, field);
  return value;
}

function aliasesOf(raw: readonly string[]): string[] {
  if (raw.length > MAX_ALIASES) throw badInput(`At most ${MAX_ALIASES} aliases`, 'aliases');
  const seen = new Set<string>();
  return raw.map((alias) => text(alias, 'aliases')).filter((alias) => !seen.has(alias.toLowerCase()) && Boolean(seen.add(alias.toLowerCase())));
}

/** CONFLICT when another active carrier answers to one of the spellings of `carrier`. */
async function assertSpellingsFree(trx: Knex, carrier: Pick<CarrierRow, 'code' | 'name' | 'aliases'>): Promise<void> {
  const clash = await carriersNamed(trx, [carrier.code, carrier.name, ...carrier.aliases], carrier.code);
  if (clash.length) {
    throw shopError('CONFLICT', `Carrier ${clash[0].code} (${clash[0].name}) already answers to one of these spellings`, {
      reason: 'CARRIER_NAME_TAKEN',
      carrierCode: clash[0].code,
    });
  }
}

export async function allCarriers(context: OrderContext): Promise<CarrierRow[]> {
  requireScope(context, 'order:write');
  return listAllCarriers(context.db);
}

export async function createCarrier(context: OrderContext, input: CarrierInput): Promise<CarrierRow> {
  requireScope(context, 'order:write');
  const code = input.code.trim();
  if (!CODE.test(code)) throw badInput("code: Kuaidi100's company code, 1 to 32 lower-case letters or digits", 'code');
  const carrier = { code, name: text(input.name, 'name'), aliases: aliasesOf(input.aliases ?? []) };
  return context.db.transaction(async (trx) => {
    await lockCarrierWrites(trx);
    if (await findCarrierByCode(trx, code)) throw shopError('CONFLICT', `Carrier ${code} exists already`, { reason: 'CARRIER_EXISTS' });
    await assertSpellingsFree(trx, carrier);
    return insertCarrier(trx, carrier);
  });
}

export async function updateCarrier(context: OrderContext, code: string, input: CarrierUpdateInput): Promise<CarrierRow> {
  requireScope(context, 'order:write');
  const changes: Partial<Pick<CarrierRow, 'name' | 'aliases' | 'active'>> = {};
  if (input.name != null) changes.name = text(input.name, 'name');
  if (input.aliases != null) changes.aliases = aliasesOf(input.aliases);
  if (input.active != null) changes.active = input.active;
  return context.db.transaction(async (trx) => {
    await lockCarrierWrites(trx);
    const current = await findCarrierByCode(trx, code);
    if (!current) throw notFound('No such carrier');
    if (!Object.keys(changes).length) return current;
    const next = { ...current, ...changes };
    if (next.active) await assertSpellingsFree(trx, next);
    return updateRow(trx, code, changes);
  });
}

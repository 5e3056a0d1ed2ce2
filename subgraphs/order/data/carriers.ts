/** Data access for staff's carrier list changes (reads for shipments are in shipments.ts). Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import type { CarrierRow } from './shipments';

/** Every carrier, inactive ones included, in list order. */
export async function listAllCarriers(db: Knex): Promise<CarrierRow[]> {
  return db<CarrierRow>('carriers').orderBy('sort').orderBy('code');
}

/**
 * Carrier writes take turns: a table lock that lets reads (shipOrder's carrier lookup) go on but serializes writers,
 * so two staff cannot give two carriers the same spelling at once. Carrier changes are rare.
 */
export async function lockCarrierWrites(trx: Knex.Transaction): Promise<void> {
  await trx.raw('LOCK TABLE carriers IN SHARE ROW EXCLUSIVE MODE');
}

/** The other active carriers answering to any of these spellings (code, name or alias; case-insensitive). */
export async function carriersNamed(trx: Knex, spellings: readonly string[], exceptCode: string | null): Promise<CarrierRow[]> {
  const lower = spellings.map((s) => s.toLowerCase());
  const { rows } = await trx.raw<{ rows: CarrierRow[] }>(
    `SELECT * FROM carriers
      WHERE active AND (?::text IS NULL OR code <> ?)
        AND (lower(code) = ANY(?) OR lower(name) = ANY(?) OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(aliases) a WHERE lower(a) = ANY(?)))`,
    [exceptCode, exceptCode, lower, lower, lower],
  );
  return rows;
}

export async function findCarrierByCode(trx: Knex, code: string): Promise<CarrierRow | undefined> {
  return trx<CarrierRow>('carriers').where({ code }).first();
}

export async function insertCarrier(trx: Knex, carrier: Pick<CarrierRow, 'code' | 'name' | 'aliases'>): Promise<CarrierRow> {
  const [row] = await trx<CarrierRow>('carriers')
    .insert({
      code: carrier.code,
      name: carrier.name,
      aliases: JSON.stringify(carrier.aliases) as never,
      // Added carriers go to the end of the list.
      sort: trx.raw('(SELECT COALESCE(max(sort), -1) + 1 FROM carriers)') as never,
    })
    .returning('*');
  return row;
}

export async function updateCarrier(trx: Knex, code: string, changes: Partial<Pick<CarrierRow, 'name' | 'aliases' | 'active'>>): Promise<CarrierRow> {
  const [row] = await trx<CarrierRow>('carriers')
    .where({ code })
    .update({ ...changes, ...(changes.aliases ? { aliases: JSON.stringify(changes.aliases) as never } : {}) })
    .returning('*');
  return row;
}

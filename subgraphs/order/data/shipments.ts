/** Data access for carriers, shipments and their tracking events. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type ShipmentKind = 'OUTBOUND' | 'RETURN' | 'EXCHANGE';
export type ShipmentStatus =
  | 'PENDING'
  | 'COLLECTED'
  | 'IN_TRANSIT'
  | 'DISPATCHING'
  | 'DELIVERED'
  | 'TROUBLE'
  | 'RETURNING'
  | 'RETURNED'
  | 'REJECTED'
  | 'TRANSFERRED'
  | 'CUSTOMS';

export interface CarrierRow {
  code: string;
  name: string;
  aliases: string[];
  sort: number;
  active: boolean;
}

export interface ShipmentLine {
  skuId: string;
  quantity: number;
}

export interface ShipmentRow {
  id: string;
  order_id: string;
  kind: ShipmentKind;
  after_sale_id: string | null;
  carrier_code: string;
  /** Joined from carriers (every read below selects it). */
  carrier_name: string;
  tracking_number: string;
  lines: ShipmentLine[] | null;
  status: ShipmentStatus;
  latest_event_at: Date | null;
  delivered_at: Date | null;
  tracking_note: string | null;
  shipped_at: Date;
  created_by: string;
  updated_at: Date;
}

export interface ShipmentEventRow {
  id: string;
  shipment_id: string;
  at: Date;
  status: ShipmentStatus | null;
  description: string;
  location: string | null;
  source: 'CARRIER' | 'STAFF';
  created_at: Date;
}

export async function listCarriers(db: Knex): Promise<CarrierRow[]> {
  return db<CarrierRow>('carriers').where({ active: true }).orderBy('sort').orderBy('code');
}

/** The active carrier whose code, name or alias is `text` (case-insensitive), or undefined. */
export async function findCarrier(db: Knex, text: string): Promise<CarrierRow | undefined> {
  const { rows } = await db.raw<{ rows: CarrierRow[] }>(
    `SELECT * FROM carriers
      WHERE active AND (lower(code) = lower(?) OR lower(name) = lower(?)
            OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(aliases) a WHERE lower(a) = lower(?)))
      ORDER BY sort LIMIT 1`,
    [text, text, text],
  );
  return rows[0];
}

const SHIPMENT_COLUMNS = 's.*, c.name AS carrier_name';

export interface NewShipment {
  orderId: string;
  kind: ShipmentKind;
  afterSaleId?: string | null;
  carrierCode: string;
  trackingNumber: string;
  lines?: ShipmentLine[] | null;
  createdBy: string;
}

/** Inserts a shipment; a (carrier, tracking number) already used for the order raises the unique violation 23505 to the caller. */
export async function insertShipment(trx: Knex, shipment: NewShipment): Promise<ShipmentRow> {
  const { rows } = await trx.raw<{ rows: ShipmentRow[] }>(
    `WITH s AS (
       INSERT INTO shipments (order_id, kind, after_sale_id, carrier_code, tracking_number, lines, created_by)
       VALUES (?, ?, ?, ?, ?, ?::jsonb, ?) RETURNING *)
     SELECT ${SHIPMENT_COLUMNS} FROM s JOIN carriers c ON c.code = s.carrier_code`,
    [
      shipment.orderId,
      shipment.kind,
      shipment.afterSaleId ?? null,
      shipment.carrierCode,
      shipment.trackingNumber,
      shipment.lines ? JSON.stringify(shipment.lines) : null,
      shipment.createdBy,
    ],
  );
  return rows[0];
}

export async function findShipment(db: Knex, id: string): Promise<ShipmentRow | undefined> {
  const { rows } = await db.raw<{ rows: ShipmentRow[] }>(
    `SELECT ${SHIPMENT_COLUMNS} FROM shipments s JOIN carriers c ON c.code = s.carrier_code WHERE s.id = ?`,
    [id],
  );
  return rows[0];
}

/** The shipments a carrier push names (one parcel may carry several orders), locked in id order (FOR UPDATE OF s). */
export async function lockShipmentsByTracking(trx: Knex, carrierCode: string, trackingNumber: string): Promise<ShipmentRow[]> {
  const { rows } = await trx.raw<{ rows: ShipmentRow[] }>(
    `SELECT ${SHIPMENT_COLUMNS} FROM shipments s JOIN carriers c ON c.code = s.carrier_code
      WHERE s.carrier_code = ? AND s.tracking_number = ? ORDER BY s.id FOR UPDATE OF s`,
    [carrierCode, trackingNumber],
  );
  return rows;
}

export async function lockShipment(trx: Knex, id: string): Promise<ShipmentRow | undefined> {
  const { rows } = await trx.raw<{ rows: ShipmentRow[] }>(
    `SELECT ${SHIPMENT_COLUMNS} FROM shipments s JOIN carriers c ON c.code = s.carrier_code WHERE s.id = ? FOR UPDATE OF s`,
    [id],
  );
  return rows[0];
}

/** Shipments of many orders in one statement, oldest first. */
export async function findShipmentsByOrderIds(db: Knex, orderIds: readonly string[]): Promise<ShipmentRow[]> {
  const { rows } = await db.raw<{ rows: ShipmentRow[] }>(
    `SELECT ${SHIPMENT_COLUMNS} FROM shipments s JOIN carriers c ON c.code = s.carrier_code
      WHERE s.order_id = ANY(?::bigint[]) ORDER BY s.id`,
    [[...orderIds]],
  );
  return rows;
}

/** Shipments of many after-sales requests in one statement. */
export async function findShipmentsByAfterSaleIds(db: Knex, ids: readonly string[]): Promise<ShipmentRow[]> {
  const { rows } = await db.raw<{ rows: ShipmentRow[] }>(
    `SELECT ${SHIPMENT_COLUMNS} FROM shipments s JOIN carriers c ON c.code = s.carrier_code
      WHERE s.after_sale_id = ANY(?::bigint[]) ORDER BY s.id`,
    [[...ids]],
  );
  return rows;
}

/** Events of many shipments in one statement, newest first. */
export async function findEventsByShipmentIds(db: Knex, shipmentIds: readonly string[]): Promise<ShipmentEventRow[]> {
  return db<ShipmentEventRow>('shipment_events')
    .whereRaw('shipment_id = ANY(?::bigint[])', [[...shipmentIds]])
    .orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }]);
}

export interface NewShipmentEvent {
  at: Date;
  status: ShipmentStatus | null;
  description: string;
  location: string | null;
}

/** Inserts the events not stored yet ((at, description) already there: skipped); returns those inserted. One statement. */
export async function insertNewEvents(
  trx: Knex,
  shipmentId: string,
  source: 'CARRIER' | 'STAFF',
  events: readonly NewShipmentEvent[],
): Promise<ShipmentEventRow[]> {
  if (!events.length) return [];
  const { rows } = await trx.raw<{ rows: ShipmentEventRow[] }>(
    `INSERT INTO shipment_events (shipment_id, at, status, description, location, source)
     SELECT ?, e.at, e.status, e.description, e.location, ?
       FROM jsonb_to_recordset(?::jsonb) AS e(at timestamptz, status text, description text, location text)
     ON CONFLICT (shipment_id, at, md5(description)) DO NOTHING
     RETURNING *`,
    [shipmentId, source, JSON.stringify(events.map((e) => ({ ...e, at: e.at.toISOString() })))],
  );
  return rows;
}

export type ShipmentChanges = Partial<Pick<ShipmentRow, 'status' | 'latest_event_at' | 'delivered_at' | 'tracking_note'>>;

export async function updateShipment(trx: Knex, id: string, changes: ShipmentChanges): Promise<void> {
  await trx('shipments').where({ id }).update({ ...changes, updated_at: trx.fn.now() });
}

/** Why a parcel gets no pushes (its subscription was refused), on every shipment of that parcel. */
export async function noteParcelTracking(trx: Knex, carrierCode: string, trackingNumber: string, note: string): Promise<void> {
  await trx('shipments').where({ carrier_code: carrierCode, tracking_number: trackingNumber }).update({ tracking_note: note.slice(0, 200), updated_at: trx.fn.now() });
}

/** Whether a request already has its parcel of `kind`. */
export async function hasRequestShipment(db: Knex, afterSaleId: string, kind: ShipmentKind): Promise<boolean> {
  return Boolean(await db('shipments').where({ after_sale_id: afterSaleId, kind }).first('id'));
}

/** What the GraphQL Carrier resolves from (a row of carriers, or a shipment's joined code and name). */
export type CarrierRef = Pick<CarrierRow, 'code' | 'name'>;

/** The GraphQL ShipmentLine's row (its own name: codegen's type of that name would clash). */
export type ShipmentLineRow = ShipmentLine;

/**
 * Kuaidi100 (快递100) subscription pushes, served at `POST /notify/kuaidi100` on the order subgraph (the router
 * forwards the same path, exact match only: router/notify-proxy.ts).
 *
 * Protocol (Kuaidi100 "订阅推送"): an `application/x-www-form-urlencoded` POST with `param` = JSON
 * `{status, billstatus, message, lastResult: {message, state, status, ischeck, com, nu, data: [{time, ftime, context,
 * status, statusCode?, areaName?, location?}]}}` (data newest first, times in China time, `YYYY-MM-DD HH:mm:ss`) and
 * `sign` = upper-case hex MD5(param + salt), the salt we gave when subscribing (KUAIDI100_SALT). We answer
 * `{"result":true,"returnCode":"200","message":"成功"}`; anything else makes Kuaidi100 push again later.
 *
 * - Bad or missing signature: HTTP 400 `{"result":false,"returnCode":"400",...}`, nothing stored.
 * - Malformed `param` (signed, but not the protocol): HTTP 400, nothing stored.
 * - A parcel (com, nu) we do not know: acknowledged as success, nothing stored (pushing again would not help).
 * - Otherwise the events are merged into every shipment of that parcel (orders shipped together share one), under
 *   their row locks (tracking.ts: idempotent, out-of-order safe).
 * `status: "abort"` (Kuaidi100 gave up, e.g. no record for 3 days) keeps its message as the shipment's trackingNote.
 */
import crypto from 'node:crypto';
import express from 'express';
import type { Knex } from 'knex';
import type { LogisticsConfig } from '../../platform/config';
import { lockShipmentsByTracking, type NewShipmentEvent, type ShipmentStatus } from './data/shipments';
import { mergeTracking, type MergeResult } from './tracking';
import { logger } from '../../platform/log';

const log = logger({ component: 'order' });

export const KUAIDI100_PATH = '/notify/kuaidi100';

/** Kuaidi100 `state` (main codes; resultv2 sub-codes are mapped by their leading digits) → our ShipmentStatus. */
const STATES: Record<string, ShipmentStatus> = {
  '0': 'IN_TRANSIT',
  '1': 'COLLECTED',
  '2': 'TROUBLE',
  '3': 'DELIVERED',
  '4': 'RETURNED',
  '5': 'DISPATCHING',
  '6': 'RETURNING',
  '7': 'TRANSFERRED',
  '8': 'CUSTOMS',
  '14': 'REJECTED',
};

/** The Chinese status word of each event (`data[].status`) → our status. */
const STATUS_WORDS: Record<string, ShipmentStatus> = {
  在途: 'IN_TRANSIT',
  揽收: 'COLLECTED',
  疑难: 'TROUBLE',
  签收: 'DELIVERED',
  退签: 'RETURNED',
  派件: 'DISPATCHING',
  退回: 'RETURNING',
  转投: 'TRANSFERRED',
  清关: 'CUSTOMS',
  拒签: 'REJECTED',
};

export function kuaidi100Status(state: unknown): ShipmentStatus | null {
  const code = String(state ?? '').trim();
  if (!/^\d{1,4}$/.test(code)) return null;
  if (STATES[code]) return STATES[code];
  // resultv2 sub-states: 101 → 1, 301 → 3, 1001 → 0 (在途 sub-states are 10xx), 1401 → 14.
  if (code.length === 4) return code.startsWith('10') ? 'IN_TRANSIT' : STATES[code.slice(0, 2)] ?? null;
  if (code.length === 3) return STATES[code[0]] ?? null;
  return null;
}

/** upper(md5(param + salt)), Kuaidi100's push signature. */
export function kuaidi100Sign(param: string, salt: string): string {
  return crypto.createHash('md5').update(param + salt, 'utf8').digest('hex').toUpperCase();
}

export function verifyKuaidi100Sign(param: string, sign: string, salt: string): boolean {
  const expected = Buffer.from(kuaidi100Sign(param, salt));
  const given = Buffer.from(sign.toUpperCase());
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

/** "2026-12-05 10:20:30" in China time (UTC+8, no daylight saving) → Date; null when malformed. */
export function chinaTime(text: unknown): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(String(text ?? '').trim());
  if (!match) return null;
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}+08:00`);
  return Number.isNaN(date.getTime()) ? null : date;
}

const clip = (text: unknown, max: number) => String(text ?? '').replace(/\u0000/g, '').trim().slice(0, max);

export interface Kuaidi100Push {
  /** polling, shutdown (ended: signed), abort (given up), updateall. */
  pushStatus: string;
  message: string;
  com: string;
  /** With Kuaidi100's company auto-correction (autoCheck = 1): the company we subscribed with, when it differs. */
  comOld: string | null;
  nu: string;
  state: ShipmentStatus | null;
  events: NewShipmentEvent[];
}

/** Reads a push's `param`; throws on anything that is not the protocol. */
export function parseKuaidi100Param(param: string): Kuaidi100Push {
  const body = JSON.parse(param) as Record<string, unknown>;
  const last = body?.lastResult as Record<string, unknown> | undefined;
  if (!last || typeof last !== 'object') throw new Error('lastResult missing');
  const com = clip(last.com, 32);
  const nu = clip(last.nu, 40);
  if (!com || !nu) throw new Error('lastResult.com / lastResult.nu missing');
  const data = Array.isArray(last.data) ? (last.data as Record<string, unknown>[]) : [];
  if (data.length > 500) throw new Error('too many events');
  const events: NewShipmentEvent[] = [];
  for (const item of data) {
    const at = chinaTime(item?.ftime ?? item?.time) ?? chinaTime(item?.time);
    const description = clip(item?.context, 500);
    if (!at || !description) throw new Error('an event without time or context');
    const location = clip(item.location ?? item.areaName, 200) || null;
    const status = kuaidi100Status(item.statusCode) ?? STATUS_WORDS[clip(item.status, 8)] ?? null;
    events.push({ at, description, location, status });
  }
  return {
    pushStatus: clip(body.status, 16),
    message: clip(body.message, 200),
    com,
    comOld: clip(body.comOld, 32) || null,
    nu,
    state: kuaidi100Status(last.state),
    events,
  };
}

export type PushOutcome = { kind: 'refused'; reason: string } | { kind: 'unknown' } | { kind: 'merged'; results: MergeResult[] };

/** Verifies and stores one push (form fields already decoded). */
export async function handleKuaidi100Push(db: Knex, config: LogisticsConfig, form: { param?: unknown; sign?: unknown }): Promise<PushOutcome> {
  if (!config.kuaidi100Salt) return { kind: 'refused', reason: 'tracking pushes are not configured' };
  const param = typeof form.param === 'string' ? form.param : '';
  const sign = typeof form.sign === 'string' ? form.sign : '';
  if (!param || !sign || !verifyKuaidi100Sign(param, sign, config.kuaidi100Salt)) return { kind: 'refused', reason: '签名错误 (bad signature)' };
  let push: Kuaidi100Push;
  try {
    push = parseKuaidi100Param(param);
  } catch (error) {
    return { kind: 'refused', reason: `param 格式错误: ${(error as Error).message}` };
  }
  return db.transaction(async (trx) => {
    // Kuaidi100 may have corrected the company (comOld → comNew): the shipment still names the one we subscribed with.
    let shipments = await lockShipmentsByTracking(trx, push.com, push.nu);
    if (!shipments.length && push.comOld && push.comOld !== push.com) shipments = await lockShipmentsByTracking(trx, push.comOld, push.nu);
    if (!shipments.length) return { kind: 'unknown' as const };
    const note = push.pushStatus === 'abort' ? push.message || 'tracking aborted' : undefined;
    const results: MergeResult[] = [];
    for (const shipment of shipments) results.push(await mergeTracking(trx, shipment, { events: push.events, status: push.state, note }, 'CARRIER'));
    return { kind: 'merged' as const, results };
  });
}

const answer = (res: express.Response, status: number, result: boolean, message: string) =>
  res.status(status).json({ result, returnCode: String(status === 200 ? 200 : status), message });

/** Mounts POST /notify/kuaidi100 (public: it authenticates pushes by their signature). */
export function mountKuaidi100(app: express.Express, deps: { db: Knex; config: LogisticsConfig }): void {
  app.post(KUAIDI100_PATH, express.urlencoded({ extended: false, limit: '256kb' }), async (req, res) => {
    try {
      const outcome = await handleKuaidi100Push(deps.db, deps.config, (req.body ?? {}) as Record<string, unknown>);
      if (outcome.kind === 'refused') return answer(res, 400, false, outcome.reason);
      return answer(res, 200, true, '成功');
    } catch (error) {
      log.error({ err: error }, `kuaidi100 push failed: ${(error as Error).message}`);
      return answer(res, 500, false, '处理失败');
    }
  });
}

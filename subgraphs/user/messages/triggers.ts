/**
 * Which events become which messages: ONE trigger per business moment, read from order's stream `shop.order.order`.
 *
 * | kind | event | why this one |
 * |---|---|---|
 * | ORDER_PAID | `OrderStatusChanged` with `to` = PAID | the only event of the payment moment |
 * | ORDER_SHIPPED | `OrderShipped` (per shipment) | carries the carrier and tracking number the message shows; `OrderStatusChanged` → SHIPPED is NOT used (it would send "shipped" twice) |
 * | ORDER_DELIVERED | `ShipmentDelivered` | the carrier's "signed" |
 * | AFTER_SALES_DECIDED | `AfterSalesDecided` (APPROVED or REJECTED) | the staff decision, with the refund amount |
 *
 * The consumer (group `user.messages`, idempotent through processed_events) decides inside its transaction: a kind
 * with a template, a shopper with an openid and an acceptance left (one is used here, under the consent row's lock)
 * → one `subscribe_messages` row (unique per event and kind) and one durable job `user.sendMessage` keyed by the event
 * and kind. So one event never yields two messages, whatever is redelivered.
 */
import type { Knex } from 'knex';
import type { MessageKind, MessagesConfig } from '../../../platform/config';
import { scheduleJob, type EventConsumerSpec, type EventEnvelope } from '../../../platform/events';
import { isBigintId } from '../../../platform/loaders';
import { useConsent } from './data/consents';
import { deleteMessage, insertMessage } from './data/messages';
import { findOpenid } from './data/recipients';

export const ORDER_STREAM = 'shop.order.order';
export const SEND_MESSAGE_JOB = 'user.sendMessage';
export const MESSAGE_EVENT_TYPES = ['OrderStatusChanged', 'OrderShipped', 'ShipmentDelivered', 'AfterSalesDecided'];

export interface MessageTrigger {
  kind: MessageKind;
  userId: string;
  orderId: string;
  /** What the event says that the message shows (the order's own facts are read when sending). */
  facts: Record<string, string | number | null>;
}

type Payload = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);

/** The message an event asks for, or null (another status, a malformed payload). */
export function triggerOf(event: EventEnvelope): MessageTrigger | null {
  const payload = (event.payload ?? {}) as Payload;
  const orderId = text(payload.orderId);
  const userId = text(payload.userId);
  if (!isBigintId(orderId) || !isBigintId(userId)) return null;
  const base = { userId, orderId };
  switch (event.type) {
    case 'OrderStatusChanged': {
      // The payload names the new status `to` (COMMON's contract calls it `status`: both are read).
      const status = text(payload.to) ?? text(payload.status);
      if (status !== 'PAID') return null;
      return { ...base, kind: 'ORDER_PAID', facts: { time: text(payload.at) ?? event.occurredAt } };
    }
    case 'OrderShipped':
      return {
        ...base,
        kind: 'ORDER_SHIPPED',
        facts: {
          time: text(payload.shippedAt) ?? event.occurredAt,
          carrier: text(payload.carrierName) ?? text(payload.carrierCode),
          trackingNumber: text(payload.trackingNumber),
          shipmentId: text(payload.shipmentId),
        },
      };
    case 'ShipmentDelivered':
      return { ...base, kind: 'ORDER_DELIVERED', facts: { time: text(payload.deliveredAt) ?? event.occurredAt, shipmentId: text(payload.shipmentId) } };
    case 'AfterSalesDecided': {
      const decision = text(payload.decision);
      if (decision !== 'APPROVED' && decision !== 'REJECTED') return null;
      const amount = typeof payload.refundAmount === 'number' && Number.isInteger(payload.refundAmount) ? payload.refundAmount : null;
      return {
        ...base,
        kind: 'AFTER_SALES_DECIDED',
        facts: { time: event.occurredAt, decision, amount: decision === 'APPROVED' ? amount : null, requestId: text(payload.requestId) },
      };
    }
    default:
      return null;
  }
}

/** Decides, in the consumer's transaction, whether the event becomes a message; schedules its send. */
export async function scheduleMessage(trx: Knex.Transaction, config: MessagesConfig, event: EventEnvelope): Promise<string | null> {
  const trigger = triggerOf(event);
  if (!trigger || !config.templates[trigger.kind]) return null;
  // Shoppers without a WeChat identity get nothing (and keep their acceptances).
  if (!(await findOpenid(trx, trigger.userId))) return null;
  // The row first: an event that already has its message (unique per event and kind) uses no second acceptance.
  const messageId = await insertMessage(trx, { ...trigger, eventId: event.id });
  if (!messageId) return null;
  const consent = await useConsent(trx, trigger.userId, trigger.kind);
  if (!consent) {
    await deleteMessage(trx, messageId);
    return null;
  }
  await trx('subscribe_messages').where({ id: messageId }).update({ consent });
  await scheduleJob(trx, { kind: SEND_MESSAGE_JOB, key: `${event.id}:${trigger.kind}`, runAt: new Date(), payload: { messageId } });
  return messageId;
}

export function messageTriggers(config: MessagesConfig): EventConsumerSpec {
  return {
    stream: ORDER_STREAM,
    types: MESSAGE_EVENT_TYPES,
    // A group of its own (`user.messages`): other consumers of user on this stream see every event too.
    name: 'messages',
    effect: async (event, trx) => void (await scheduleMessage(trx, config, event)),
  };
}

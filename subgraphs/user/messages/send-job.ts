/**
 * The durable job `user.sendMessage` (key `<event id>:<kind>`): sends one subscribe message and records what became
 * of it in its `subscribe_messages` row. Never twice for one event:
 *
 * 1. Read the order's facts from order (a service call, nothing sent yet: a failure just retries).
 * 2. `PENDING → SENDING` (fenced, under the row's lock), then call WeChat with no transaction open.
 * 3. Record the answer (fenced): SENT; DROPPED for 43101 (the shopper refused: their acceptances here are withdrawn
 *    too) and 40003 (not an openid of this app); back to PENDING and throw for "WeChat did not send" answers (5xx,
 *    busy, quota, token still refused, template/data errors), so the runner retries with its backoff and, after
 *    JOB_MAX_ATTEMPTS, dead-letters it (`npm run jobs -- dead user`); UNCERTAIN when the answer was lost (timeout).
 * A run that finds its message still SENDING is a retry after a run that called WeChat and never recorded the answer
 * (crash, lost lease, database down): WeChat has no idempotency key, so it is marked UNCERTAIN and NOT sent again.
 * So: at most once. A crash after WeChat sent but before SENT was written leaves UNCERTAIN (it went out once); a crash
 * after SENDING but before the call loses that message (also UNCERTAIN). See docs/messages.md, "Once".
 */
import type { Knex } from 'knex';
import type { MessageKind, MessagesConfig } from '../../../platform/config';
import type { Job, JobContext } from '../../../platform/events';
import type { ServiceClient } from '../../../platform/service-client';
import { withdrawConsent } from './data/consents';
import { endMessage, findMessage, finishSending, startSending, type MessageRow } from './data/messages';
import { findOpenid } from './data/recipients';
import { orderForMessage } from './order-client';
import { DECISION_TEXT, itemsSummary, messagePage, STATUS_TEXT, templateData, type MessageFields } from './templates';
import type { SubscribeMessage, WechatMessageClient } from './wechat-client';
import { logger } from '../../../platform/log';

const log = logger({ component: 'messages' });

export interface MessageRuntime {
  config: MessagesConfig;
  services: ServiceClient;
  /** Undefined without WECHAT_APPID / WECHAT_SECRET: every message is dropped (nothing could send it). */
  wechat?: WechatMessageClient;
}

/** A message dropped before anything was sent: a one-time acceptance it used is given back. */
async function dropUnsent(trx: Knex.Transaction, message: MessageRow, reason: string): Promise<void> {
  await endMessage(trx, message.id, 'DROPPED', reason);
  if (message.consent === 'COUNT') {
    await trx('message_consents').where({ user_id: message.user_id, kind: message.kind }).increment('remaining', 1);
  }
}

export function fieldsOf(message: MessageRow, order: { orderNo: string; total: number; items: { title: string; quantity: number }[] }): MessageFields {
  const kind = message.kind as MessageKind;
  const facts = message.facts;
  const decided = kind === 'AFTER_SALES_DECIDED' ? DECISION_TEXT[String(facts.decision)] : undefined;
  return {
    orderNo: order.orderNo,
    amount: kind === 'ORDER_PAID' ? order.total : (facts.amount ?? null),
    items: itemsSummary(order.items),
    time: facts.time ?? null,
    status: STATUS_TEXT[kind],
    carrier: facts.carrier ?? null,
    trackingNumber: facts.trackingNumber ?? null,
    decision: decided?.decision ?? null,
    note: decided?.note ?? null,
  };
}

export async function sendMessageJob(runtime: MessageRuntime, job: Job<{ messageId: string }>, ctx: JobContext): Promise<void> {
  const message = await findMessage(ctx.db, String(job.payload.messageId));
  if (!message || !['PENDING', 'SENDING'].includes(message.status)) return;
  if (message.status === 'SENDING') {
    await ctx.fenced((trx) => endMessage(trx, message.id, 'UNCERTAIN', 'an earlier run called WeChat and recorded no answer: not sent again'), { complete: true });
    return;
  }
  const template = runtime.config.templates[message.kind as MessageKind];
  const openid = await findOpenid(ctx.db, message.user_id);
  const unsendable = !runtime.wechat
    ? 'WeChat is not configured (WECHAT_APPID, WECHAT_SECRET)'
    : !template
      ? `no template configured for ${message.kind}`
      : !openid
        ? 'the shopper has no WeChat identity'
        : null;
  if (unsendable) {
    await ctx.fenced((trx) => dropUnsent(trx, message, unsendable), { complete: true });
    return;
  }
  const order = await orderForMessage(runtime.services, message.order_id);
  if (!order) {
    await ctx.fenced((trx) => dropUnsent(trx, message, 'order answered no such order'), { complete: true });
    return;
  }
  const body: SubscribeMessage = {
    touser: openid!,
    template_id: template!.templateId,
    page: messagePage(runtime.config.page, message.order_id),
    data: templateData(template!, fieldsOf(message, order)),
    miniprogram_state: runtime.config.miniprogramState,
    lang: runtime.config.lang,
  };
  if (!(await ctx.fenced((trx) => startSending(trx, message.id, template!.templateId)))) return;

  const outcome = await runtime.wechat!.send(body);
  switch (outcome.kind) {
    case 'sent':
      await ctx.fenced((trx) => finishSending(trx, message.id, { status: 'SENT', errcode: 0, error: null }), { complete: true });
      return;
    case 'refused':
      await ctx.fenced(
        async (trx) => {
          await finishSending(trx, message.id, { status: 'DROPPED', errcode: outcome.errcode, error: outcome.error });
          await withdrawConsent(trx, message.user_id, message.kind);
        },
        { complete: true },
      );
      return;
    case 'badRecipient':
      await ctx.fenced((trx) => finishSending(trx, message.id, { status: 'DROPPED', errcode: outcome.errcode, error: outcome.error }), { complete: true });
      return;
    case 'uncertain':
      log.warn({ messageId: message.id, kind: message.kind }, `message ${message.id} (${message.kind}): ${outcome.error}; recorded UNCERTAIN, not sent again`);
      await ctx.fenced((trx) => endMessage(trx, message.id, 'UNCERTAIN', outcome.error), { complete: true });
      return;
    case 'notSent':
      await ctx.fenced((trx) => finishSending(trx, message.id, { status: 'PENDING', errcode: outcome.errcode, error: outcome.error }));
      throw new Error(`WeChat did not send message ${message.id} (${message.kind}): ${outcome.error}`);
  }
}

/** The shopper's answers in the subscribe dialog, and their message settings. */
import type { Knex } from 'knex';
import { MESSAGE_KINDS, type MessageKind, type MessagesConfig } from '../../../platform/config';
import { badInput, shopError } from '../../../platform/errors';
import { recordConsentAnswers, type ConsentRow } from './data/consents';
import { findOpenid } from './data/recipients';

export interface MessageConsentView {
  kind: MessageKind;
  templateId: string;
  remaining: number;
  always: boolean;
}

export interface MessageTemplateView {
  kind: MessageKind;
  templateId: string;
}

/** A dialog shows at most 3 templates; a few dialogs' worth in one report is plenty. */
const MAX_ANSWERS = 20;

export function offeredTemplates(config: MessagesConfig): MessageTemplateView[] {
  return MESSAGE_KINDS.flatMap((kind) => {
    const template = config.templates[kind];
    return template ? [{ kind, templateId: template.templateId }] : [];
  });
}

/** One entry per kind offered, 0 where the shopper never accepted. */
export function consentViews(config: MessagesConfig, rows: ConsentRow[]): MessageConsentView[] {
  const byKind = new Map(rows.map((row) => [row.kind, row]));
  return offeredTemplates(config).map(({ kind, templateId }) => {
    const row = byKind.get(kind);
    return { kind, templateId, remaining: row?.remaining ?? 0, always: row?.always ?? false };
  });
}

export async function reportMessageConsent(
  db: Knex,
  config: MessagesConfig,
  userId: string,
  input: { accepted: readonly MessageKind[]; rejected?: readonly MessageKind[] | null; always?: readonly MessageKind[] | null },
): Promise<void> {
  const rejected = input.rejected ?? [];
  const always = input.always ?? [];
  for (const [field, list] of [['accepted', input.accepted], ['rejected', rejected], ['always', always]] as const) {
    if (list.length > MAX_ANSWERS) throw badInput(`${field} may list at most ${MAX_ANSWERS} kinds`, field);
    for (const kind of list) {
      if (!config.templates[kind]) throw badInput(`No message template is configured for ${kind}`, field);
    }
  }
  const accepted = new Map<string, number>();
  for (const kind of input.accepted) accepted.set(kind, (accepted.get(kind) ?? 0) + 1);
  const both = rejected.find((kind) => accepted.has(kind));
  if (both) throw badInput(`${both} cannot be both accepted and rejected`, 'rejected');
  const notAccepted = always.find((kind) => !accepted.has(kind));
  if (notAccepted) throw badInput(`${notAccepted} is in always but not in accepted`, 'always');

  await db.transaction(async (trx) => {
    // Locks the user row: answers of two dialogs reported at once apply one after the other.
    if (!(await findOpenid(trx, userId, { lock: true }))) {
      throw shopError('FORBIDDEN', 'Messages are sent through WeChat: sign in with WeChat first', { reason: 'WECHAT_NOT_LINKED' });
    }
    await recordConsentAnswers(trx, userId, { accepted, always: new Set(always), rejected: new Set(rejected) });
  });
}

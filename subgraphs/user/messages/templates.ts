/**
 * What a subscribe message says: the fields of a message (order number, amount, …) are filled into the template's
 * data keys as the configuration maps them (platform/config.ts, WECHAT_TEMPLATE_<KIND>_DATA), each value shaped to
 * what WeChat accepts for the key's type — the type is the key's name without its number (`thing3` → thing):
 *
 * | type | WeChat's rule | here |
 * |---|---|---|
 * | thing | ≤ 20 characters | cut to 19 + … |
 * | character_string | ≤ 32 letters, digits, symbols | other characters dropped, cut to 32 |
 * | number | ≤ 32 digits (a decimal point allowed) | other characters dropped, cut to 32 |
 * | letter | ≤ 32 letters | other characters dropped, cut to 32 |
 * | symbol | ≤ 5 symbols | cut to 5 |
 * | amount | a currency sign + ≤ 10 digits, decimals allowed | fen → ¥12.34 |
 * | time | 24 h time, with a date: 2019年10月1日 15:01 | China time (UTC+8) |
 * | date | 2019年10月1日 | China date |
 * | phrase | ≤ 5 Chinese characters | others dropped, cut to 5 |
 * | name | ≤ 10 Chinese characters or 20 letters | cut to 10 |
 * | phone_number | ≤ 17 digits and symbols | cut to 17 |
 * | car_number | ≤ 8 characters | cut to 8 |
 *
 * WeChat refuses an empty value (errcode 47003): a field without a value says "-" (¥0.00 for an amount, 0 for a
 * number, 无 for a phrase).
 */
import type { MessageField, MessageKind, MessageTemplateConfig } from '../../../platform/config';

export type MessageFields = Partial<Record<MessageField, string | number | null>>;

/** The template's `data`: `{ key: { value } }`. */
export type TemplateData = Record<string, { value: string }>;

const EMPTY = '-';
const EMPTY_BY_TYPE: Record<string, string> = { amount: '¥0.00', number: '0', phrase: '无', letter: 'N' };

/** Code points, not UTF-16 units: WeChat counts characters. */
const chars = (text: string) => [...text];
const cut = (text: string, max: number) => chars(text).slice(0, max).join('');
const clean = (text: string) => text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '').trim();

function cutWithEllipsis(text: string, max: number): string {
  const all = chars(text);
  return all.length <= max ? text : `${all.slice(0, max - 1).join('')}…`;
}

const CHINA = 'Asia/Shanghai';

function chinaParts(iso: string): Record<string, string> | null {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return null;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: CHINA,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

/** fen → ¥12.34 (a currency sign and at most 10 digits: up to ¥99999999.99). */
export function formatAmount(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

/** One value shaped for a template key's type. */
export function templateValue(key: string, raw: string | number | null | undefined): string {
  const type = key.replace(/[0-9]+$/, '');
  const empty = EMPTY_BY_TYPE[type] ?? EMPTY;
  if (raw === null || raw === undefined || raw === '') return empty;
  const text = clean(String(raw));
  let value: string;
  switch (type) {
    case 'thing':
      value = cutWithEllipsis(text, 20);
      break;
    case 'character_string':
      value = cut(text.replace(/[^\x21-\x7e]/g, ''), 32);
      break;
    case 'number':
      value = cut(text.replace(/[^0-9.]/g, ''), 32);
      break;
    case 'letter':
      value = cut(text.replace(/[^A-Za-z]/g, ''), 32);
      break;
    case 'symbol':
      value = cut(text, 5);
      break;
    case 'amount':
      value = typeof raw === 'number' ? formatAmount(raw) : cut(text, 14);
      break;
    case 'time': {
      const p = chinaParts(text);
      value = p ? `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute}` : cut(text, 20);
      break;
    }
    case 'date': {
      const p = chinaParts(text);
      value = p ? `${p.year}年${p.month}月${p.day}日` : cut(text, 20);
      break;
    }
    case 'phrase':
      value = cut(text.replace(/[^\p{Script=Han}]/gu, ''), 5);
      break;
    case 'name':
      value = cut(text, 10);
      break;
    case 'phone_number':
      value = cut(text.replace(/[^0-9+\-() ]/g, ''), 17);
      break;
    case 'car_number':
      value = cut(text, 8);
      break;
    default:
      // A type WeChat may add: the most conservative length.
      value = cutWithEllipsis(text, 20);
  }
  return value || empty;
}

export function templateData(template: MessageTemplateConfig, fields: MessageFields): TemplateData {
  return Object.fromEntries(Object.entries(template.data).map(([key, field]) => [key, { value: templateValue(key, fields[field]) }]));
}

/** "商品名 等3件" within a thing's 20 characters: the title gives way, the count stays. */
export function itemsSummary(items: { title: string; quantity: number }[]): string | null {
  if (!items.length) return null;
  const pieces = items.reduce((sum, item) => sum + item.quantity, 0);
  const suffix = items.length > 1 || pieces > 1 ? ` 等${pieces}件` : '';
  return `${cutWithEllipsis(clean(items[0].title), 20 - chars(suffix).length)}${suffix}`;
}

/** The fixed wording per kind (the `status` field). */
export const STATUS_TEXT: Record<MessageKind, string> = {
  ORDER_PAID: '支付成功',
  ORDER_SHIPPED: '已发货',
  ORDER_DELIVERED: '已签收',
  AFTER_SALES_DECIDED: '已处理',
};

export const DECISION_TEXT: Record<string, { decision: string; note: string }> = {
  APPROVED: { decision: '已同意', note: '退款将按原支付方式退回' },
  REJECTED: { decision: '已拒绝', note: '如有疑问请联系客服' },
};

/** The page a message opens, `{orderId}` filled in. */
export const messagePage = (pattern: string, orderId: string) => pattern.replace(/\{orderId\}/g, encodeURIComponent(orderId));

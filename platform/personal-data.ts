/**
 * Masking of personal data in text that is kept for a long time (call logs: 30 days by default): what would identify
 * or reach a person is cut down to what support still needs to recognise it (docs/open-call-logs.md, "What a record
 * keeps"). The same function masks a search keyword, so a search for a full number finds its masked form.
 *
 * - mainland mobile numbers (11 digits, 1[3-9]…, with or without +86): 13812345678 → 138****5678
 * - resident ID numbers (18 characters, the last a digit or X): 110101199003071234 → 110101********1234 (region and
 *   the last four kept, the birth date gone)
 * - e-mail addresses: zhangsan@example.com → z***@example.com
 * - the detail line of an address (JSON keys such as `detail`, `detailAddress`, `street`): kept to its first 2
 *   characters then `****` (province, city and district are not masked: they identify nobody)
 * Digits inside longer digit runs (order numbers, amounts, timestamps) are never touched: the patterns need a
 * non-digit (or the text's edge) on both sides.
 */

const MOBILE = /(?<![0-9A-Za-z+])((?:\+?86[- ]?)?1[3-9]\d)\d{4}(\d{4})(?![0-9A-Za-z])/g;
const RESIDENT_ID = /(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])/g;
const EMAIL = /(?<![\w.+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;
/** JSON keys whose string value is an address's street-level line. */
const ADDRESS_DETAIL_KEY = /^(detail|detail_?address|address_?detail|address_?line\d?|street(_?address)?)$/i;

/** Masks mobile numbers, resident ID numbers and e-mail addresses anywhere in `text`. */
export function maskPersonalText(text: string): string {
  return text.replace(RESIDENT_ID, '$1********$2').replace(MOBILE, '$1****$2').replace(EMAIL, '$1***@$2');
}

/** A street-level address line: its first 2 characters, then `****`. */
export function maskAddressDetail(line: string): string {
  const chars = [...line];
  return chars.length <= 2 ? '****' : `${chars.slice(0, 2).join('')}****`;
}

/**
 * A JSON value with personal data masked wherever it sits: every string through maskPersonalText, address detail
 * lines by key, and numbers that are in fact phone or ID numbers (13812345678 sent as a number) turned into their
 * masked text. Other values are returned as they are.
 */
export function maskPersonalJson(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key && ADDRESS_DETAIL_KEY.test(key) ? maskAddressDetail(value) : maskPersonalText(value);
  if (typeof value === 'number' && Number.isInteger(value)) {
    const text = String(value);
    const masked = maskPersonalText(text);
    return masked === text ? value : masked;
  }
  if (Array.isArray(value)) return value.map((item) => maskPersonalJson(item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPersonalJson(v, k)]));
  }
  return value;
}

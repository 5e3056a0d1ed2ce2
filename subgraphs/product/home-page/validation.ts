/**
 * Checks staff input for the home page's content before anything is written; each failure is a BAD_USER_INPUT naming
 * the field. Text is trimmed, length-limited and NUL-free; images and links are absolute https URLs.
 */
import { badInput } from '../../../platform/errors';
import { isBigintId } from '../../../platform/loaders';

export const LIMITS = {
  bannerTitle: 64,
  url: 500,
  groupName: 64,
  groupDescription: 500,
  groupMembers: 200,
  tagName: 32,
  tagsPerProduct: 20,
  hotWord: 32,
  topicTitle: 64,
  question: 200,
  answer: 5000,
  barcode: 32,
  /** sortOrder range, both ways. */
  sortOrder: 1_000_000,
  related: 20,
  /** Home page shelves read at most. */
  homeGroups: 20,
  guess: 50,
} as const;

/** NUL and lone surrogates cannot be stored as text in PostgreSQL (and have no business in content). */
const BAD_CHARACTER = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Trimmed text of at most `max` characters; `allowEmpty` for optional text that may be blank. */
export function text(value: string | null | undefined, field: string, max: number, allowEmpty = false): string {
  const trimmed = (value ?? '').trim();
  if (BAD_CHARACTER.test(trimmed)) throw badInput(`${field} contains a character that is not allowed`, field);
  if (!trimmed && !allowEmpty) throw badInput(`${field} cannot be empty`, field);
  if ([...trimmed].length > max) throw badInput(`${field} is longer than ${max} characters`, field);
  return trimmed;
}

/** An absolute https URL with a host and no credentials, at most 500 characters. */
export function httpsUrl(value: string | null | undefined, field: string): string {
  const trimmed = text(value, field, LIMITS.url);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw badInput(`${field} must be an https URL`, field);
  }
  if (url.protocol !== 'https:' || !url.hostname || url.username || url.password || /\s/.test(trimmed)) {
    throw badInput(`${field} must be an https URL`, field);
  }
  return trimmed;
}

export function sortOrder(value: number | null | undefined, field = 'sortOrder'): number {
  const order = value ?? 0;
  if (!Number.isInteger(order) || Math.abs(order) > LIMITS.sortOrder) throw badInput(`${field} must be a whole number within ±${LIMITS.sortOrder}`, field);
  return order;
}

/** A well-formed id (existence is checked against the database later). */
export function id(value: string | null | undefined, field: string): string {
  if (!isBigintId(value)) throw badInput(`${field} is not a valid id`, field);
  return value;
}

/** Distinct well-formed ids, at most `max`. */
export function idList(values: readonly string[], field: string, max: number): string[] {
  if (values.length > max) throw badInput(`At most ${max} ids`, field);
  const ids = values.map((value, index) => id(value, `${field}.${index}`));
  if (new Set(ids).size !== ids.length) throw badInput('The ids must be distinct', field);
  return ids;
}

/** An ISO 8601 date-time, or null. */
export function instant(value: string | null | undefined, field: string): Date | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime())) throw badInput(`${field} must be an ISO 8601 date-time`, field);
  return date;
}

export function schedule(startsAt: Date | null, endsAt: Date | null): void {
  if (startsAt && endsAt && endsAt <= startsAt) throw badInput('endsAt must be after startsAt', 'endsAt');
}

/** Printable ASCII letters, digits and '-' (EAN-13, UPC-A, Code 128 as printed), 1-32 characters. */
export function barcode(value: string | null | undefined, field = 'barcode'): string {
  const trimmed = (value ?? '').trim();
  if (!/^[0-9A-Za-z-]{1,32}$/.test(trimmed)) throw badInput(`${field} must be 1-${LIMITS.barcode} letters, digits or '-'`, field);
  return trimmed;
}

/** A list size argument: 1..max, default `fallback`. */
export function count(value: number | null | undefined, field: string, max: number, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badInput(`${field} must be between 1 and ${max}`, field);
  return n;
}

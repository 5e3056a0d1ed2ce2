/** Checks a shopper's review and staff's reasons before anything is written; each failure is a BAD_USER_INPUT naming the field. */
import { badInput } from '../../platform/errors';

export const REVIEW_LIMITS = {
  contentLength: 500,
  images: 9,
  imageUrlLength: 500,
  reasonLength: 200,
} as const;

/** Length in characters (code points): one Chinese character or emoji counts as one, as PostgreSQL's varchar does. */
const length = (value: string) => [...value].length;
/** Control characters except line breaks and tabs (a review may have paragraphs; NUL and the rest never). */
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** A lone surrogate half (not text; PostgreSQL would store U+FFFD instead). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function stars(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 5) throw badInput('Stars must be a whole number from 1 to 5', 'stars');
  return value;
}

export function content(raw: string | null | undefined): string {
  const value = (raw ?? '').trim();
  if (LONE_SURROGATE.test(value)) throw badInput('The text is not valid Unicode', 'content');
  if (CONTROL_EXCEPT_LINES.test(value)) throw badInput('The text must not contain control characters', 'content');
  if (length(value) > REVIEW_LIMITS.contentLength) throw badInput(`The text must be at most ${REVIEW_LIMITS.contentLength} characters`, 'content');
  return value;
}

/** https URLs only (shown to every shopper: no other schemes, no relative paths), each at most imageUrlLength. */
export function images(raw: readonly string[] | null | undefined): string[] {
  const list = (raw ?? []).map((image) => image.trim());
  if (list.length > REVIEW_LIMITS.images) throw badInput(`At most ${REVIEW_LIMITS.images} images`, 'images');
  for (const image of list) {
    if (!image || length(image) > REVIEW_LIMITS.imageUrlLength || /[\p{Cc}\s]/u.test(image)) {
      throw badInput(`Each image must be an https URL of 1 to ${REVIEW_LIMITS.imageUrlLength} characters`, 'images');
    }
    let url: URL;
    try {
      url = new URL(image);
    } catch {
      throw badInput('Each image must be an https URL', 'images');
    }
    if (url.protocol !== 'https:' || !url.hostname || url.username || url.password) throw badInput('Each image must be an https URL', 'images');
  }
  return list;
}

export function reason(raw: string): string {
  const value = raw.trim();
  if (!value || length(value) > REVIEW_LIMITS.reasonLength || /\p{Cc}/u.test(value) || LONE_SURROGATE.test(value)) {
    throw badInput(`The reason must be 1 to ${REVIEW_LIMITS.reasonLength} characters without control characters`, 'reason');
  }
  return value;
}

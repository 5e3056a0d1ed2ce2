/**
 * The review rules. A shopper reviews a line they bought and received (a purchased line, recorded from order's
 * OrderCompleted), once; staff with review:moderate hide and show reviews. Each write keeps the product's rating
 * (product_ratings) in its own transaction, so the rating always counts exactly the visible reviews.
 */
import { requireScope, requireUser } from '../../platform/context';
import { badInput, conflict, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { ReviewContext } from './context';
import { findPurchasedLine } from './data/purchased-lines';
import { adjustRating } from './data/ratings';
import { findReviewsByIds, insertReview, lockReview, setHidden, updateReviewContent, type ReviewRow } from './data/reviews';
import { refundedPiecesOfLine } from './order-client';
import * as validate from './validation';

export const MODERATE = 'review:moderate' as const;

export interface SubmitReviewInput {
  orderItemId: string;
  stars: number;
  content?: string | null;
  images?: readonly string[] | null;
}

export async function submitReview(context: ReviewContext, input: SubmitReviewInput): Promise<ReviewRow> {
  const userId = requireUser(context);
  const review = { stars: validate.stars(input.stars), content: validate.content(input.content), images: validate.images(input.images) };
  // Someone else's line answers exactly as an unknown one: line ids cannot be probed for other shoppers' purchases.
  const line = isBigintId(input.orderItemId) ? await findPurchasedLine(context.db, input.orderItemId) : undefined;
  if (!line || String(line.user_id) !== userId) throw notFound('No such purchased line to review (only a received purchase can be reviewed)');
  // A line refunded in full was given back: nothing left to review. Asked now, so a refund of any moment counts; a
  // partly refunded line stays reviewable (the shopper kept some of it).
  if ((await refundedPiecesOfLine(context.services, String(line.order_item_id))) >= line.quantity) {
    throw shopError('CONFLICT', 'This purchase was refunded in full: there is nothing left to review', { reason: 'LINE_REFUNDED' });
  }
  return context.db.transaction(async (trx) => {
    const row = await insertReview(trx, line, review);
    if (!row) throw conflict('This purchase has already been reviewed');
    await adjustRating(trx, row.product_id, row.stars, 1);
    return row;
  });
}

export interface UpdateReviewInput {
  stars?: number | null;
  content?: string | null;
  images?: readonly string[] | null;
}

const HOUR_MS = 3_600_000;

/** The author changes their review within the edit window; the rating follows a change of stars (same transaction). */
export async function updateReview(context: ReviewContext, id: string, input: UpdateReviewInput): Promise<ReviewRow> {
  const userId = requireUser(context);
  const changes: { stars?: number; content?: string; images?: string[] } = {};
  if (input.stars != null) changes.stars = validate.stars(input.stars);
  if (input.content != null) changes.content = validate.content(input.content);
  if (input.images != null) changes.images = validate.images(input.images);
  if (!Object.keys(changes).length) throw badInput('Give stars, content or images to change', 'input');
  if (!isBigintId(id)) throw notFound('No such review');
  const windowHours = context.config.review.editWindowHours;
  return context.db.transaction(async (trx) => {
    const current = await lockReview(trx, id);
    if (!current || String(current.user_id) !== userId) throw notFound('No such review');
    if (current.hidden_at) throw shopError('CONFLICT', 'A review hidden by staff cannot be changed', { reason: 'REVIEW_HIDDEN' });
    if (Date.now() > current.created_at.getTime() + windowHours * HOUR_MS) {
      throw shopError('CONFLICT', `A review can be changed within ${windowHours} hours of writing it`, { reason: 'EDIT_WINDOW_CLOSED' });
    }
    const updated = await updateReviewContent(trx, id, changes);
    if (updated.stars !== current.stars) {
      await adjustRating(trx, current.product_id, current.stars, -1);
      await adjustRating(trx, updated.product_id, updated.stars, 1);
    }
    return updated;
  });
}

/** Staff: hide (reason given) or show again (reason null). A review already in that state is returned unchanged. */
export async function moderateReview(context: ReviewContext, id: string, reason: string | null): Promise<ReviewRow> {
  const staffId = requireScope(context, MODERATE);
  const hidden = reason === null ? null : { by: `staff:${staffId}`, reason: validate.reason(reason) };
  if (!isBigintId(id)) throw notFound('No such review');
  return context.db.transaction(async (trx) => {
    const changed = await setHidden(trx, id, hidden);
    if (changed) {
      await adjustRating(trx, changed.product_id, changed.stars, hidden ? -1 : 1);
      return changed;
    }
    const [current] = await findReviewsByIds(trx, [id]);
    if (!current) throw notFound('No such review');
    return current;
  });
}

/**
 * Product ratings count exactly the visible reviews: review keeps `product_ratings` in the transaction of every
 * review insert, hide and unhide (subgraphs/review/reviews.ts); a difference is a write outside those paths.
 */
import { ratingDiscrepancies } from '../../subgraphs/review/data/audit';
import type { InvariantCheck, Violation } from './types';

const describe = (counts: number[] | null) => (counts ? `${counts[0]} reviews, ${counts[1]} stars in all` : 'nothing');

export const ratingsCheck: InvariantCheck = {
  name: 'ratings',
  title: "product ratings = the product's visible reviews (count, star sum, per star)",
  async run({ dbs }) {
    return (await ratingDiscrepancies(dbs.review)).map(
      (row): Violation => ({
        kind: 'RATING_MISMATCH',
        message: `product ${row.productId}: the rating says ${describe(row.kept)}, its visible reviews ${describe(row.counted)}`,
        subject: { productId: row.productId },
        details: { ...row },
      }),
    );
  },
};

/**
 * Favorite counts count exactly the favorites: user keeps `product_favorite_counts` in the transaction of every
 * favorite added or removed, by the rows really inserted or deleted (subgraphs/user/data/favorites.ts); a difference
 * is a write outside those paths (a manual delete, a cascade from a deleted account).
 */
import { favoriteCountDiscrepancies } from '../../subgraphs/user/data/audit';
import type { InvariantCheck, Violation } from './types';

export const favoritesCheck: InvariantCheck = {
  name: 'favorites',
  title: "product favorite counts = the product's favorites rows",
  async run({ dbs }) {
    return (await favoriteCountDiscrepancies(dbs.user)).map(
      (row): Violation => ({
        kind: 'FAVORITE_COUNT_MISMATCH',
        message: `product ${row.productId}: the favorite count says ${row.kept}, but ${row.counted} shopper(s) favorited it`,
        subject: { productId: row.productId },
        details: { ...row },
      }),
    );
  },
};

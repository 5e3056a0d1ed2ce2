/** Thin resolvers of favorites (spread into resolvers.ts); the rules are in favorites.ts. */
import { requireUser } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { pageFavorites } from './data/favorites';
import type { UserRow } from './data/users';
import { addFavorite, clearFavorites, removeFavorite, removeFavorites } from './favorites';
import type { MutationResolvers, ProductResolvers, UserResolvers } from './generated/resolvers-types';

/** Cursor kind of the favorites list (keyset on the favorite's own id: newest first). */
const FAVORITES = 'Favorite';

type FavoriteMutations = Pick<MutationResolvers, 'addFavorite' | 'removeFavorite' | 'removeFavorites' | 'clearFavorites'>;

export const favoriteResolvers: { Mutation: FavoriteMutations; User: Pick<UserResolvers, 'favorites'>; Product: ProductResolvers } = {
  Mutation: {
    addFavorite: (_parent, { productId }, context) => addFavorite(context, requireUser(context), productId),
    removeFavorite: (_parent, { productId }, context) => removeFavorite(context, requireUser(context), productId),
    removeFavorites: async (_parent, { productIds }, context) => (await removeFavorites(context, requireUser(context), productIds)).length,
    clearFavorites: (_parent, _args, context) => clearFavorites(context, requireUser(context)),
  },
  User: {
    /** The user's own list only: another viewer (a user resolved by reference) sees an empty one. */
    async favorites(user: UserRow, args, context) {
      const page = pageRequest(FAVORITES, args, context.config.maxPageSize);
      const rows = context.selfIds.has(user.id) ? await pageFavorites(context.db, user.id, page.limit, page.afterId ?? null) : [];
      const connection = toConnection(FAVORITES, rows, page);
      return {
        ...connection,
        edges: connection.edges.map((edge) => ({
          cursor: edge.cursor,
          favoritedAt: edge.node.created_at.toISOString(),
          node: { id: String(edge.node.product_id) },
        })),
      };
    },
  },
  Product: {
    __resolveReference: (reference) => ({ id: reference.id }),
    favorited: (product, _args, context) => context.favorites.favorited.load(product.id),
    favoriteCount: (product, _args, context) => context.favorites.count.load(product.id),
  },
};

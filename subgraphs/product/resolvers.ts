/** Thin resolvers: authorization, visibility and mapping; data comes from loaders, data/ and catalog.ts. */
import type { GraphQLResolveInfo } from 'graphql';
import { requireScope, requireService } from '../../platform/context';
import { badInput } from '../../platform/errors';
import { pageRequest, toConnection } from '../../platform/connection';
import { isBigintId, mapKnown } from '../../platform/loaders';
import * as catalog from './catalog';
import { catalogChanged, stockChanged } from './catalog-cache';
import * as stock from './stock';
import { returnStock } from './stock-returns';
import { stockStatistics } from './stock-statistics';
import type { StockFiguresRow } from './data/stock-statistics';
import type { StockReturnRow } from './data/stock-returns';
import type { ProductContext } from './context';
import type { CategoryRef } from './data/categories';
import { categoryFields, categoryMutations, categoryRow, topLevel, visibleCategories } from './category-resolvers';
import type { ProductRow } from './data/products';
import { allBrands, productPage } from './listings';
import type { SkuRow } from './data/skus';
import { searchCursor, searchProducts } from './search';
import { parseKeyword } from './search-text';
import { skuReference } from './sku-reference';
import type { StockReservationRow } from './data/stock';
import type { Resolvers } from './generated/resolvers-types';
import * as valid from './validation';
import { CATALOG_WRITE, seesOffShelf } from './visibility';

/**
 * After a committed catalog write: every instance's next read sees it (new cache generation), and the rest of this
 * operation reads PostgreSQL rather than what it may have cached before the write.
 */
async function afterCatalogWrite(context: ProductContext) {
  await catalogChanged(context.catalogCache);
  context.catalog?.view.bypass();
}

/** After a write, later fields of the same operation must see the new rows, not what a loader cached before. */
function primeProduct(context: ProductContext, product: ProductRow) {
  context.loaders.productById.clear(product.id).prime(product.id, product);
}
function primeSku(context: ProductContext, sku: SkuRow) {
  context.loaders.skuById.clear(sku.id).prime(sku.id, sku);
  context.loaders.liveSkusByProductId.clear(sku.product_id);
}

/** The product of a SKU: synchronous when this request already has it (see skuReference). */
function productOf(sku: SkuRow, context: ProductContext): ProductRow | null | Promise<ProductRow | null> {
  const known = context.loaders.productById.peek(sku.product_id);
  return known !== undefined ? known : context.loaders.productById.load(sku.product_id);
}

/** Optional filter ids must at least look like ids. */
const filterId = (value: string | null | undefined, field: string) => (value == null ? undefined : valid.id(value, field));

export const resolvers: Resolvers = {
  Query: {
    async product(_parent, { id }, context) {
      const product = await context.loaders.productById.load(id);
      return product && (product.on_shelf || seesOffShelf(context)) ? product : null;
    },

    async products(_parent, { filter, first, after }, context) {
      const keyword = parseKeyword(filter?.keyword);
      const page = pageRequest('Product', { first, after: keyword ? undefined : after }, context.config.maxPageSize);
      const query = {
        categoryId: filterId(filter?.categoryId, 'categoryId'),
        brandId: filterId(filter?.brandId, 'brandId'),
        // Shoppers see on-shelf products only, whatever they ask for.
        onShelf: seesOffShelf(context) ? (filter?.onShelf ?? undefined) : true,
        memberPriced: filter?.memberPriced === true ? true : undefined,
        beforeId: page.afterId,
        limit: page.limit,
      };
      // A search pages by (rank, id): its cursor is checked here, the plain list's by pageRequest.
      const afterRanked = keyword ? searchCursor(after) : undefined;
      if (filter?.onShelf === false && query.onShelf) return toConnection('Product', [], page);
      if (keyword && query.memberPriced) throw badInput('memberPriced cannot be combined with keyword', 'memberPriced');
      if (keyword) {
        const { categoryId, brandId, onShelf } = query;
        return searchProducts(context, keyword, { categoryId, brandId, onShelf }, page, afterRanked);
      }
      return toConnection('Product', await productPage(context, query), page);
    },

    async sku(_parent, { id }, context) {
      const sku = await context.loaders.skuById.load(id);
      if (!sku) return null;
      if (seesOffShelf(context)) return sku;
      if (sku.deleted_at) return null;
      const product = await context.loaders.productById.load(sku.product_id);
      return product?.on_shelf ? sku : null;
    },

    async categories(_parent, { parentId }, context) {
      if (parentId == null) return visibleCategories(await topLevel(context), context);
      return isBigintId(parentId) ? visibleCategories(await context.loaders.categoriesByParentId.load(parentId), context) : [];
    },

    brands: (_parent, _args, context) => allBrands(context),

    stockStatistics(_parent, args, context) {
      requireScope(context, CATALOG_WRITE);
      return stockStatistics(context.db, args, context.config.maxPageSize);
    },
  },

  Mutation: {
    ...categoryMutations,
    async createProduct(_parent, { input }, context) {
      requireScope(context, CATALOG_WRITE);
      const { product, skus } = await catalog.createProduct(context.db, input, context.config.money);
      await afterCatalogWrite(context);
      primeProduct(context, product);
      context.loaders.liveSkusByProductId.clear(product.id).prime(product.id, skus);
      return product;
    },
    async updateProduct(_parent, { id, input }, context) {
      requireScope(context, CATALOG_WRITE);
      const product = await catalog.updateProduct(context.db, id, input);
      await afterCatalogWrite(context);
      primeProduct(context, product);
      return product;
    },
    async setProductOnShelf(_parent, { id, onShelf }, context) {
      requireScope(context, CATALOG_WRITE);
      const product = await catalog.setProductOnShelf(context.db, id, onShelf);
      await afterCatalogWrite(context);
      primeProduct(context, product);
      return product;
    },
    async updateSku(_parent, { id, input }, context) {
      requireScope(context, CATALOG_WRITE);
      const sku = await catalog.updateSku(context.db, id, input, context.config.money);
      await afterCatalogWrite(context);
      primeSku(context, sku);
      return sku;
    },
    async addSku(_parent, { productId, input }, context) {
      requireScope(context, CATALOG_WRITE);
      const sku = await catalog.addSku(context.db, productId, input, context.config.money);
      await afterCatalogWrite(context);
      primeSku(context, sku);
      return sku;
    },
    async deleteSku(_parent, { id }, context) {
      requireScope(context, CATALOG_WRITE);
      const sku = await catalog.deleteSku(context.db, id);
      await afterCatalogWrite(context);
      primeSku(context, sku);
      return sku;
    },
    async reserveStock(_parent, { orderId, lines }, context) {
      requireService(context, 'order');
      const reservation = await stock.reserveStock(context.db, orderId, lines, context.config.holds.confirmWindowSeconds);
      await stockChanged(context.catalogCache, reservation.lines.map((line) => String(line.skuId)));
      return reservation;
    },
    async releaseStock(_parent, { orderId }, context) {
      requireService(context, 'order');
      const released = await stock.releaseStock(context.db, orderId);
      if (released) await stockChanged(context.catalogCache, released.lines.map((line) => String(line.skuId)));
      return released;
    },
    async confirmStockHold(_parent, { orderId, holdUntil }, context) {
      requireService(context, 'order');
      return stock.confirmStockHold(context.db, orderId, new Date(holdUntil));
    },
    async commitStock(_parent, { orderId }, context) {
      requireService(context, 'order');
      // Committing moves units from reserved to sold: the available stock shoppers see does not change.
      return stock.commitStock(context.db, orderId);
    },
    async returnStock(_parent, { orderId, key, lines }, context) {
      requireService(context, 'order');
      const returned = await returnStock(context.db, orderId, key, lines);
      await stockChanged(context.catalogCache, returned.lines.map((line) => String(line.skuId)));
      return returned;
    },
  },

  StockStatisticsRow: {
    // The page's SKUs in one batch, deleted ones included (staff see them).
    async sku(row: StockFiguresRow, _args, context) {
      const sku = await context.loaders.skuById.load(row.id);
      if (!sku) throw new Error(`SKU ${row.id} is missing`);
      return sku;
    },
    productId: (row: StockFiguresRow) => row.product_id,
    productTitle: (row: StockFiguresRow) => row.product_title,
    skuName: (row: StockFiguresRow) => row.sku_name,
  },

  StockReturn: {
    orderId: (row: StockReturnRow) => row.order_id,
  },

  StockReservation: {
    orderId: (reservation: StockReservationRow) => reservation.order_id,
    leaseUntil: (reservation: StockReservationRow) => (reservation.status === 'RESERVED' && reservation.lease_until ? reservation.lease_until.toISOString() : null),
  },

  Product: {
    // A reference comes from another subgraph that already holds the id (a cart line, an order item): resolve it
    // whatever its shelf state, so the caller can show it as unavailable.
    async __resolveReference(reference: { id: string }, context: ProductContext) {
      return context.loaders.productById.load(reference.id);
    },
    category: (product: ProductRow) => ({ id: product.category_id }),
    brand: (product: ProductRow, _args, context) => (product.brand_id ? context.loaders.brandById.load(product.brand_id) : null),
    async minPrice(product: ProductRow, _args, context) {
      // Same batch as `skus`: one statement for the SKUs of the whole page, whichever of the two is asked for.
      const skus = await context.loaders.liveSkusByProductId.load(product.id);
      return skus.length ? Math.min(...skus.map((sku) => sku.price)) : 0;
    },
    onShelf: (product: ProductRow) => product.on_shelf,
    skus: (product: ProductRow, _args, context) => context.loaders.liveSkusByProductId.load(product.id),
    createdAt: (product: ProductRow) => product.created_at.toISOString(),
    updatedAt: (product: ProductRow) => product.updated_at.toISOString(),
  },

  Sku: {
    // Deleted SKUs and SKUs of off-shelf products resolve too (with available: false); only unknown ids are null.
    __resolveReference: (reference: { id: string }, context: ProductContext, info: GraphQLResolveInfo) => skuReference(reference.id, context, info),
    product(sku: SkuRow, _args, context) {
      return mapKnown(productOf(sku, context), (product) => {
        if (!product) throw new Error(`Product ${sku.product_id} of SKU ${sku.id} is missing`);
        return product;
      });
    },
    available(sku: SkuRow, _args, context) {
      if (sku.deleted_at || sku.stock <= 0) return false;
      return mapKnown(productOf(sku, context), (product) => Boolean(product?.on_shelf));
    },
    deleted: (sku: SkuRow) => sku.deleted_at !== null,
  },

  Category: {
    name: (category: CategoryRef, _args, context) => mapKnown(categoryRow(category, context), (row) => row.name),
    parentId: (category: CategoryRef, _args, context) => mapKnown(categoryRow(category, context), (row) => row.parent_id),
    sortOrder: (category: CategoryRef, _args, context) => mapKnown(categoryRow(category, context), (row) => row.sort_order),
    ...categoryFields,
  },

  Brand: {
    logoUrl: (brand) => brand.logo_url,
  },
};

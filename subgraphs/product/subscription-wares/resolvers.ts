/**
 * Subscribable wares (docs/subscriptions-purchase.md): staff create, update and list them (catalog:write); shoppers
 * read the on-shelf wares of on-shelf products, through the catalog cache like every public catalog read. Order reads
 * a wares as a service caller (PostgreSQL, never the cache) to price a subscription order: prices come from here only.
 */
import DataLoader from 'dataloader';
import { requireScope } from '../../../platform/context';
import { pageRequest, toConnection } from '../../../platform/connection';
import { badInput, notFound } from '../../../platform/errors';
import { isBigintId } from '../../../platform/loaders';
import { checkUnitPrice } from '../../../platform/money';
import type { CacheKind } from '../../../platform/read-cache';
import { catalogChanged } from '../catalog-cache';
import type { ProductContext } from '../context';
import type { ProductRow } from '../data/products';
import {
  findWaresByIds,
  findWaresByProductIds,
  findWaresPage,
  insertWares,
  updateWares,
  type SubscriptionWaresRow,
  type WaresFields,
} from '../data/subscription-wares';
import type { Resolvers } from '../generated/resolvers-types';
import { CATALOG_WRITE, seesOffShelf } from '../visibility';

const TITLE_LENGTH = 64;
const MAX_PERIODS = 52;
const MAX_QUANTITY = 99;
/** A product shows at most this many wares (staff edits keep it small; the router's cost estimate assumes 5). */
const MAX_WARES_PER_PRODUCT = 20;

const dated = (row: SubscriptionWaresRow): SubscriptionWaresRow => ({ ...row, created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) });

/** Cached like the rest of the catalog: same generation, bumped by every staff write. */
const kinds = {
  wares: { name: 'subscription-wares', revive: dated } as CacheKind<SubscriptionWaresRow>,
  /** Ids of one product's wares (on the shelf or not), in display order. */
  productWaresIds: { name: 'product-subscription-wares' } as CacheKind<string[]>,
};

const loaders = new WeakMap<ProductContext, ReturnType<typeof createWaresLoaders>>();

function createWaresLoaders(context: ProductContext) {
  const { db, catalog } = context;
  const byId = new DataLoader<string, SubscriptionWaresRow | null>(async (ids) => {
    const valid = ids.filter(isBigintId);
    const load = async (missing: readonly string[]) => new Map((missing.length ? await findWaresByIds(db, missing) : []).map((row) => [String(row.id), row]));
    const rows = catalog ? await catalog.view.getMany(kinds.wares, valid, load) : await load(valid);
    return ids.map((id) => rows.get(id) ?? null);
  });
  const idsOfProduct = new DataLoader<string, string[]>(async (productIds) => {
    const load = async (missing: readonly string[]) => {
      const rows = missing.length ? await findWaresByProductIds(db, missing) : [];
      const groups = new Map<string, string[]>(missing.map((id) => [id, []]));
      for (const row of rows) {
        groups.get(String(row.product_id))?.push(String(row.id));
        byId.prime(String(row.id), row);
      }
      return groups;
    };
    const grouped = catalog ? await catalog.view.getMany(kinds.productWaresIds, productIds, load) : await load(productIds);
    return productIds.map((id) => grouped.get(id) ?? []);
  });
  return { byId, idsOfProduct };
}

function waresLoaders(context: ProductContext) {
  let found = loaders.get(context);
  if (!found) loaders.set(context, (found = createWaresLoaders(context)));
  return found;
}

/** Shoppers see a wares only on the shelf and of a product on the shelf; staff see all. */
async function visible(context: ProductContext, row: SubscriptionWaresRow | null): Promise<SubscriptionWaresRow | null> {
  if (!row) return null;
  if (seesOffShelf(context)) return row;
  if (!row.on_shelf) return null;
  const product = await context.loaders.productById.load(String(row.product_id));
  return product?.on_shelf ? row : null;
}

function text(value: string | null | undefined, field: string): string {
  const trimmed = (value ?? '').trim();
  if (!trimmed || trimmed.length > TITLE_LENGTH || trimmed.includes('\u0000')) throw badInput(`${field} must be 1-${TITLE_LENGTH} characters`, field);
  return trimmed;
}

function whole(value: number | null | undefined, min: number, max: number, field: string): number {
  if (value === null || value === undefined || !Number.isInteger(value) || value < min || value > max) throw badInput(`${field} must be a whole number from ${min} to ${max}`, field);
  return value;
}

interface WaresInput {
  title?: string | null;
  cycle?: 'WEEKLY' | 'MONTHLY' | null;
  periods?: number | null;
  quantityPerPeriod?: number | null;
  price?: number | null;
  onShelf?: boolean | null;
  sortOrder?: number | null;
}

/** Validated fields of an input (only those given); the price covers at least one fen per period. */
function fields(context: ProductContext, input: WaresInput, current?: SubscriptionWaresRow): Partial<WaresFields> {
  const out: Partial<WaresFields> = {};
  if (input.title !== undefined && input.title !== null) out.title = text(input.title, 'title');
  if (input.cycle) out.cycle = input.cycle;
  if (input.periods !== undefined && input.periods !== null) out.periods = whole(input.periods, 1, MAX_PERIODS, 'periods');
  if (input.quantityPerPeriod !== undefined && input.quantityPerPeriod !== null) out.quantity_per_period = whole(input.quantityPerPeriod, 1, MAX_QUANTITY, 'quantityPerPeriod');
  if (input.price !== undefined && input.price !== null) out.price = checkUnitPrice(input.price, context.config.money, 'price');
  if (input.onShelf !== undefined && input.onShelf !== null) out.on_shelf = input.onShelf;
  if (input.sortOrder !== undefined && input.sortOrder !== null) out.sort_order = whole(input.sortOrder, 0, 1_000_000, 'sortOrder');
  const periods = out.periods ?? current?.periods ?? 1;
  const price = out.price ?? current?.price ?? 0;
  if (price < periods) throw badInput('The price must be at least 1 fen per period', 'price');
  return out;
}

async function afterWrite(context: ProductContext) {
  await catalogChanged(context.catalogCache);
  context.catalog?.view.bypass();
  loaders.delete(context);
}

export const subscriptionWaresResolvers: Resolvers = {
  Query: {
    async subscriptionWares(_parent, { id }, context) {
      return visible(context, await waresLoaders(context).byId.load(id));
    },
    async staffSubscriptionWares(_parent, { productId, first, after }, context) {
      requireScope(context, CATALOG_WRITE);
      if (productId !== undefined && productId !== null && !isBigintId(productId)) throw badInput('productId is not a valid id', 'productId');
      const page = pageRequest('SubscriptionWares', { first, after }, context.config.maxPageSize);
      return toConnection('SubscriptionWares', await findWaresPage(context.db, { productId: productId ?? undefined, beforeId: page.afterId, limit: page.limit }), page);
    },
  },
  Mutation: {
    async createSubscriptionWares(_parent, { input }, context) {
      requireScope(context, CATALOG_WRITE);
      if (!isBigintId(input.skuId)) throw badInput('skuId is not a valid id', 'skuId');
      const values = fields(context, { ...input, onShelf: input.onShelf ?? false, sortOrder: input.sortOrder ?? 0 });
      const sku = await context.loaders.skuById.load(input.skuId);
      if (!sku || sku.deleted_at) throw badInput('No such SKU', 'skuId');
      const existing = await findWaresByProductIds(context.db, [String(sku.product_id)]);
      if (existing.length >= MAX_WARES_PER_PRODUCT) throw badInput(`A product has at most ${MAX_WARES_PER_PRODUCT} subscribable wares`, 'skuId');
      const row = await insertWares(context.db, { ...(values as WaresFields), product_id: String(sku.product_id), sku_id: String(sku.id) });
      await afterWrite(context);
      return row;
    },
    async updateSubscriptionWares(_parent, { id, input }, context) {
      requireScope(context, CATALOG_WRITE);
      const current = isBigintId(id) ? (await findWaresByIds(context.db, [id]))[0] : undefined;
      if (!current) throw notFound('No such subscribable wares');
      const row = await updateWares(context.db, id, fields(context, input, current));
      await afterWrite(context);
      return row!;
    },
  },
  Product: {
    async subscriptionWares(product, _args, context) {
      const ids = await waresLoaders(context).idsOfProduct.load(String((product as ProductRow).id));
      const rows = await waresLoaders(context).byId.loadMany(ids);
      const staff = seesOffShelf(context);
      return rows.filter((row): row is SubscriptionWaresRow => row !== null && !(row instanceof Error) && (staff || row.on_shelf));
    },
  },
  SubscriptionWares: {
    async __resolveReference(ref, context) {
      return visible(context, await waresLoaders(context).byId.load(String(ref.id)));
    },
    id: (row) => String(row.id),
    // Rows exist: wares reference them by foreign key (a SKU is only ever soft-deleted).
    product: async (row, _args, context) => (await context.loaders.productById.load(String(row.product_id)))!,
    sku: async (row, _args, context) => (await context.loaders.skuById.load(String(row.sku_id)))!,
    quantityPerPeriod: (row) => row.quantity_per_period,
    onShelf: (row) => row.on_shelf,
    sortOrder: (row) => row.sort_order,
    pricePerPeriod: (row) => Math.floor(row.price / row.periods),
    createdAt: (row) => new Date(row.created_at).toISOString(),
    updatedAt: (row) => new Date(row.updated_at).toISOString(),
  },
};

/** Merges the wares' resolvers into the subgraph's map (index.ts). */
export function withSubscriptionWares<Map extends Record<string, object>>(base: Map): Map {
  const merged: Record<string, object> = { ...base };
  for (const [type, fields] of Object.entries(subscriptionWaresResolvers)) merged[type] = { ...(merged[type] ?? {}), ...fields };
  return merged as Map;
}

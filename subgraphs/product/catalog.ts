/**
 * Staff catalog changes (scope catalog:write, checked by the resolvers): validate everything first, then write in one
 * transaction that re-checks what the database knows (category level, brand, SKU names) under row locks.
 * Any error rolls the whole change back.
 */
import type { Knex } from 'knex';
import { badInput, conflict, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { MoneyLimits } from '../../platform/money';
import { findBrandsByIds } from './data/brands';
import { shareLockCategory } from './data/category-writes';
import { insertProduct, lockProduct, updateProduct as writeProduct, type ProductChanges, type ProductRow } from './data/products';
import { recordAdjustments } from './data/stock';
import { insertSkus, liveSkuSummary, lockSku, softDeleteSku, updateSku as writeSku, type NewSku, type SkuRow } from './data/skus';
import { reindexProducts } from './search-index';
import * as valid from './validation';

export interface CreateProductInput {
  title: string;
  description?: string | null;
  categoryId: string;
  brandId?: string | null;
  images?: readonly string[] | null;
  skus: readonly { name: string; price: number; stock: number }[];
  onShelf?: boolean | null;
}

export interface UpdateProductInput {
  title?: string | null;
  description?: string | null;
  categoryId?: string | null;
  brandId?: string | null;
  images?: readonly string[] | null;
}

export interface UpdateSkuInput {
  name?: string | null;
  price?: number | null;
  stock?: number | null;
}

/** Products hang on second-level categories only. Share-locked: staff cannot move it to the top level meanwhile. */
async function checkLeafCategory(db: Knex, categoryId: string): Promise<void> {
  const category = await shareLockCategory(db, categoryId);
  if (!category) throw badInput('Unknown category', 'categoryId');
  if (category.parent_id === null) throw badInput('Choose a second-level category, not a top-level one', 'categoryId');
}

async function checkBrand(db: Knex, brandId: string): Promise<void> {
  const [brand] = await findBrandsByIds(db, [brandId]);
  if (!brand) throw badInput('Unknown brand', 'brandId');
}

async function lockExistingProduct(db: Knex, id: string): Promise<ProductRow> {
  const product = isBigintId(id) ? await lockProduct(db, id) : undefined;
  if (!product) throw notFound('Product not found');
  return product;
}

/** A live (not deleted) SKU, locked. */
async function lockLiveSku(db: Knex, id: string): Promise<SkuRow> {
  const sku = isBigintId(id) ? await lockSku(db, id) : undefined;
  if (!sku || sku.deleted_at) throw notFound('SKU not found');
  return sku;
}

/** A unique-index race (two staff adding the same SKU name at once) is still bad input, not a server error. */
async function uniqueNameGuard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw badInput('A SKU with this name already exists', 'name');
    throw error;
  }
}

export async function createProduct(db: Knex, input: CreateProductInput, limits: MoneyLimits): Promise<{ product: ProductRow; skus: SkuRow[] }> {
  const row = {
    title: valid.title(input.title),
    description: valid.description(input.description),
    images: valid.images(input.images),
    category_id: valid.id(input.categoryId, 'categoryId'),
    brand_id: input.brandId == null ? null : valid.id(input.brandId, 'brandId'),
    on_shelf: input.onShelf ?? false,
  };
  const skus = valid.skuList(input.skus, limits);
  return db.transaction(async (trx) => {
    await checkLeafCategory(trx, row.category_id);
    if (row.brand_id) await checkBrand(trx, row.brand_id);
    const product = await insertProduct(trx, row);
    await reindexProducts(trx, [product.id]);
    return { product, skus: await insertSkus(trx, product.id, skus) };
  });
}

export async function updateProduct(db: Knex, id: string, input: UpdateProductInput): Promise<ProductRow> {
  // Left out = unchanged; null is refused for the fields a product must have, and clears the brand.
  const changes: ProductChanges = {};
  if (input.title !== undefined) changes.title = valid.title(input.title);
  if (input.description !== undefined) changes.description = valid.description(input.description);
  if (input.images !== undefined) {
    if (input.images === null) throw badInput('images cannot be null; pass [] to remove all', 'images');
    changes.images = valid.images(input.images);
  }
  if (input.categoryId !== undefined) changes.category_id = valid.id(input.categoryId, 'categoryId');
  if (input.brandId !== undefined) changes.brand_id = input.brandId === null ? null : valid.id(input.brandId, 'brandId');
  return db.transaction(async (trx) => {
    const product = await lockExistingProduct(trx, id);
    if (changes.category_id) await checkLeafCategory(trx, changes.category_id);
    if (changes.brand_id) await checkBrand(trx, changes.brand_id);
    if (!Object.keys(changes).length) return product;
    const updated = await writeProduct(trx, product.id, changes);
    // Title, brand and category are what a product is found by.
    if (changes.title !== undefined || changes.brand_id !== undefined || changes.category_id !== undefined) await reindexProducts(trx, [product.id]);
    return updated;
  });
}

export async function setProductOnShelf(db: Knex, id: string, onShelf: boolean): Promise<ProductRow> {
  return db.transaction(async (trx) => {
    const product = await lockExistingProduct(trx, id);
    return product.on_shelf === onShelf ? product : writeProduct(trx, product.id, { on_shelf: onShelf });
  });
}

export async function addSku(
  db: Knex,
  productId: string,
  input: { name: string; price: number; stock: number },
  limits: MoneyLimits,
): Promise<SkuRow> {
  const sku: NewSku = valid.sku(input, limits);
  return uniqueNameGuard(() =>
    db.transaction(async (trx) => {
      const product = await lockExistingProduct(trx, productId);
      const live = await liveSkuSummary(trx, product.id);
      if (live.names.length >= valid.LIMITS.skusPerProduct) {
        throw badInput(`At most ${valid.LIMITS.skusPerProduct} SKUs per product`, 'productId');
      }
      if (live.names.includes(sku.name)) throw badInput('A SKU with this name already exists', 'name');
      const [inserted] = await insertSkus(trx, product.id, [sku], live.maxSortOrder + 1);
      return inserted;
    }),
  );
}

/**
 * `stock` sets the AVAILABLE count (what shoppers can still buy); units reserved by unpaid orders and units sold are
 * untouched. The difference to the previous available count is recorded in the stock ledger (STAFF_SET), so
 * ledger = stock + reserved + sold keeps holding. The SKU row lock orders this against concurrent reservations.
 */
export async function updateSku(db: Knex, id: string, input: UpdateSkuInput, limits: MoneyLimits): Promise<SkuRow> {
  const changes: Partial<NewSku> = {};
  if (input.name !== undefined) changes.name = valid.skuName(input.name);
  if (input.price !== undefined) changes.price = valid.price(input.price, limits);
  if (input.stock !== undefined) changes.stock = valid.stock(input.stock);
  return uniqueNameGuard(() =>
    db.transaction(async (trx) => {
      const sku = await lockLiveSku(trx, id);
      if (changes.name !== undefined && changes.name !== sku.name) {
        await lockProduct(trx, sku.product_id);
        const live = await liveSkuSummary(trx, sku.product_id);
        if (live.names.includes(changes.name)) throw badInput('A SKU with this name already exists', 'name');
      }
      if (changes.stock !== undefined) {
        await recordAdjustments(trx, [{ skuId: sku.id, delta: changes.stock - sku.stock, reason: 'STAFF_SET' }]);
      }
      return Object.keys(changes).length ? writeSku(trx, sku.id, changes) : sku;
    }),
  );
}

/** Soft delete; deleting an already deleted SKU changes nothing. The last live SKU stays (take the product off the shelf instead). */
export async function deleteSku(db: Knex, id: string): Promise<SkuRow> {
  return db.transaction(async (trx) => {
    const sku = isBigintId(id) ? await lockSku(trx, id) : undefined;
    if (!sku) throw notFound('SKU not found');
    if (sku.deleted_at) return sku;
    // Lock the product so two deletes of its last two SKUs cannot both pass the check.
    await lockProduct(trx, sku.product_id);
    const live = await liveSkuSummary(trx, sku.product_id);
    if (live.names.length <= 1) throw conflict('A product keeps at least one SKU; take the product off the shelf instead');
    return softDeleteSku(trx, sku.id);
  });
}

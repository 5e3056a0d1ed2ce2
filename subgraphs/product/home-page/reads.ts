/**
 * The home page content's reads, through the catalog cache when the request has one (catalog-cache.ts), else straight
 * from PostgreSQL. Entries are public rows or ids, the same for every caller of a visibility (shopper or staff); a
 * staff edit bumps the catalog generation (mutations.ts), so it is visible on the very next read. Lists of products
 * hold ids only: the rows come through the product loader (one statement per batch, cached by id).
 *
 * Per-request DataLoaders live in a WeakMap keyed by the request's context: they batch the fields of a list (every
 * group's members, every product's tags or related products) into one statement.
 */
import DataLoader from 'dataloader';
import type { CacheKind } from '../../../platform/read-cache';
import type { ProductContext } from '../context';
import { findBannersNotEnded, type BannerRow } from '../data/banners';
import { findLiveSkuIdsByBarcodes } from '../data/barcodes';
import { findQuestionsByIds, findQuestionsOfTopics, findTopics, type HelpQuestionRow, type HelpTopicRow } from '../data/help-center';
import { findHotWords, type HotSearchWordRow } from '../data/hot-words';
import { findGroupMembers, findGroups, findGroupsByIds, type GroupListQuery, type GroupMemberRow, type ProductGroupRow } from '../data/product-groups';
import { findAllTags, findProductPageByTag, findTagsOfProducts, type ProductTagRow, type TagPageQuery } from '../data/product-tags';
import type { ProductRow } from '../data/products';
import { findPopularProductIds, findRelatedProductIds } from '../data/related-products';
import { seesOffShelf } from '../visibility';

/** HomePage has no row of its own: its fields read the lists. */
export type HomePageRef = Record<string, never>;

/** One member of a group as the API shows it. */
export interface GroupMemberEdge {
  cursor: string;
  rank: number;
  node: ProductRow;
}

const maybeDate = (value: Date | string | null) => (value === null ? null : new Date(value));
const dated = <Row extends { created_at: Date; updated_at?: Date }>(row: Row): Row => ({
  ...row,
  created_at: new Date(row.created_at),
  ...(row.updated_at === undefined ? {} : { updated_at: new Date(row.updated_at) }),
});

/** What the home page content keeps in the catalog cache (same generation, same invalidation as the catalog). */
export const homeKinds = {
  /** Banners not ended when read (whether one has started is decided per read); key `live`. */
  banners: { name: 'banners', revive: (rows) => rows.map((row) => ({ ...dated(row), starts_at: maybeDate(row.starts_at), ends_at: maybeDate(row.ends_at) })) } as CacheKind<BannerRow[]>,
  /** A page of groups; key kind|home|after|limit. */
  groups: { name: 'product-groups', revive: (rows) => rows.map(dated) } as CacheKind<ProductGroupRow[]>,
  group: { name: 'product-group', revive: dated } as CacheKind<ProductGroupRow>,
  /** A page of a group's members; key group|after|limit|visibility. */
  groupMembers: { name: 'group-members' } as CacheKind<GroupMemberRow[]>,
  /** Every tag; key `all`. */
  tags: { name: 'product-tags', revive: (rows) => rows.map(dated) } as CacheKind<ProductTagRow[]>,
  /** A product's tag ids in display order. */
  productTagIds: { name: 'product-tag-ids' } as CacheKind<string[]>,
  /** Product ids of one page of a tag; key tag|visibility|before|limit. */
  tagPage: { name: 'tag-page' } as CacheKind<string[]>,
  /** Related product ids; key product|limit. */
  related: { name: 'related-products' } as CacheKind<string[]>,
  /** Best sellers "guess you like" draws from; key `popular`. Sales move it without a catalog write: TTL bounded. */
  guessPool: { name: 'guess-pool' } as CacheKind<string[]>,
  hotWords: { name: 'hot-words', revive: (rows) => rows.map(dated) } as CacheKind<HotSearchWordRow[]>,
  helpTopics: { name: 'help-topics', revive: (rows) => rows.map(dated) } as CacheKind<HelpTopicRow[]>,
  /** A topic's questions; key topic|featuredOnly. */
  helpQuestions: { name: 'help-questions', revive: (rows) => rows.map(dated) } as CacheKind<HelpQuestionRow[]>,
  helpQuestion: { name: 'help-question', revive: dated } as CacheKind<HelpQuestionRow>,
  /** The live SKU id of a barcode (unknown barcodes are never kept). */
  barcodeSku: { name: 'sku-barcode' } as CacheKind<string>,
};

/**
 * One value through the cache when the request has one, read once per request: the fields that share a list (the
 * carousel and the strips, every product's tags) share one read.
 */
function one<T>(context: ProductContext, kind: CacheKind<T>, key: string, load: () => Promise<T>): Promise<T> {
  const reads = homeLoaders(context).once;
  const id = `${kind.name}|${key}`;
  let value = reads.get(id) as Promise<T> | undefined;
  if (!value) {
    value = context.catalog ? context.catalog.view.get(kind, key, load) : load();
    reads.set(id, value);
  }
  return value;
}

/** Many values through the cache when the request has one; `load` gets the misses only. */
function many<T>(context: ProductContext, kind: CacheKind<T>, keys: readonly string[], load: (missing: readonly string[]) => Promise<Map<string, T>>) {
  return context.catalog ? context.catalog.view.getMany(kind, keys, load) : load(keys);
}

const visibility = (context: ProductContext) => (seesOffShelf(context) ? 'staff' : 'shopper');

/** Loads products by id in order, dropping unknown ones and (for shoppers, or when `onShelfOnly`) off-shelf ones. */
export async function productsInOrder(context: ProductContext, ids: readonly string[], onShelfOnly = !seesOffShelf(context)): Promise<ProductRow[]> {
  const rows = await context.loaders.productById.loadMany([...ids]);
  return rows.filter((row): row is ProductRow => row !== null && !(row instanceof Error) && (!onShelfOnly || row.on_shelf));
}

/** Splits "a|b|c" keys into their parts, groups keys by everything but the first part (one statement per group). */
function bySuffix(keys: readonly string[]): Map<string, { key: string; head: string }[]> {
  const groups = new Map<string, { key: string; head: string }[]>();
  for (const key of keys) {
    const cut = key.indexOf('|');
    const suffix = key.slice(cut + 1);
    const list = groups.get(suffix) ?? [];
    list.push({ key, head: key.slice(0, cut) });
    groups.set(suffix, list);
  }
  return groups;
}

function createHomeLoaders(context: ProductContext) {
  const { db } = context;

  /** key: group|afterPosition|limit|visibility */
  const groupMembers = new DataLoader<string, GroupMemberRow[]>(async (keys) => {
    const found = await many(context, homeKinds.groupMembers, keys, async (missing) => {
      const result = new Map<string, GroupMemberRow[]>();
      for (const [suffix, entries] of bySuffix(missing)) {
        const [after, limit, seen] = suffix.split('|');
        const rows = await findGroupMembers(db, {
          groupIds: entries.map((entry) => entry.head),
          afterPosition: Number(after),
          limit: Number(limit),
          onShelfOnly: seen === 'shopper',
        });
        for (const entry of entries) result.set(entry.key, rows.filter((row) => row.group_id === entry.head));
      }
      return result;
    });
    return keys.map((key) => found.get(key) ?? []);
  });

  const groupById = new DataLoader<string, ProductGroupRow | null>(async (ids) => {
    const found = await many(context, homeKinds.group, ids, async (missing) => new Map((await findGroupsByIds(db, missing)).map((row) => [String(row.id), row])));
    return ids.map((id) => found.get(id) ?? null);
  });

  const productTagIds = new DataLoader<string, string[]>(async (productIds) => {
    const found = await many(context, homeKinds.productTagIds, productIds, async (missing) => {
      const result = new Map<string, string[]>(missing.map((id) => [id, []]));
      for (const row of await findTagsOfProducts(db, missing)) result.get(row.product_id)?.push(String(row.id));
      return result;
    });
    return productIds.map((id) => found.get(id) ?? []);
  });

  /** key: product|limit */
  const related = new DataLoader<string, string[]>(async (keys) => {
    const found = await many(context, homeKinds.related, keys, async (missing) => {
      const result = new Map<string, string[]>();
      for (const [limit, entries] of bySuffix(missing)) {
        const ids = await findRelatedProductIds(db, entries.map((entry) => entry.head), Number(limit));
        for (const entry of entries) result.set(entry.key, ids.get(entry.head) ?? []);
      }
      return result;
    });
    return keys.map((key) => found.get(key) ?? []);
  });

  /** key: topic|featuredOnly */
  const topicQuestions = new DataLoader<string, HelpQuestionRow[]>(async (keys) => {
    const found = await many(context, homeKinds.helpQuestions, keys, async (missing) => {
      const result = new Map<string, HelpQuestionRow[]>();
      for (const [featured, entries] of bySuffix(missing)) {
        const rows = await findQuestionsOfTopics(db, entries.map((entry) => entry.head), featured === 'true');
        for (const entry of entries) result.set(entry.key, rows.filter((row) => String(row.topic_id) === entry.head));
      }
      return result;
    });
    return keys.map((key) => found.get(key) ?? []);
  });

  const questionById = new DataLoader<string, HelpQuestionRow | null>(async (ids) => {
    const found = await many(context, homeKinds.helpQuestion, ids, async (missing) => new Map((await findQuestionsByIds(db, missing)).map((row) => [String(row.id), row])));
    return ids.map((id) => found.get(id) ?? null);
  });

  /** Whole lists read in this request (see `one`). */
  const once = new Map<string, Promise<unknown>>();

  return { groupMembers, groupById, productTagIds, related, topicQuestions, questionById, once };
}

const perRequest = new WeakMap<ProductContext, ReturnType<typeof createHomeLoaders>>();

/** This request's home page loaders (created on first use). */
export function homeLoaders(context: ProductContext) {
  let loaders = perRequest.get(context);
  if (!loaders) {
    loaders = createHomeLoaders(context);
    perRequest.set(context, loaders);
  }
  return loaders;
}

/** After a write, the rest of the operation must not see what the loaders read before it. */
export function forgetHomeLoaders(context: ProductContext) {
  perRequest.delete(context);
}

/** The home page's lists, read together; the link targets of every banner then in one batch each. */
export async function prefetchHomePage(context: ProductContext, groupLimit: number): Promise<void> {
  const [banners] = await Promise.all([
    one(context, homeKinds.banners, 'live', () => findBannersNotEnded(context.db)),
    groupPage(context, { onHomeOnly: true, limit: groupLimit }),
    hotWords(context),
  ]);
  const groupIds = [...new Set(banners.flatMap((row) => (row.link_type === 'GROUP' && row.link_group_id ? [row.link_group_id] : [])))];
  const productIds = [...new Set(banners.flatMap((row) => (row.link_type === 'PRODUCT' && row.link_product_id ? [row.link_product_id] : [])))];
  await Promise.all([homeLoaders(context).groupById.loadMany(groupIds), context.loaders.productById.loadMany(productIds)]);
}

/** Banners of a place live at `now` (started, not ended), in order. */
export async function liveBanners(context: ProductContext, position: BannerRow['position'], now = new Date()): Promise<BannerRow[]> {
  const rows = await one(context, homeKinds.banners, 'live', () => findBannersNotEnded(context.db));
  return rows.filter((row) => row.position === position && (!row.starts_at || row.starts_at <= now) && (!row.ends_at || row.ends_at > now));
}

export async function groupPage(context: ProductContext, query: GroupListQuery): Promise<ProductGroupRow[]> {
  const key = [query.kind ?? '', query.onHomeOnly ? 'home' : '', query.after ? `${query.after.sortOrder}/${query.after.id}` : '', query.limit].join('|');
  // Name searches are not cached: their keys are unbounded.
  const rows = query.nameLike === undefined ? await one(context, homeKinds.groups, key, () => findGroups(context.db, query)) : await findGroups(context.db, query);
  for (const row of rows) homeLoaders(context).groupById.prime(row.id, row);
  return rows;
}

/** A page of a group's members with their products (one batch for every group of the operation). */
export async function groupMembersPage(context: ProductContext, groupId: string, afterPosition: number, limit: number): Promise<{ row: GroupMemberRow; product: ProductRow }[]> {
  const rows = await homeLoaders(context).groupMembers.load([groupId, afterPosition, limit, visibility(context)].join('|'));
  const products = await productsInOrder(context, rows.map((row) => row.product_id), false);
  const byId = new Map(products.map((product) => [product.id, product]));
  // A member whose product was taken off the shelf since is a catalog write (new generation): the check is a guard.
  return rows.flatMap((row) => {
    const product = byId.get(row.product_id);
    return product && (product.on_shelf || seesOffShelf(context)) ? [{ row, product }] : [];
  });
}

export async function allTags(context: ProductContext): Promise<ProductTagRow[]> {
  return one(context, homeKinds.tags, 'all', () => findAllTags(context.db));
}

export async function tagsOfProduct(context: ProductContext, productId: string): Promise<ProductTagRow[]> {
  const [ids, tags] = await Promise.all([homeLoaders(context).productTagIds.load(productId), allTags(context)]);
  const byId = new Map(tags.map((tag) => [String(tag.id), tag]));
  return ids.map((id) => byId.get(id)).filter((tag): tag is ProductTagRow => Boolean(tag));
}

/** One page of a tag's products (ids cached per page, rows through the product loader). */
export async function tagProductPage(context: ProductContext, query: TagPageQuery): Promise<ProductRow[]> {
  const key = [query.tagId, query.onShelf ?? '', query.beforeId ?? '', query.limit].join('|');
  const ids = await one(context, homeKinds.tagPage, key, async () => {
    const rows = await findProductPageByTag(context.db, query);
    for (const row of rows) context.loaders.productById.prime(row.id, row);
    return rows.map((row) => String(row.id));
  });
  return productsInOrder(context, ids, query.onShelf === true);
}

export async function relatedProducts(context: ProductContext, productId: string, limit: number): Promise<ProductRow[]> {
  return productsInOrder(context, await homeLoaders(context).related.load(`${productId}|${limit}`), true);
}

/** Size of the pool "guess you like" shuffles. */
export const GUESS_POOL_SIZE = 100;

export async function guessPool(context: ProductContext): Promise<string[]> {
  return one(context, homeKinds.guessPool, 'popular', () => findPopularProductIds(context.db, GUESS_POOL_SIZE));
}

export async function hotWords(context: ProductContext): Promise<HotSearchWordRow[]> {
  return one(context, homeKinds.hotWords, 'all', () => findHotWords(context.db));
}

export async function helpTopics(context: ProductContext): Promise<HelpTopicRow[]> {
  return one(context, homeKinds.helpTopics, 'all', () => findTopics(context.db));
}

export async function topicQuestions(context: ProductContext, topicId: string, featuredOnly: boolean): Promise<HelpQuestionRow[]> {
  return homeLoaders(context).topicQuestions.load(`${topicId}|${featuredOnly}`);
}

/** The live SKU id of a barcode, or undefined. */
export async function skuIdByBarcode(context: ProductContext, barcode: string): Promise<string | undefined> {
  const found = await many(context, homeKinds.barcodeSku, [barcode], (missing) => findLiveSkuIdsByBarcodes(context.db, missing));
  return found.get(barcode);
}

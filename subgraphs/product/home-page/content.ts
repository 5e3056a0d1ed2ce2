/**
 * Staff edits of the home page's content: validate, write (in a transaction where several statements must agree),
 * and say NOT_FOUND for unknown ids and CONFLICT for a taken unique name. Authorization and cache invalidation are
 * the resolvers' job (resolvers.ts).
 */
import type { Knex } from 'knex';
import { conflict, notFound } from '../../../platform/errors';
import * as banners from '../data/banners';
import type { BannerFields, BannerLinkType, BannerPosition, BannerRow } from '../data/banners';
import { setSkuBarcode as writeSkuBarcode } from '../data/barcodes';
import * as help from '../data/help-center';
import * as hotWords from '../data/hot-words';
import * as groups from '../data/product-groups';
import type { ProductGroupKind, ProductGroupRow } from '../data/product-groups';
import * as tags from '../data/product-tags';
import { findProductsByIds, lockProduct, type ProductRow } from '../data/products';
import type { SkuRow } from '../data/skus';
import { productsWithTag, reindexProducts } from '../search-index';
import * as valid from './validation';
import { LIMITS } from './validation';

/** PostgreSQL's unique_violation and foreign_key_violation. */
const sqlState = (error: unknown) => (error as { code?: string }).code;

/**
 * Runs a write; a unique name another writer took first is CONFLICT, and a referenced row (product, group, tag,
 * topic) another writer deleted between the check and the write is NOT_FOUND, as if the check had seen it gone.
 */
async function uniquely<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sqlState(error) === '23505') throw conflict(message);
    if (sqlState(error) === '23503') throw notFound('A referenced row no longer exists');
    throw error;
  }
}

const found = <T>(row: T | undefined, what: string): T => {
  if (row === undefined) throw notFound(`${what} not found`);
  return row;
};

const deleted = (done: boolean, what: string) => {
  if (!done) throw notFound(`${what} not found`);
  return true;
};

/** NOT_FOUND for a tag id (the reads say it, too). */
export const tagNotFound = (id: string) => notFound(`Tag ${id} not found`);

// ---- banners ----

export interface BannerInput {
  title?: string | null;
  imageUrl: string;
  position: BannerPosition;
  sortOrder?: number | null;
  linkType?: BannerLinkType | null;
  linkProductId?: string | null;
  linkGroupId?: string | null;
  linkUrl?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
}

/** Checks a banner and that what it links to exists; the link fields of other types are cleared. */
async function bannerFields(db: Knex, input: BannerInput): Promise<BannerFields> {
  const linkType = input.linkType ?? 'NONE';
  const startsAt = valid.instant(input.startsAt, 'startsAt');
  const endsAt = valid.instant(input.endsAt, 'endsAt');
  valid.schedule(startsAt, endsAt);
  const fields: BannerFields = {
    title: valid.text(input.title, 'title', LIMITS.bannerTitle, true),
    image_url: valid.httpsUrl(input.imageUrl, 'imageUrl'),
    position: input.position,
    sort_order: valid.sortOrder(input.sortOrder),
    link_type: linkType,
    link_product_id: null,
    link_group_id: null,
    link_url: null,
    starts_at: startsAt,
    ends_at: endsAt,
  };
  if (linkType === 'PRODUCT') {
    const id = valid.id(input.linkProductId, 'linkProductId');
    if (!(await findProductsByIds(db, [id])).length) throw notFound(`Product ${id} not found`);
    fields.link_product_id = id;
  } else if (linkType === 'GROUP') {
    const id = valid.id(input.linkGroupId, 'linkGroupId');
    if (!(await groups.findGroupsByIds(db, [id])).length) throw notFound(`Product group ${id} not found`);
    fields.link_group_id = id;
  } else if (linkType === 'URL') {
    fields.link_url = valid.httpsUrl(input.linkUrl, 'linkUrl');
  }
  return fields;
}

export async function createBanner(db: Knex, input: BannerInput): Promise<BannerRow> {
  const fields = await bannerFields(db, input);
  return uniquely(() => banners.insertBanner(db, fields), 'Banner conflict');
}

export async function updateBanner(db: Knex, id: string, input: BannerInput): Promise<BannerRow> {
  valid.id(id, 'id');
  const fields = await bannerFields(db, input);
  return found(await uniquely(() => banners.updateBanner(db, id, fields), 'Banner conflict'), `Banner ${id}`);
}

export async function deleteBanner(db: Knex, id: string): Promise<boolean> {
  return deleted(await banners.deleteBanner(db, valid.id(id, 'id')), `Banner ${id}`);
}

// ---- product groups ----

export interface GroupInput {
  name?: string | null;
  description?: string | null;
  kind?: ProductGroupKind | null;
  showOnHome?: boolean | null;
  sortOrder?: number | null;
}

/** Only the fields given; `complete` fills defaults (a new group). */
function groupFields(input: GroupInput, complete: boolean): Partial<groups.ProductGroupFields> {
  const fields: Partial<groups.ProductGroupFields> = {};
  if (complete || input.name != null) fields.name = valid.text(input.name, 'name', LIMITS.groupName);
  if (complete || input.description != null) fields.description = valid.text(input.description, 'description', LIMITS.groupDescription, true);
  if (complete || input.kind != null) fields.kind = input.kind ?? 'LIST';
  if (complete || input.showOnHome != null) fields.show_on_home = input.showOnHome ?? false;
  if (complete || input.sortOrder != null) fields.sort_order = valid.sortOrder(input.sortOrder);
  return fields;
}

export async function createGroup(db: Knex, input: GroupInput): Promise<ProductGroupRow> {
  return groups.insertGroup(db, groupFields(input, true) as groups.ProductGroupFields);
}

export async function updateGroup(db: Knex, id: string, input: GroupInput): Promise<ProductGroupRow> {
  valid.id(id, 'id');
  const fields = groupFields(input, false);
  if (!Object.keys(fields).length) return found((await groups.findGroupsByIds(db, [id]))[0], `Product group ${id}`);
  return found(await groups.updateGroup(db, id, fields), `Product group ${id}`);
}

export async function deleteGroup(db: Knex, id: string): Promise<boolean> {
  return deleted(await groups.deleteGroup(db, valid.id(id, 'id')), `Product group ${id}`);
}

/** Every id must name an existing product (on the shelf or not: staff may prepare a group before a launch). */
async function requireProducts(db: Knex, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const known = new Set((await findProductsByIds(db, ids)).map((row) => String(row.id)));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw notFound(`Unknown products: ${unknown.join(', ')}`);
}

/** Replaces the members in the given order (rank 1 first); concurrent replacements of one group serialize. */
export async function setGroupProducts(db: Knex, id: string, productIds: readonly string[]): Promise<ProductGroupRow> {
  valid.id(id, 'id');
  const ids = valid.idList(productIds, 'productIds', LIMITS.groupMembers);
  return uniquely(
    () =>
      db.transaction(async (trx) => {
        const group = found(await groups.lockGroup(trx, id), `Product group ${id}`);
        await requireProducts(trx, ids);
        await groups.replaceGroupMembers(trx, id, ids);
        return group;
      }),
    'The group changed meanwhile',
  );
}

// ---- tags ----

export async function createTag(db: Knex, name: string, sortOrder: number | null | undefined) {
  const fields = { name: valid.text(name, 'name', LIMITS.tagName), sort_order: valid.sortOrder(sortOrder) };
  return uniquely(() => tags.insertTag(db, fields), `A tag named ${fields.name} exists`);
}

export async function updateTag(db: Knex, id: string, name: string | null | undefined, sortOrder: number | null | undefined) {
  valid.id(id, 'id');
  const changes: Partial<tags.ProductTagFields> = {};
  if (name != null) changes.name = valid.text(name, 'name', LIMITS.tagName);
  if (sortOrder != null) changes.sort_order = valid.sortOrder(sortOrder);
  if (!Object.keys(changes).length) return found((await tags.findTagsByIds(db, [id]))[0], `Tag ${id}`);
  const update = () =>
    db.transaction(async (trx) => {
      const row = await tags.updateTag(trx, id, changes);
      // Products are found by their tags' names (docs/search.md).
      if (row && changes.name !== undefined) await reindexProducts(trx, await productsWithTag(trx, id));
      return row;
    });
  return found(await uniquely(update, `A tag named ${changes.name} exists`), `Tag ${id}`);
}

export async function deleteTag(db: Knex, id: string): Promise<boolean> {
  valid.id(id, 'id');
  const removed = await db.transaction(async (trx) => {
    const productIds = await productsWithTag(trx, id);
    const gone = await tags.deleteTag(trx, id);
    await reindexProducts(trx, productIds);
    return gone;
  });
  return deleted(removed, `Tag ${id}`);
}

export async function setProductTags(db: Knex, productId: string, tagIds: readonly string[]): Promise<ProductRow> {
  valid.id(productId, 'productId');
  const ids = valid.idList(tagIds, 'tagIds', LIMITS.tagsPerProduct);
  const replace = () =>
    db.transaction(async (trx) => {
      const product = found(await lockProduct(trx, productId), `Product ${productId}`);
      const known = new Set((ids.length ? await tags.findTagsByIds(trx, ids) : []).map((row) => String(row.id)));
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length) throw notFound(`Unknown tags: ${unknown.join(', ')}`);
      await tags.replaceProductTags(trx, productId, ids);
      await reindexProducts(trx, [productId]);
      return product;
    });
  return uniquely(replace, 'The product changed meanwhile');
}

// ---- hot search words ----

export interface HotWordInput {
  word: string;
  highlighted?: boolean | null;
  sortOrder?: number | null;
}

const hotWordFields = (input: HotWordInput): hotWords.HotSearchWordFields => ({
  word: valid.text(input.word, 'word', LIMITS.hotWord),
  highlighted: input.highlighted ?? false,
  sort_order: valid.sortOrder(input.sortOrder),
});

export async function createHotWord(db: Knex, input: HotWordInput) {
  const fields = hotWordFields(input);
  return uniquely(() => hotWords.insertHotWord(db, fields), `The hot word ${fields.word} exists`);
}

export async function updateHotWord(db: Knex, id: string, input: HotWordInput) {
  valid.id(id, 'id');
  const fields = hotWordFields(input);
  return found(await uniquely(() => hotWords.updateHotWord(db, id, fields), `The hot word ${fields.word} exists`), `Hot word ${id}`);
}

export async function deleteHotWord(db: Knex, id: string): Promise<boolean> {
  return deleted(await hotWords.deleteHotWord(db, valid.id(id, 'id')), `Hot word ${id}`);
}

// ---- help center ----

export async function createTopic(db: Knex, title: string, sortOrder: number | null | undefined) {
  return help.insertTopic(db, { title: valid.text(title, 'title', LIMITS.topicTitle), sort_order: valid.sortOrder(sortOrder) });
}

export async function updateTopic(db: Knex, id: string, title: string | null | undefined, sortOrder: number | null | undefined) {
  valid.id(id, 'id');
  const changes: Partial<help.HelpTopicFields> = {};
  if (title != null) changes.title = valid.text(title, 'title', LIMITS.topicTitle);
  if (sortOrder != null) changes.sort_order = valid.sortOrder(sortOrder);
  if (!Object.keys(changes).length) return found((await help.findTopicsByIds(db, [id]))[0], `Help topic ${id}`);
  return found(await help.updateTopic(db, id, changes), `Help topic ${id}`);
}

export async function deleteTopic(db: Knex, id: string): Promise<boolean> {
  return deleted(await help.deleteTopic(db, valid.id(id, 'id')), `Help topic ${id}`);
}

export interface QuestionInput {
  topicId: string;
  question: string;
  answer: string;
  featured?: boolean | null;
  sortOrder?: number | null;
}

async function questionFields(db: Knex, input: QuestionInput): Promise<help.HelpQuestionFields> {
  const fields: help.HelpQuestionFields = {
    topic_id: valid.id(input.topicId, 'topicId'),
    question: valid.text(input.question, 'question', LIMITS.question),
    answer: valid.text(input.answer, 'answer', LIMITS.answer),
    featured: input.featured ?? false,
    sort_order: valid.sortOrder(input.sortOrder),
  };
  if (!(await help.findTopicsByIds(db, [fields.topic_id])).length) throw notFound(`Help topic ${fields.topic_id} not found`);
  return fields;
}

export async function createQuestion(db: Knex, input: QuestionInput) {
  const fields = await questionFields(db, input);
  return uniquely(() => help.insertQuestion(db, fields), 'Question conflict');
}

export async function updateQuestion(db: Knex, id: string, input: QuestionInput) {
  valid.id(id, 'id');
  const fields = await questionFields(db, input);
  return found(await uniquely(() => help.updateQuestion(db, id, fields), 'Question conflict'), `Help question ${id}`);
}

export async function deleteQuestion(db: Knex, id: string): Promise<boolean> {
  return deleted(await help.deleteQuestion(db, valid.id(id, 'id')), `Help question ${id}`);
}

// ---- barcodes ----

export async function setSkuBarcode(db: Knex, skuId: string, barcode: string | null | undefined): Promise<SkuRow> {
  valid.id(skuId, 'skuId');
  const code = barcode == null ? null : valid.barcode(barcode);
  const row = await uniquely(() => writeSkuBarcode(db, skuId, code), `Another SKU has the barcode ${code}`);
  return found(row, `SKU ${skuId}`);
}

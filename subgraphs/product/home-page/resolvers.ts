/**
 * Resolvers of the home page's content (docs/home-page.md): thin — authorization, visibility and mapping; reads come
 * from reads.ts (catalog cache + batched loaders), writes from content.ts. Merged into the product subgraph's
 * resolver map by `withHomePage` (index.ts).
 */
import { requireScope } from '../../../platform/context';
import { pageRequest, toConnection } from '../../../platform/connection';
import { forbidden } from '../../../platform/errors';
import { isBigintId } from '../../../platform/loaders';
import { catalogChanged } from '../catalog-cache';
import type { ProductContext } from '../context';
import { findAllBanners, type BannerRow } from '../data/banners';
import type { ProductGroupRow } from '../data/product-groups';
import type { ProductTagRow } from '../data/product-tags';
import { escapeLike, type ProductRow } from '../data/products';
import type { SkuRow } from '../data/skus';
import type { HelpQuestionRow, HelpTopicRow } from '../data/help-center';
import type { Resolvers } from '../generated/resolvers-types';
import { CATALOG_WRITE, seesOffShelf } from '../visibility';
import * as content from './content';
import { afterGroup, groupCursor, memberCursor, afterMember } from './cursors';
import { dayOf, shuffledFor } from './guess';
import * as reads from './reads';
import * as valid from './validation';
import { LIMITS } from './validation';

/** The default number of members a group shows per page. */
const GROUP_PAGE_SIZE = 10;

/**
 * After a committed content write: every instance's next read sees it (new catalog generation, which the router's
 * response cache follows too), and the rest of this operation reads PostgreSQL.
 */
async function afterContentWrite(context: ProductContext) {
  await catalogChanged(context.catalogCache);
  context.catalog?.view.bypass();
  reads.forgetHomeLoaders(context);
}

/** Runs a staff write, then invalidates. */
async function staffWrite<T>(context: ProductContext, write: () => Promise<T>): Promise<T> {
  requireScope(context, CATALOG_WRITE);
  const result = await write();
  await afterContentWrite(context);
  return result;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const homePageResolvers: Resolvers = {
  Query: {
    async homePage(_parent, _args, context) {
      // Everything the first screen's fields share, read before they ask: its statement count does not depend on
      // the number of banners, groups or products (subgraphs/product/test/home-page.test.ts).
      await reads.prefetchHomePage(context, LIMITS.homeGroups);
      return {};
    },

    async banners(_parent, { position, includeInactive }, context) {
      if (!includeInactive) return reads.liveBanners(context, position);
      if (!seesOffShelf(context)) throw forbidden(`Inactive banners need the ${CATALOG_WRITE} permission`);
      return (await findAllBanners(context.db)).filter((row) => row.position === position);
    },

    async productGroup(_parent, { id }, context) {
      return isBigintId(id) ? reads.homeLoaders(context).groupById.load(id) : null;
    },

    async productGroups(_parent, { kind, keyword, first, after }, context) {
      const size = valid.count(first, 'first', context.config.maxPageSize, 20);
      const name = keyword == null ? '' : valid.text(keyword, 'keyword', LIMITS.groupName, true);
      const nameLike = name ? escapeLike(name) : undefined;
      const rows = await reads.groupPage(context, { kind: kind ?? undefined, nameLike, after: afterGroup(after), limit: size + 1 });
      const edges = rows.slice(0, size).map((node) => ({ cursor: groupCursor(node), node }));
      return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
    },

    productTags: (_parent, _args, context) => reads.allTags(context),

    async productsByTag(_parent, { tagId, first, after }, context) {
      const tag = isBigintId(tagId) ? (await reads.allTags(context)).find((row) => String(row.id) === tagId) : undefined;
      if (!tag) throw content.tagNotFound(tagId);
      return tagProducts(tag, { first, after }, context);
    },

    hotSearchWords: (_parent, _args, context) => reads.hotWords(context),

    async guessYouLike(_parent, { first }, context) {
      const size = valid.count(first, 'first', LIMITS.guess, 10);
      // The order depends on who asks: the router must not keep this answer for other callers (public-answers.ts).
      const caller = context.identity.userId;
      if (caller) context.personalAnswer = true;
      const order = shuffledFor(await reads.guessPool(context), caller ? `user:${caller}` : 'anonymous', dayOf(new Date()));
      return (await reads.productsInOrder(context, order, true)).slice(0, size);
    },

    helpTopics: (_parent, _args, context) => reads.helpTopics(context),

    async helpQuestion(_parent, { id }, context) {
      return isBigintId(id) ? reads.homeLoaders(context).questionById.load(id) : null;
    },

    async skuByBarcode(_parent, { barcode }, context) {
      const skuId = await reads.skuIdByBarcode(context, valid.barcode(barcode));
      if (!skuId) return null;
      const sku = await context.loaders.skuById.load(skuId);
      // The cached id may be of a SKU deleted or re-coded since only if a staff write happened (new generation).
      if (!sku || sku.deleted_at || (sku as SkuRow & { barcode?: string | null }).barcode !== barcode.trim()) return null;
      if (seesOffShelf(context)) return sku;
      const product = await context.loaders.productById.load(sku.product_id);
      return product?.on_shelf ? sku : null;
    },
  },

  Mutation: {
    createBanner: (_parent, { input }, context) => staffWrite(context, () => content.createBanner(context.db, input)),
    updateBanner: (_parent, { id, input }, context) => staffWrite(context, () => content.updateBanner(context.db, id, input)),
    deleteBanner: (_parent, { id }, context) => staffWrite(context, () => content.deleteBanner(context.db, id)),
    createProductGroup: (_parent, { input }, context) => staffWrite(context, () => content.createGroup(context.db, input)),
    updateProductGroup: (_parent, { id, input }, context) => staffWrite(context, () => content.updateGroup(context.db, id, input)),
    deleteProductGroup: (_parent, { id }, context) => staffWrite(context, () => content.deleteGroup(context.db, id)),
    setProductGroupProducts: (_parent, { id, productIds }, context) => staffWrite(context, () => content.setGroupProducts(context.db, id, productIds)),
    createProductTag: (_parent, { name, sortOrder }, context) => staffWrite(context, () => content.createTag(context.db, name, sortOrder)),
    updateProductTag: (_parent, { id, name, sortOrder }, context) => staffWrite(context, () => content.updateTag(context.db, id, name, sortOrder)),
    deleteProductTag: (_parent, { id }, context) => staffWrite(context, () => content.deleteTag(context.db, id)),
    async setProductTags(_parent, { productId, tagIds }, context) {
      const product = await staffWrite(context, () => content.setProductTags(context.db, productId, tagIds));
      context.loaders.productById.clear(product.id).prime(product.id, product);
      return product;
    },
    createHotSearchWord: (_parent, { input }, context) => staffWrite(context, () => content.createHotWord(context.db, input)),
    updateHotSearchWord: (_parent, { id, input }, context) => staffWrite(context, () => content.updateHotWord(context.db, id, input)),
    deleteHotSearchWord: (_parent, { id }, context) => staffWrite(context, () => content.deleteHotWord(context.db, id)),
    createHelpTopic: (_parent, { title, sortOrder }, context) => staffWrite(context, () => content.createTopic(context.db, title, sortOrder)),
    updateHelpTopic: (_parent, { id, title, sortOrder }, context) => staffWrite(context, () => content.updateTopic(context.db, id, title, sortOrder)),
    deleteHelpTopic: (_parent, { id }, context) => staffWrite(context, () => content.deleteTopic(context.db, id)),
    createHelpQuestion: (_parent, { input }, context) => staffWrite(context, () => content.createQuestion(context.db, input)),
    updateHelpQuestion: (_parent, { id, input }, context) => staffWrite(context, () => content.updateQuestion(context.db, id, input)),
    deleteHelpQuestion: (_parent, { id }, context) => staffWrite(context, () => content.deleteQuestion(context.db, id)),
    async setSkuBarcode(_parent, { skuId, barcode }, context) {
      const sku = await staffWrite(context, () => content.setSkuBarcode(context.db, skuId, barcode));
      context.loaders.skuById.clear(sku.id).prime(sku.id, sku);
      return sku;
    },
  },

  HomePage: {
    banners: (_home, _args, context) => reads.liveBanners(context, 'HOME_CAROUSEL'),
    strips: (_home, _args, context) => reads.liveBanners(context, 'HOME_STRIP'),
    groups: (_home, _args, context) => reads.groupPage(context, { onHomeOnly: true, limit: LIMITS.homeGroups }),
    hotSearchWords: (_home, _args, context) => reads.hotWords(context),
  },

  Banner: {
    imageUrl: (banner: BannerRow) => banner.image_url,
    sortOrder: (banner: BannerRow) => banner.sort_order,
    linkType: (banner: BannerRow) => banner.link_type,
    async linkProduct(banner: BannerRow, _args, context) {
      if (banner.link_type !== 'PRODUCT' || !banner.link_product_id) return null;
      const product = await context.loaders.productById.load(banner.link_product_id);
      return product && (product.on_shelf || seesOffShelf(context)) ? product : null;
    },
    linkGroup: (banner: BannerRow, _args, context) =>
      banner.link_type === 'GROUP' && banner.link_group_id ? reads.homeLoaders(context).groupById.load(banner.link_group_id) : null,
    linkUrl: (banner: BannerRow) => (banner.link_type === 'URL' ? banner.link_url : null),
    startsAt: (banner: BannerRow) => iso(banner.starts_at),
    endsAt: (banner: BannerRow) => iso(banner.ends_at),
  },

  ProductGroup: {
    showOnHome: (group: ProductGroupRow) => group.show_on_home,
    sortOrder: (group: ProductGroupRow) => group.sort_order,
    async products(group: ProductGroupRow, { first, after }, context) {
      const size = valid.count(first, 'first', context.config.maxPageSize, GROUP_PAGE_SIZE);
      const members = await reads.groupMembersPage(context, String(group.id), afterMember(after), size + 1);
      const edges = members.slice(0, size).map(({ row, product }) => ({ cursor: memberCursor(row.position), rank: row.rank, node: product }));
      return { edges, pageInfo: { hasNextPage: members.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },

  ProductTag: {
    sortOrder: (tag: ProductTagRow) => tag.sort_order,
    products: (tag: ProductTagRow, args, context) => tagProducts(tag, args, context),
  },

  HotSearchWord: {
    sortOrder: (word) => word.sort_order,
  },

  HelpTopic: {
    sortOrder: (topic: HelpTopicRow) => topic.sort_order,
    questions: (topic: HelpTopicRow, { featuredOnly }, context) => reads.topicQuestions(context, String(topic.id), Boolean(featuredOnly)),
  },

  HelpQuestion: {
    sortOrder: (question: HelpQuestionRow) => question.sort_order,
    async topic(question: HelpQuestionRow, _args, context) {
      const topic = (await reads.helpTopics(context)).find((row) => String(row.id) === String(question.topic_id));
      if (!topic) throw new Error(`Help topic ${question.topic_id} of question ${question.id} is missing`);
      return topic;
    },
  },

  Product: {
    async related(product: ProductRow, { first }, context) {
      return reads.relatedProducts(context, String(product.id), valid.count(first, 'first', LIMITS.related, 6));
    },
    tags: (product: ProductRow, _args, context) => reads.tagsOfProduct(context, String(product.id)),
  },

  Sku: {
    barcode: (sku: SkuRow) => (sku as SkuRow & { barcode?: string | null }).barcode ?? null,
  },
};

/** A page of a tag's products: on-shelf ones for shoppers, all for staff; newest first. */
async function tagProducts(tag: ProductTagRow, args: { first?: number | null; after?: string | null }, context: ProductContext) {
  const page = pageRequest('Product', args, context.config.maxPageSize);
  const rows = await reads.tagProductPage(context, {
    tagId: String(tag.id),
    onShelf: seesOffShelf(context) ? undefined : true,
    beforeId: page.afterId,
    limit: page.limit,
  });
  return toConnection('Product', rows, page);
}

/** The product subgraph's resolver map with the home page's fields added, type by type. */
export function withHomePage<Map extends Record<string, object>>(base: Map): Map {
  const merged: Record<string, object> = { ...base };
  for (const [type, fields] of Object.entries(homePageResolvers)) merged[type] = { ...(merged[type] ?? {}), ...fields };
  return merged as Map;
}

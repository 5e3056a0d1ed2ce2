/** Shared by the product tests: staff identity, unique titles, seeded categories, a product created through the API. */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { asIdentity, gql } from '../../../test/support/harness';

export const staff = () => asIdentity({ userId: '1', scopes: ['catalog:write'] }, 'product');
export const shopper = () => asIdentity({ userId: '2' }, 'product');

/** A token no other test uses, to put in titles and find exactly this test's products. */
export const uniqueToken = (label = 't') => `${label}${crypto.randomBytes(5).toString('hex')}`;

export interface SeededTree {
  /** A top-level category with at least two children. */
  top: { id: string; childIds: string[] };
  /** Two second-level categories. */
  leafA: string;
  leafB: string;
  brandA: string;
  brandB: string;
}

export async function seededTree(db: Knex): Promise<SeededTree> {
  const tops = await db('categories').whereNull('parent_id').orderBy('id');
  for (const top of tops) {
    const children = await db('categories').where('parent_id', top.id).orderBy('id');
    if (children.length >= 2) {
      const brands = await db('brands').orderBy('id').limit(2);
      return {
        top: { id: top.id, childIds: children.map((c: { id: string }) => c.id) },
        leafA: children[0].id,
        leafB: children[1].id,
        brandA: brands[0].id,
        brandB: brands[1].id,
      };
    }
  }
  throw new Error('The demo catalog is not seeded');
}

export const CREATE_PRODUCT = `mutation($input: CreateProductInput!) {
  createProduct(input: $input) { id title description images onShelf minPrice category { id name parentId } brand { id name }
    skus { id name price stock available deleted } }
}`;

export interface CreatedProduct {
  id: string;
  title: string;
  skus: { id: string; name: string; price: number; stock: number }[];
}

/** Creates a product through the subgraph as staff (off the shelf unless `onShelf`). */
export async function createProduct(url: string, input: Record<string, unknown>): Promise<CreatedProduct> {
  const response = await gql(url, CREATE_PRODUCT, { input }, staff());
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.createProduct;
}

/** The rows behind a product, to prove a refused change wrote nothing. */
export async function productSnapshot(db: Knex, productId: string) {
  const product = await db('products').where('id', productId).first();
  const skus = await db('skus').where('product_id', productId).orderBy('id');
  return { product, skus };
}

/**
 * References the order hands out to entities product owns: the id, and on a preview line the fields the schema
 * @provides (what the preview read from product for this request).
 */
export interface SkuReference {
  __typename: 'Sku';
  id: string;
  name?: string;
  price?: number;
}

export interface ProductReference {
  __typename: 'Product';
  id: string;
  title?: string;
}

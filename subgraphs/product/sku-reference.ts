/**
 * Resolving `Sku` references (`_entities`, e.g. the SKU facts cart and order read for every line): the SKU, and
 * before it is handed back, the product and category rows its selection will ask for. Every reference of the batch
 * waits for the same three batched loads, so each SKU's fields then resolve synchronously (see PeekableLoader)
 * instead of through a promise per field per SKU. Statements stay one per table per batch, and a selection that
 * does not reach the product or category does not read them.
 */
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { ProductContext } from './context';
import type { SkuRow } from './data/skus';

interface Needs {
  product: boolean;
  category: boolean;
}

const needsCache = new WeakMap<readonly FieldNode[], Needs>();

/** The fields selected on `typeName` in a selection set (inline fragments on it included); null: a named fragment. */
function fieldsOn(selectionSet: SelectionSetNode | undefined, typeName: string): FieldNode[] | null {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selection.typeCondition && selection.typeCondition.name.value !== typeName) continue;
      const inner = fieldsOn(selection.selectionSet, typeName);
      if (!inner) return null;
      fields.push(...inner);
    } else return null;
  }
  return fields;
}

/** What the `_entities` selection asks of a Sku: its product (also for `available`), and the product's category row. */
function needsOf(nodes: readonly FieldNode[]): Needs {
  let needs = needsCache.get(nodes);
  if (!needs) {
    needs = selectionNeeds(nodes);
    needsCache.set(nodes, needs);
  }
  return needs;
}

function selectionNeeds(nodes: readonly FieldNode[]): Needs {
  const needs = { product: false, category: false };
  for (const node of nodes) {
    const skuFields = fieldsOn(node.selectionSet, 'Sku');
    // A named fragment: not worth following, read everything it could reach.
    if (!skuFields) return { product: true, category: true };
    for (const field of skuFields) {
      if (field.name.value === 'available') needs.product = true;
      if (field.name.value !== 'product') continue;
      needs.product = true;
      const productFields = fieldsOn(field.selectionSet, 'Product');
      needs.category ||= productFields === null || productFields.some((f) => f.name.value === 'category' && categoryRowNeeded(f));
    }
  }
  return needs;
}

/** Whether a `category` selection asks for more than its id. */
function categoryRowNeeded(field: FieldNode): boolean {
  const fields = fieldsOn(field.selectionSet, 'Category');
  return fields === null || fields.some((f) => f.name.value !== 'id' && f.name.value !== '__typename');
}

export async function skuReference(id: string, context: ProductContext, info: GraphQLResolveInfo): Promise<SkuRow | null> {
  const { loaders } = context;
  const sku = await loaders.skuById.load(id);
  const needs = needsOf(info.fieldNodes);
  if (!sku || !needs.product) return sku;
  const product = await loaders.productById.load(sku.product_id);
  if (product && needs.category) await loaders.categoryById.load(product.category_id);
  return sku;
}

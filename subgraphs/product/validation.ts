/** Checks staff input before anything is written; each failure is a BAD_USER_INPUT naming the field. */
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { checkUnitPrice, type MoneyLimits } from '../../platform/money';
import type { NewSku } from './data/skus';

export const LIMITS = {
  titleLength: 200,
  descriptionLength: 5000,
  images: 20,
  imageLength: 500,
  skuNameLength: 64,
  skusPerProduct: 100,
} as const;

export function title(value: string | null | undefined, field = 'title'): string {
  const trimmed = (value ?? '').trim();
  if (!trimmed) throw badInput('The title cannot be empty', field);
  if (trimmed.length > LIMITS.titleLength) throw badInput(`The title is longer than ${LIMITS.titleLength} characters`, field);
  return trimmed;
}

export function description(value: string | null | undefined, field = 'description'): string {
  const text = (value ?? '').trim();
  if (text.length > LIMITS.descriptionLength) throw badInput(`The description is longer than ${LIMITS.descriptionLength} characters`, field);
  return text;
}

export function images(value: readonly string[] | null | undefined, field = 'images'): string[] {
  const list = (value ?? []).map((image) => image.trim());
  if (list.length > LIMITS.images) throw badInput(`At most ${LIMITS.images} images`, field);
  if (list.some((image) => !image || image.length > LIMITS.imageLength)) {
    throw badInput(`Each image must be a path or URL of 1-${LIMITS.imageLength} characters`, field);
  }
  return list;
}

/** A well-formed id (existence is checked against the database later). */
export function id(value: string | null | undefined, field: string): string {
  if (!isBigintId(value)) throw badInput(`${field} is not a valid id`, field);
  return value;
}

export function skuName(value: string | null | undefined, field = 'name'): string {
  const trimmed = (value ?? '').trim();
  if (!trimmed) throw badInput('The SKU name cannot be empty', field);
  if (trimmed.length > LIMITS.skuNameLength) throw badInput(`The SKU name is longer than ${LIMITS.skuNameLength} characters`, field);
  return trimmed;
}

/** 1..MAX_UNIT_PRICE_FEN fen (platform/money.ts): the bound that keeps cart and order sums inside GraphQL Int. */
export function price(value: number | null | undefined, limits: MoneyLimits, field = 'price'): number {
  return checkUnitPrice(value, limits, field);
}

export function stock(value: number | null | undefined, field = 'stock'): number {
  if (value === null || value === undefined || !Number.isInteger(value) || value < 0) {
    throw badInput('The stock must be a whole number, 0 or more', field);
  }
  return value;
}

export function sku(input: { name: string; price: number; stock: number }, limits: MoneyLimits, prefix = ''): NewSku {
  return {
    name: skuName(input.name, `${prefix}name`),
    price: price(input.price, limits, `${prefix}price`),
    stock: stock(input.stock, `${prefix}stock`),
  };
}

/** 1 to 100 SKUs with distinct names. */
export function skuList(inputs: readonly { name: string; price: number; stock: number }[], limits: MoneyLimits): NewSku[] {
  if (inputs.length < 1) throw badInput('A product needs at least one SKU', 'skus');
  if (inputs.length > LIMITS.skusPerProduct) throw badInput(`At most ${LIMITS.skusPerProduct} SKUs per product`, 'skus');
  const skus = inputs.map((input, index) => sku(input, limits, `skus.${index}.`));
  const names = new Set(skus.map((s) => s.name));
  if (names.size !== skus.length) throw badInput('SKU names must be distinct', 'skus');
  return skus;
}

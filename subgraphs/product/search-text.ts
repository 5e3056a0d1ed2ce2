/**
 * Product search text (docs/search.md): how a product's title, brand, category names and tags become the
 * normalized text and character grams `product_search` holds, and how a shopper's keyword becomes terms and grams.
 *
 * Chinese has no spaces between words and no tokenizer is installed (nor available in PGlite), so matching is by
 * characters: each term must appear as a substring of the normalized text (LIKE), and the GIN index on the product's
 * set of character unigrams and bigrams narrows the candidates first (every gram of every term must be in the set).
 * The same code normalizes both sides, in JavaScript, so PostgreSQL's locale (C, C.UTF-8, PGlite) never matters.
 */
import { badInput } from '../../platform/errors';

export const SEARCH_LIMITS = {
  /** Characters of a keyword after normalization. */
  keywordLength: 100,
  /** Raw input accepted before normalizing (NFKC can shrink text; this stops huge inputs early). */
  rawKeywordLength: 400,
  /** Whitespace-separated terms of one keyword. */
  terms: 8,
} as const;

/**
 * NFKC (full-width letters and digits become ASCII, compatibility forms fold), lower case, control characters as
 * spaces, runs of whitespace as one space, trimmed.
 */
export function normalizeSearchText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The character unigrams and bigrams of each space-separated word (code points, so CJK and emoji count as one). */
export function gramsOf(text: string): string[] {
  const grams = new Set<string>();
  for (const word of text.split(' ')) {
    const chars = [...word];
    for (let i = 0; i < chars.length; i += 1) {
      grams.add(chars[i]);
      if (i + 1 < chars.length) grams.add(chars[i] + chars[i + 1]);
    }
  }
  grams.delete('');
  return [...grams];
}

/** The grams a term needs: its bigrams, or the character itself for a one-character term. */
export function termGrams(term: string): string[] {
  const chars = [...term];
  if (chars.length === 1) return chars;
  const grams = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i += 1) grams.add(chars[i] + chars[i + 1]);
  return [...grams];
}

export interface SearchKeyword {
  /** The whole normalized keyword (a title containing it ranks first). */
  phrase: string;
  /** Its distinct space-separated terms; a product matches when it contains every one. */
  terms: string[];
  /** Every gram of every term: the index prefilter. */
  grams: string[];
}

/** A shopper's keyword, normalized; undefined when nothing is left (no keyword: the plain list). BAD_USER_INPUT when too long. */
export function parseKeyword(value: string | null | undefined): SearchKeyword | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length > SEARCH_LIMITS.rawKeywordLength) {
    throw badInput(`The keyword is longer than ${SEARCH_LIMITS.keywordLength} characters`, 'keyword');
  }
  const phrase = normalizeSearchText(value);
  if (!phrase) return undefined;
  if ([...phrase].length > SEARCH_LIMITS.keywordLength) {
    throw badInput(`The keyword is longer than ${SEARCH_LIMITS.keywordLength} characters`, 'keyword');
  }
  const terms = [...new Set(phrase.split(' '))];
  if (terms.length > SEARCH_LIMITS.terms) throw badInput(`At most ${SEARCH_LIMITS.terms} words in a keyword`, 'keyword');
  return { phrase, terms, grams: [...new Set(terms.flatMap(termGrams))] };
}

/** What a product is found by, before normalization. */
export interface SearchSource {
  title: string;
  brandName: string | null;
  /** The category's name and its parent's (a product is found by either). */
  categoryNames: string[];
  /** Further words the product is found by, ranked below title, brand and category: its tags (docs/search.md "Tags"). */
  extra: string[];
}

/** The stored row of `product_search` for one product. */
export interface SearchDocument {
  /** Normalized title. */
  title: string;
  /** Normalized brand and category names, one per line. */
  names: string;
  /** Everything the product is found by: title, names and extra, one per line. */
  text: string;
  grams: string[];
}

export function searchDocument(source: SearchSource): SearchDocument {
  const title = normalizeSearchText(source.title);
  const names = [source.brandName ?? '', ...source.categoryNames].map(normalizeSearchText).filter(Boolean).join('\n');
  const extra = source.extra.map(normalizeSearchText).filter(Boolean).join('\n');
  const text = [title, names, extra].filter(Boolean).join('\n');
  return { title, names, text, grams: gramsOf(text.replace(/\n/g, ' ')) };
}

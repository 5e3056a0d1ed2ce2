/** Helpers for per-request DataLoaders: one `WHERE id = ANY($1)` for a whole batch, results in key order. */
import DataLoader from 'dataloader';

/**
 * Turns "fetch rows by ids" into a DataLoader batch function (missing ids become null).
 * Every table uses bigint ids: a malformed id cannot exist, so it never reaches SQL (no cast error, just null).
 */
export function byIds<Row extends { id: string }>(fetch: (ids: readonly string[]) => Promise<Row[]>) {
  return async (ids: readonly string[]): Promise<(Row | null)[]> => {
    const valid = ids.filter(isBigintId);
    const rows = valid.length ? await fetch(valid) : [];
    const byId = new Map(rows.map((row) => [String(row.id), row]));
    return ids.map((id) => byId.get(String(id)) ?? null);
  };
}

/** Turns "fetch rows for many parents" into a DataLoader batch function returning each parent's rows. */
export function groupedBy<Row>(key: (row: Row) => string, fetch: (keys: readonly string[]) => Promise<Row[]>) {
  return async (keys: readonly string[]): Promise<Row[][]> => {
    const rows = await fetch(keys);
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      const k = key(row);
      const list = groups.get(k);
      if (list) list.push(row);
      else groups.set(k, [row]);
    }
    return keys.map((k) => groups.get(String(k)) ?? []);
  };
}

/** Valid bigint id strings only: anything else cannot match a row (and must not reach SQL as a bad cast). */
export function isBigintId(id: unknown): id is string {
  return typeof id === 'string' && /^[1-9][0-9]{0,18}$/.test(id);
}

/**
 * A DataLoader whose settled values can also be read synchronously (`peek`), so a resolver whose row this request
 * already loaded returns it without a promise: graphql-js then completes the field, and the object below it, in the
 * same turn (a promise per field per list item was most of a large entity batch's CPU).
 */
export class PeekableLoader<K, V> extends DataLoader<K, V> {
  private readonly settled: Map<K, V>;

  constructor(batch: DataLoader.BatchLoadFn<K, V>, options?: DataLoader.Options<K, V>) {
    const settled = new Map<K, V>();
    super(async (keys) => {
      const values = await batch(keys);
      keys.forEach((key, index) => {
        const value = values[index];
        if (!(value instanceof Error)) settled.set(key, value);
      });
      return values;
    }, options);
    this.settled = settled;
  }

  /** The value this request already loaded for `key`; undefined when not loaded (yet). */
  peek(key: K): V | undefined {
    return this.settled.get(key);
  }

  override clear(key: K): this {
    this.settled.delete(key);
    return super.clear(key);
  }

  override clearAll(): this {
    this.settled.clear();
    return super.clearAll();
  }

  override prime(key: K, value: V | PromiseLike<V> | Error): this {
    // Like DataLoader, a settled entry is kept. A key still loading is primed here but not in DataLoader, until its
    // batch settles and sets both: writers clear before priming, so they never meet that case.
    if (!this.settled.has(key) && !(value instanceof Error) && !isPromiseLike(value)) this.settled.set(key, value);
    return super.prime(key, value);
  }
}

function isPromiseLike<V>(value: V | PromiseLike<V>): value is PromiseLike<V> {
  return typeof (value as PromiseLike<V> | null)?.then === 'function';
}

/**
 * `map` over a value that may still be on its way: synchronous when it is already here (see PeekableLoader), so a
 * resolver returns a plain value rather than a promise whenever it can.
 */
export function mapKnown<T, R>(value: T | Promise<T>, map: (known: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(map) : map(value);
}

/** Helpers for per-request DataLoaders: one `WHERE id = ANY($1)` for a whole batch, results in key order. */

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

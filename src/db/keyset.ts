/**
 * One page of a list read in key order. `next` is the key of the page's last row when more rows follow
 * (the caller asks for the rows after it), null on the last page.
 */
export interface KeysetPage<T, K> {
  items: T[];
  next: K | null;
}

/**
 * The page made from rows fetched with `LIMIT limit + 1`: the extra row is never shown, it only tells
 * that another page follows, so the last page is known without a count.
 */
export function keysetPage<R, T, K>(rows: readonly R[], limit: number, keyOf: (row: R) => K, toItem: (row: R) => T): KeysetPage<T, K> {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return { items: shown.map(toItem), next: rows.length > limit && last !== undefined ? keyOf(last) : null };
}

/**
 * SQL for a timestamp column as a keyset key: UTC text to the microsecond. A JavaScript Date keeps only
 * milliseconds, so a key made from one would skip or repeat rows stamped within the same millisecond.
 * Compare with `column > $n::timestamptz`.
 */
export const timeKey = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

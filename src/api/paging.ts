import { Type } from '@sinclair/typebox';
import { badRequest } from './errors.js';

/**
 * Paging parameters shared by the list endpoints. Every list is read in a fixed key order, one page at a
 * time: `limit` rows at most (a larger number is refused with 400 naming the maximum, never silently cut),
 * and `after` = the `nextCursor` of the previous page.
 */
export const pageLimit = (max: number, fallback: number) =>
  Type.Integer({ minimum: 1, maximum: max, default: fallback, description: `rows per page, at most ${max}` });

export const AfterParam = Type.Optional(Type.String({ minLength: 1, maxLength: 400,
  description: '`nextCursor` of the previous page (same filters): the rows after it' }));

export const NextCursor = Type.Union([Type.String(), Type.Null()], { description: 'pass as `after` for the next page; null on the last page' });

/** The kinds of value a cursor holds: `time` is a UTC timestamp to the microsecond (see timeKey in db/keyset.ts). */
type Slot = 'text' | 'int' | 'time';
type SlotValue<S extends Slot> = S extends 'int' ? number : string;
type SlotValues<S extends readonly Slot[]> = { -readonly [K in keyof S]: S[K] extends Slot ? SlotValue<S[K]> : never };

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/** A real instant, not 30 February: PostgreSQL would refuse it with a 500 otherwise. */
const isTime = (v: string) => TIME.test(v) && !Number.isNaN(Date.parse(v)) && new Date(Date.parse(v)).toISOString().slice(0, 19) === v.slice(0, 19);

/** A key as an opaque URL-safe cursor. */
export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export const invalidCursor = () => badRequest('invalid_cursor', 'Con trỏ trang ("after") không hợp lệ: hãy dùng nextCursor của trang trước');

/**
 * The key inside a cursor this API made, checked slot by slot; undefined when there is none (the first
 * page). Anything else (edited, truncated, from another list) is the caller's mistake: 400.
 */
export function decodeCursor<const S extends readonly Slot[]>(text: string | undefined, slots: S): SlotValues<S> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(value) || value.length !== slots.length) throw invalidCursor();
  slots.forEach((slot, i) => {
    const v: unknown = value[i];
    const ok = slot === 'int' ? Number.isSafeInteger(v)
      : typeof v === 'string' && v.length <= 200 && (slot === 'text' || isTime(v));
    if (!ok) throw invalidCursor();
  });
  return value as SlotValues<S>;
}

import type { Queryable } from '../db/pool.js';
import { localYear } from '../notices/format.js';

/** BB violation record, QD penalty decision, TB further notice (form 04) to the commune/ward police */
export type PaperKind = 'BB' | 'QD' | 'TB';
export const RECORD_NUMBER_PATTERN = '^BB-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6}$';
export const DECISION_NUMBER_PATTERN = '^QD-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6}$';

/**
 * The next number of a violation record (BB-…), penalty decision (QD-…) or form-04 notice (TB-…) of a unit in the Vietnam-time
 * year of `at`. Like notice numbers, the counter row stays locked until the caller's transaction ends,
 * so a rolled-back record gives its number back and numbers have no gaps.
 */
export async function nextPaperNumber(tx: Queryable, kind: PaperKind, unitCode: string, at: Date): Promise<string> {
  const year = localYear(at);
  const { rows } = await tx.query<{ last_value: number }>(
    `INSERT INTO procedure_counters (kind, unit_code, year, last_value) VALUES ($1, $2, $3, 1)
     ON CONFLICT (kind, unit_code, year) DO UPDATE SET last_value = procedure_counters.last_value + 1
     RETURNING last_value`,
    [kind, unitCode, year],
  );
  return `${kind}-${unitCode}-${year}-${String(rows[0]!.last_value).padStart(6, '0')}`;
}

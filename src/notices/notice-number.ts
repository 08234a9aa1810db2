import type { Queryable } from '../db/pool.js';
import { NoticeError } from './errors.js';
import { localYear } from './format.js';

export const NOTICE_NUMBER_PATTERN = '^PN-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6}$';
const MAX_SEQUENCE = 999_999;

/**
 * The next notice number of a unit for the Vietnam-time year of `issuedAt`, e.g. PN-PC08-2026-000042.
 * The counter row is locked by the upsert until the caller's transaction ends, so concurrent
 * approvals get consecutive numbers and a rolled-back approval gives its number back.
 */
export async function nextNoticeNumber(tx: Queryable, unitCode: string, issuedAt: Date): Promise<string> {
  const year = localYear(issuedAt);
  const { rows } = await tx.query<{ last_value: number }>(
    `INSERT INTO notice_counters (unit_code, year, last_value) VALUES ($1, $2, 1)
     ON CONFLICT (unit_code, year) DO UPDATE SET last_value = notice_counters.last_value + 1
     WHERE notice_counters.last_value < $3
     RETURNING last_value`,
    [unitCode, year, MAX_SEQUENCE],
  );
  const seq = rows[0]?.last_value;
  if (seq === undefined) throw new NoticeError('counter_exhausted', `Đơn vị ${unitCode} đã dùng hết ${MAX_SEQUENCE} số thông báo của năm ${year}`);
  return `PN-${unitCode}-${year}-${String(seq).padStart(6, '0')}`;
}

import { appendAudit, type Actor } from '../audit/audit-log.js';
import type { PoolClient } from '../db/pool.js';
import { lockNoticeCase, requireOpen } from './case-state.js';
import { isTimeBarred, limitationLastDay } from './deadlines.js';
import { ProcedureError } from './errors.js';
import { nextPaperNumber } from './numbers.js';

export interface RecordInput {
  /** what the violator declared, written into the record */
  statement?: string;
}

/**
 * Makes the violation record (biên bản vi phạm hành chính) of a notice whose violator is known, numbered
 * in the handling unit's series and signed by the acting officer. Refused once the one-year limitation has run.
 */
export async function makeViolationRecord(tx: PoolClient, noticeNumber: string, input: RecordInput, actor: Actor & { id: number }, now: Date):
  Promise<{ recordId: number; recordNumber: string }> {
  const c = await lockNoticeCase(tx, noticeNumber);
  requireOpen(c);
  const response = await tx.query<{ id: number }>('SELECT id FROM owner_responses WHERE notice_id = $1', [c.noticeId]);
  if (!response.rows[0]) {
    throw new ProcedureError('response_missing', `Chưa xác định người vi phạm của thông báo ${noticeNumber}: hãy ghi nhận phản hồi của chủ phương tiện trước`);
  }
  const existing = await tx.query('SELECT record_number FROM violation_records WHERE notice_id = $1', [c.noticeId]);
  if (existing.rowCount) throw new ProcedureError('record_exists', `Thông báo ${noticeNumber} đã có biên bản ${(existing.rows[0] as { record_number: string }).record_number}`);
  if (isTimeBarred(c.occurredAt, now)) {
    throw new ProcedureError('time_barred', `Đã hết thời hiệu xử phạt (một năm, đến hết ngày ${limitationLastDay(c.occurredAt).label}); không lập biên bản`);
  }
  if (c.handlingUnitId === null) throw new ProcedureError('no_handling_unit', `Thông báo ${noticeNumber} chưa có đơn vị giải quyết`);
  const unit = await tx.query<{ code: string }>('SELECT code FROM handling_units WHERE id = $1', [c.handlingUnitId]);
  const recordNumber = await nextPaperNumber(tx, 'BB', unit.rows[0]!.code, now);
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO violation_records (record_number, notice_id, response_id, handling_unit_id, made_at, signed_by, statement)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [recordNumber, c.noticeId, response.rows[0].id, c.handlingUnitId, now, actor.id, input.statement?.trim() || null],
  );
  const recordId = rows[0]!.id;
  await appendAudit(tx, {
    actorId: actor.id, actor: actor.username, action: 'record.made', entityType: 'violation_record', entityId: recordId,
    details: { recordNumber, noticeNumber, violationId: c.violationId },
  });
  return { recordId, recordNumber };
}

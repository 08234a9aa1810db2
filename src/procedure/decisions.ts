import { appendAudit, type Actor } from '../audit/audit-log.js';
import type { PoolClient } from '../db/pool.js';
import { formatVnd } from '../notices/format.js';
import { deductPoints } from '../points/ledger.js';
import { isTimeBarred, limitationLastDay } from './deadlines.js';
import { ProcedureError } from './errors.js';
import { nextPaperNumber } from './numbers.js';

export interface DecisionItemInput {
  recordNumber: string;
  /** VND; default the midpoint of the legal range */
  amount?: number;
  /** required when the amount is not the midpoint */
  reason?: string;
}

interface RecordRow {
  record_id: number; record_number: string; notice_id: number; notice_number: string; notice_status: string; handling_unit_id: number;
  unit_code: string; occurred_at: Date; fine_min: number; fine_max: number; points: number; response: string;
  violator_kind: 'person' | 'organisation'; violator_name: string; violator_id_number: string; violator_address: string; licence_number: string | null;
  decided: boolean;
}

/**
 * Issues one penalty decision (quyết định xử phạt) for the records of one violator. Fines add up; only the
 * largest point deduction applies (NĐ 168 Đ50.1.b); an owner fined for not cooperating loses no licence
 * points. The decision takes effect when signed, so the ledger deduction is written in the same transaction.
 */
export async function issueDecision(tx: PoolClient, items: DecisionItemInput[], actor: Actor & { id: number }, now: Date):
  Promise<{ decisionId: number; decisionNumber: string; totalAmount: number; pointsDeducted: number }> {
  const numbers = items.map((i) => i.recordNumber);
  if (new Set(numbers).size !== numbers.length) throw new ProcedureError('invalid_request', 'Một biên bản được nêu hai lần');
  const { rows } = await tx.query<RecordRow>(
    `SELECT r.id AS record_id, r.record_number, n.id AS notice_id, n.notice_number, n.status AS notice_status, r.handling_unit_id, u.code AS unit_code,
            v.occurred_at, v.fine_min, v.fine_max, v.points, o.response, o.violator_kind, o.violator_name, o.violator_id_number,
            o.violator_address, o.licence_number, EXISTS (SELECT 1 FROM decision_items d WHERE d.record_id = r.id) AS decided
     FROM violation_records r JOIN notices n ON n.id = r.notice_id JOIN violations v ON v.id = n.violation_id
     JOIN owner_responses o ON o.id = r.response_id JOIN handling_units u ON u.id = r.handling_unit_id
     WHERE r.record_number = ANY($1::text[]) ORDER BY r.id FOR UPDATE OF n, r`,
    [numbers],
  );
  const byNumber = new Map(rows.map((r) => [r.record_number, r]));
  const missing = numbers.filter((n) => !byNumber.has(n));
  if (missing.length) throw new ProcedureError('record_not_found', `Không có biên bản số ${missing.join(', ')}`);
  for (const r of rows) {
    if (r.decided) throw new ProcedureError('already_decided', `Biên bản ${r.record_number} đã có quyết định xử phạt`);
    if (r.notice_status === 'resolved' || r.notice_status === 'cancelled') throw new ProcedureError('notice_closed', `Vụ việc của thông báo ${r.notice_number} đã kết thúc`);
    if (isTimeBarred(r.occurred_at, now)) {
      throw new ProcedureError('time_barred', `Biên bản ${r.record_number}: đã hết thời hiệu xử phạt (đến hết ngày ${limitationLastDay(r.occurred_at).label})`);
    }
  }
  const first = rows[0]!;
  if (rows.some((r) => r.violator_id_number !== first.violator_id_number)) {
    throw new ProcedureError('different_violators', 'Các biên bản thuộc những người vi phạm khác nhau; mỗi quyết định chỉ xử phạt một người');
  }

  const priced = items.map((i) => {
    const r = byNumber.get(i.recordNumber)!;
    const midpoint = (r.fine_min + r.fine_max) / 2;
    const amount = i.amount ?? midpoint;
    if (amount < r.fine_min || amount > r.fine_max) {
      throw new ProcedureError('fine_out_of_range',
        `Biên bản ${r.record_number}: mức phạt ${formatVnd(amount)} nằm ngoài khung ${formatVnd(r.fine_min)} – ${formatVnd(r.fine_max)}`,
        { fineMin: r.fine_min, fineMax: r.fine_max });
    }
    const reason = i.reason?.trim() || null;
    if (amount !== midpoint && !reason) {
      throw new ProcedureError('reason_required', `Biên bản ${r.record_number}: mức phạt khác mức trung bình ${formatVnd(midpoint)} phải nêu lý do (tình tiết tăng nặng/giảm nhẹ)`);
    }
    return { r, amount, reason, points: r.response === 'non_cooperation' ? 0 : r.points };
  });
  const totalAmount = priced.reduce((s, p) => s + p.amount, 0);
  const pointsDeducted = Math.max(...priced.map((p) => p.points));
  const decisionNumber = await nextPaperNumber(tx, 'QD', first.unit_code, now);
  const { rows: inserted } = await tx.query<{ id: number }>(
    `INSERT INTO penalty_decisions (decision_number, handling_unit_id, issued_at, effective_at, signed_by, violator_kind, violator_name,
       violator_id_number, violator_address, licence_number, total_amount, points_deducted)
     VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [decisionNumber, first.handling_unit_id, now, actor.id, first.violator_kind, first.violator_name, first.violator_id_number,
      first.violator_address, first.licence_number, totalAmount, pointsDeducted],
  );
  const decisionId = inserted[0]!.id;
  for (const p of priced) {
    await tx.query(
      `INSERT INTO decision_items (decision_id, record_id, notice_id, fine_min, fine_max, fine_amount, amount_reason, points)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [decisionId, p.r.record_id, p.r.notice_id, p.r.fine_min, p.r.fine_max, p.amount, p.reason, p.points],
    );
  }
  if (pointsDeducted > 0 && first.violator_kind === 'person' && first.licence_number) {
    await deductPoints(tx, { nationalId: first.violator_id_number, licenceNumber: first.licence_number, decisionId, points: pointsDeducted, effectiveAt: now });
  }
  await appendAudit(tx, {
    actorId: actor.id, actor: actor.username, action: 'decision.issued', entityType: 'penalty_decision', entityId: decisionId,
    details: { decisionNumber, records: numbers, violatorIdNumber: first.violator_id_number, totalAmount, pointsDeducted,
      amounts: priced.map((p) => ({ recordNumber: p.r.record_number, amount: p.amount, reason: p.reason })) },
  });
  return { decisionId, decisionNumber, totalAmount, pointsDeducted };
}

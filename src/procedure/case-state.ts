import type { Queryable } from '../db/pool.js';
import { ProcedureError } from './errors.js';

/** What the procedure steps need to know about a notice and its violation, read under a row lock. */
export interface NoticeCase {
  noticeId: number;
  noticeNumber: string;
  status: 'issued' | 'escalated' | 'resolved' | 'cancelled';
  violationId: number;
  occurredAt: Date;
  description: string;
  legalClause: string;
  violationCode: string;
  fineMin: number;
  fineMax: number;
  points: number;
  vehicleCategory: 'car' | 'motorbike';
  handlingUnitId: number | null;
  owner: { kind: 'person' | 'organisation'; fullName: string; idNumber: string; address: string } | null;
}

/** Locks the notice row (so two officers cannot answer or record the same case at once) and reads its case. */
export async function lockNoticeCase(tx: Queryable, noticeNumber: string): Promise<NoticeCase> {
  const { rows } = await tx.query<{
    id: number; notice_number: string; status: NoticeCase['status']; violation_id: number; occurred_at: Date; description: string;
    legal_clause: string; violation_code: string; fine_min: number; fine_max: number; points: number; vehicle_category: 'car' | 'motorbike';
    handling_unit_id: number | null; owner_kind: 'person' | 'organisation' | null; full_name: string | null; national_id: string | null;
    tax_code: string | null; address: string | null; province: string | null;
  }>(
    `SELECT n.id, n.notice_number, n.status, n.violation_id, v.occurred_at, v.description, v.legal_clause, v.violation_code,
            v.fine_min, v.fine_max, v.points, v.vehicle_category, n.handling_unit_id,
            o.kind AS owner_kind, o.full_name, o.national_id, o.tax_code, o.address, o.province
     FROM notices n JOIN violations v ON v.id = n.violation_id LEFT JOIN owners o ON o.id = n.owner_id
     WHERE n.notice_number = $1 FOR UPDATE OF n`,
    [noticeNumber],
  );
  const r = rows[0];
  if (!r) throw new ProcedureError('notice_not_found', `Không có thông báo số ${noticeNumber}`);
  return {
    noticeId: r.id, noticeNumber: r.notice_number, status: r.status, violationId: r.violation_id, occurredAt: r.occurred_at,
    description: r.description, legalClause: r.legal_clause, violationCode: r.violation_code, fineMin: r.fine_min, fineMax: r.fine_max,
    points: r.points, vehicleCategory: r.vehicle_category, handlingUnitId: r.handling_unit_id,
    owner: r.owner_kind === null ? null : {
      kind: r.owner_kind, fullName: r.full_name!, idNumber: (r.national_id ?? r.tax_code)!, address: `${r.address}, ${r.province}`,
    },
  };
}

export function requireOpen(c: NoticeCase): void {
  if (c.status === 'resolved' || c.status === 'cancelled') {
    throw new ProcedureError('notice_closed', `Vụ việc của thông báo ${c.noticeNumber} đã kết thúc; không thể thực hiện thêm`);
  }
}

import type { Queryable } from '../db/pool.js';
import { UNIT_COLUMNS, toUnit, type HandlingUnit } from '../units/units.js';
import { limitationLastDay } from './deadlines.js';
import type { OwnerResponseKind } from './owner-response.js';

export interface DecisionView {
  id: number;
  decisionNumber: string;
  issuedAt: string;
  effectiveAt: string;
  signedBy: { id: number; username: string; fullName: string };
  violator: { kind: 'person' | 'organisation'; fullName: string; idNumber: string; address: string; licenceNumber: string | null };
  totalAmount: number;
  pointsDeducted: number;
  status: 'issued' | 'paid';
  paidAt: string | null;
  paid: number;
  outstanding: number;
  handlingUnit: HandlingUnit;
  items: Array<{ recordNumber: string; recordMadeAt: string; noticeNumber: string; plate: string; occurredAt: string; description: string;
    legalClause: string; violationCode: string; fineMin: number; fineMax: number; fineAmount: number; amountReason: string | null; points: number }>;
  pdfSha256: string | null;
}

interface DecisionRow {
  id: number; decision_number: string; issued_at: Date; effective_at: Date; signed_by: number; username: string; signer_name: string;
  violator_kind: 'person' | 'organisation'; violator_name: string; violator_id_number: string; violator_address: string; licence_number: string | null;
  total_amount: number; points_deducted: number; status: 'issued' | 'paid'; paid_at: Date | null; paid: number; pdf_sha256: string | null;
  id_u: number; code: string; kind: HandlingUnit['kind']; name: string; parent_name: string | null; address: string; phone: string; commune: string | null; province: string;
}

export async function findDecision(db: Queryable, by: { number: string } | { id: number }): Promise<DecisionView | null> {
  const { rows } = await db.query<DecisionRow>(
    `SELECT d.id, d.decision_number, d.issued_at, d.effective_at, d.signed_by, s.username, s.full_name AS signer_name, d.violator_kind, d.violator_name,
            d.violator_id_number, d.violator_address, d.licence_number, d.total_amount, d.points_deducted, d.status, d.paid_at, d.pdf_sha256,
            coalesce((SELECT sum(p.amount) FROM payments p WHERE p.decision_id = d.id), 0)::bigint AS paid,
            ${UNIT_COLUMNS.replace('u.id', 'u.id AS id_u')}
     FROM penalty_decisions d JOIN users s ON s.id = d.signed_by JOIN handling_units u ON u.id = d.handling_unit_id
     WHERE ${'number' in by ? 'd.decision_number = $1' : 'd.id = $1'}`,
    ['number' in by ? by.number : by.id],
  );
  const d = rows[0];
  if (!d) return null;
  const items = await db.query<{ record_number: string; made_at: Date; notice_number: string; plate_text: string; occurred_at: Date; description: string;
    legal_clause: string; violation_code: string; fine_min: number; fine_max: number; fine_amount: number; amount_reason: string | null; points: number }>(
    `SELECT r.record_number, r.made_at, n.notice_number, v.plate_text, v.occurred_at, v.description, v.legal_clause, v.violation_code,
            i.fine_min, i.fine_max, i.fine_amount, i.amount_reason, i.points
     FROM decision_items i JOIN violation_records r ON r.id = i.record_id JOIN notices n ON n.id = i.notice_id JOIN violations v ON v.id = n.violation_id
     WHERE i.decision_id = $1 ORDER BY r.id`, [d.id]);
  return {
    id: d.id, decisionNumber: d.decision_number, issuedAt: d.issued_at.toISOString(), effectiveAt: d.effective_at.toISOString(),
    signedBy: { id: d.signed_by, username: d.username, fullName: d.signer_name },
    violator: { kind: d.violator_kind, fullName: d.violator_name, idNumber: d.violator_id_number, address: d.violator_address, licenceNumber: d.licence_number },
    totalAmount: d.total_amount, pointsDeducted: d.points_deducted, status: d.status, paidAt: d.paid_at?.toISOString() ?? null,
    paid: d.paid, outstanding: Math.max(0, d.total_amount - d.paid),
    handlingUnit: toUnit({ ...d, id: d.id_u }),
    items: items.rows.map((i) => ({ recordNumber: i.record_number, recordMadeAt: i.made_at.toISOString(), noticeNumber: i.notice_number, plate: i.plate_text,
      occurredAt: i.occurred_at.toISOString(), description: i.description, legalClause: i.legal_clause, violationCode: i.violation_code,
      fineMin: i.fine_min, fineMax: i.fine_max, fineAmount: i.fine_amount, amountReason: i.amount_reason, points: i.points })),
    pdfSha256: d.pdf_sha256,
  };
}

export interface RecordView {
  id: number;
  recordNumber: string;
  noticeNumber: string;
  madeAt: string;
  signedBy: { id: number; username: string; fullName: string };
  statement: string | null;
  response: OwnerResponseKind;
  violator: { kind: 'person' | 'organisation'; fullName: string; idNumber: string; address: string; licenceNumber: string | null };
  handlingUnit: HandlingUnit;
  violation: { plate: string; plateColour: string; vehicleCategory: string; occurredAt: string; place: string; description: string;
    legalClause: string; violationCode: string; fineMin: number; fineMax: number; points: number };
  decisionNumber: string | null;
  pdfSha256: string | null;
}

export async function findRecord(db: Queryable, recordNumber: string): Promise<RecordView | null> {
  const { rows } = await db.query<{
    id: number; record_number: string; notice_number: string; made_at: Date; signed_by: number; username: string; signer_name: string; statement: string | null;
    response: OwnerResponseKind; violator_kind: 'person' | 'organisation'; violator_name: string; violator_id_number: string; violator_address: string;
    licence_number: string | null; plate_text: string; plate_colour: string; vehicle_category: string; occurred_at: Date; cam_address: string; cam_province: string;
    description: string; legal_clause: string; violation_code: string; fine_min: number; fine_max: number; points: number; decision_number: string | null;
    pdf_sha256: string | null; id_u: number; code: string; kind: HandlingUnit['kind']; name: string; parent_name: string | null; address: string; phone: string;
    commune: string | null; province: string;
  }>(
    `SELECT r.id, r.record_number, n.notice_number, r.made_at, r.signed_by, s.username, s.full_name AS signer_name, r.statement, o.response,
            o.violator_kind, o.violator_name, o.violator_id_number, o.violator_address, o.licence_number,
            v.plate_text, v.plate_colour, v.vehicle_category, v.occurred_at, c.address AS cam_address, c.province AS cam_province,
            v.description, v.legal_clause, v.violation_code, v.fine_min, v.fine_max, v.points, d.decision_number, r.pdf_sha256,
            ${UNIT_COLUMNS.replace('u.id', 'u.id AS id_u')}
     FROM violation_records r JOIN notices n ON n.id = r.notice_id JOIN violations v ON v.id = n.violation_id JOIN cameras c ON c.id = v.camera_id
     JOIN owner_responses o ON o.id = r.response_id JOIN users s ON s.id = r.signed_by JOIN handling_units u ON u.id = r.handling_unit_id
     LEFT JOIN decision_items i ON i.record_id = r.id LEFT JOIN penalty_decisions d ON d.id = i.decision_id
     WHERE r.record_number = $1`, [recordNumber]);
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id, recordNumber: r.record_number, noticeNumber: r.notice_number, madeAt: r.made_at.toISOString(),
    signedBy: { id: r.signed_by, username: r.username, fullName: r.signer_name }, statement: r.statement, response: r.response,
    violator: { kind: r.violator_kind, fullName: r.violator_name, idNumber: r.violator_id_number, address: r.violator_address, licenceNumber: r.licence_number },
    handlingUnit: toUnit({ ...r, id: r.id_u }),
    violation: { plate: r.plate_text, plateColour: r.plate_colour, vehicleCategory: r.vehicle_category, occurredAt: r.occurred_at.toISOString(),
      place: `${r.cam_address}, ${r.cam_province}`, description: r.description, legalClause: r.legal_clause, violationCode: r.violation_code,
      fineMin: r.fine_min, fineMax: r.fine_max, points: r.points },
    decisionNumber: r.decision_number, pdfSha256: r.pdf_sha256,
  };
}

/** Where a notice stands in the procedure: handling unit, the owner's answer, record and decision. */
export async function procedureOfNotice(db: Queryable, noticeNumber: string): Promise<{
  noticeNumber: string; status: string; handlingUnit: HandlingUnit | null; forwardedAt: string | null;
  ownerResponse: { response: OwnerResponseKind; violatorName: string; violatorIdNumber: string; licenceNumber: string | null;
    recordedBy: string; recordedAt: string } | null;
  recordNumber: string | null; decisionNumber: string | null; decisionStatus: string | null;
  /** the registered owner the notice was sent to: who may answer "I was driving" (a person only) */
  owner: { kind: 'person' | 'organisation'; fullName: string; idNumber: string; address: string } | null;
  violation: { plate: string; occurredAt: string; description: string; legalClause: string; fineMin: number; fineMax: number; points: number };
  /** last day a record or decision may be made (one calendar year from the violation), dd/mm/yyyy */
  limitationLastDay: string;
} | null> {
  const { rows } = await db.query<{ notice_number: string; status: string; forwarded_at: Date | null; response: OwnerResponseKind | null; violator_name: string | null;
    violator_id_number: string | null; licence_number: string | null; recorder: string | null; recorded_at: Date | null; record_number: string | null;
    decision_number: string | null; decision_status: string | null; id_u: number | null; code: string; kind: HandlingUnit['kind']; name: string;
    parent_name: string | null; address: string; phone: string; commune: string | null; province: string;
    owner_kind: 'person' | 'organisation' | null; owner_name: string | null; owner_national_id: string | null; owner_tax_code: string | null;
    owner_address: string | null; owner_province: string | null; plate_text: string; occurred_at: Date; description: string; legal_clause: string;
    fine_min: number; fine_max: number; points: number }>(
    `SELECT n.notice_number, n.status, n.forwarded_at, o.response, o.violator_name, o.violator_id_number, o.licence_number, ru.username AS recorder, o.recorded_at,
            r.record_number, d.decision_number, d.status AS decision_status, ${UNIT_COLUMNS.replace('u.id', 'u.id AS id_u')},
            w.kind AS owner_kind, w.full_name AS owner_name, w.national_id AS owner_national_id, w.tax_code AS owner_tax_code,
            w.address AS owner_address, w.province AS owner_province,
            v.plate_text, v.occurred_at, v.description, v.legal_clause, v.fine_min, v.fine_max, v.points
     FROM notices n JOIN violations v ON v.id = n.violation_id LEFT JOIN owners w ON w.id = n.owner_id
     LEFT JOIN handling_units u ON u.id = n.handling_unit_id LEFT JOIN owner_responses o ON o.notice_id = n.id
     LEFT JOIN users ru ON ru.id = o.recorded_by LEFT JOIN violation_records r ON r.notice_id = n.id
     LEFT JOIN decision_items i ON i.notice_id = n.id LEFT JOIN penalty_decisions d ON d.id = i.decision_id
     WHERE n.notice_number = $1`, [noticeNumber]);
  const r = rows[0];
  if (!r) return null;
  return {
    noticeNumber: r.notice_number, status: r.status, handlingUnit: r.id_u === null ? null : toUnit({ ...r, id: r.id_u }),
    forwardedAt: r.forwarded_at?.toISOString() ?? null,
    ownerResponse: r.response === null ? null : { response: r.response, violatorName: r.violator_name!, violatorIdNumber: r.violator_id_number!,
      licenceNumber: r.licence_number, recordedBy: r.recorder!, recordedAt: r.recorded_at!.toISOString() },
    recordNumber: r.record_number, decisionNumber: r.decision_number, decisionStatus: r.decision_status,
    owner: r.owner_kind === null ? null : { kind: r.owner_kind, fullName: r.owner_name!, idNumber: (r.owner_national_id ?? r.owner_tax_code)!,
      address: `${r.owner_address}, ${r.owner_province}` },
    violation: { plate: r.plate_text, occurredAt: r.occurred_at.toISOString(), description: r.description, legalClause: r.legal_clause,
      fineMin: r.fine_min, fineMax: r.fine_max, points: r.points },
    limitationLastDay: limitationLastDay(r.occurred_at).label,
  };
}

export interface OpenRecord {
  recordNumber: string; noticeNumber: string; madeAt: string; plate: string; occurredAt: string; description: string; legalClause: string;
  fineMin: number; fineMax: number; points: number; response: OwnerResponseKind;
}

/**
 * The records of one violator that no decision covers yet, on cases still open: what an officer may
 * handle together in one decision (NĐ 168 Đ50.1.b).
 */
export async function openRecordsOfViolator(db: Queryable, violatorIdNumber: string): Promise<OpenRecord[]> {
  const { rows } = await db.query<{ record_number: string; notice_number: string; made_at: Date; plate_text: string; occurred_at: Date; description: string;
    legal_clause: string; fine_min: number; fine_max: number; points: number; response: OwnerResponseKind }>(
    `SELECT r.record_number, n.notice_number, r.made_at, v.plate_text, v.occurred_at, v.description, v.legal_clause, v.fine_min, v.fine_max, v.points, o.response
     FROM violation_records r JOIN owner_responses o ON o.id = r.response_id JOIN notices n ON n.id = r.notice_id JOIN violations v ON v.id = n.violation_id
     WHERE o.violator_id_number = $1 AND n.status IN ('issued', 'escalated')
       AND NOT EXISTS (SELECT 1 FROM decision_items i WHERE i.record_id = r.id)
     ORDER BY r.id LIMIT 20`, [violatorIdNumber]);
  return rows.map((r) => ({ recordNumber: r.record_number, noticeNumber: r.notice_number, madeAt: r.made_at.toISOString(), plate: r.plate_text,
    occurredAt: r.occurred_at.toISOString(), description: r.description, legalClause: r.legal_clause, fineMin: r.fine_min, fineMax: r.fine_max,
    points: r.points, response: r.response }));
}

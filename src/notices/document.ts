import type { Queryable } from '../db/pool.js';

/** Everything printed on one notice, read in one query from the notice and what it points at. */
export interface NoticeDocument {
  noticeId: number;
  noticeNumber: string;
  violationId: number;
  status: string;
  amount: number;
  issuedAt: Date;
  dueAt: Date;
  pdfSha256: string | null;
  owner: { kind: 'person' | 'organisation'; fullName: string; nationalId: string | null; taxCode: string | null; address: string; province: string } | null;
  vehicle: { type: string; make: string | null; model: string | null } | null;
  vehicleCategory: 'car' | 'motorbike';
  plateText: string;
  plateColour: string;
  occurredAt: Date;
  camera: { code: string; name: string; address: string; province: string };
  rule: string;
  violationCode: string;
  legalClause: string;
  description: string;
  points: number;
  /** the unit handling the case; null for notices issued before units existed (the configured unit is printed) */
  handlingUnit: { code: string; name: string; parentName: string | null; address: string; phone: string } | null;
}

interface Row {
  id: number; notice_number: string; violation_id: number; status: string; amount: number; issued_at: Date; due_at: Date; pdf_sha256: string | null;
  owner_kind: 'person' | 'organisation' | null; owner_name: string | null; national_id: string | null; tax_code: string | null;
  owner_address: string | null; owner_province: string | null;
  vehicle_type: string | null; make: string | null; model: string | null;
  vehicle_category: 'car' | 'motorbike'; plate_text: string; plate_colour: string; occurred_at: Date;
  camera_code: string; camera_name: string; camera_address: string; camera_province: string;
  rule: string; violation_code: string; legal_clause: string; description: string; points: number;
  unit_code: string | null; unit_name: string | null; unit_parent: string | null; unit_address: string | null; unit_phone: string | null;
}

export async function loadNoticeDocument(db: Queryable, noticeId: number): Promise<NoticeDocument | null> {
  // prepared: a batch render reads one a notice, and planning the joins costs more than running them
  const { rows } = await db.query<Row>({
    name: 'notice-document',
    text: `SELECT n.id, n.notice_number, n.violation_id, n.status, n.amount, n.issued_at, n.due_at, n.pdf_sha256,
            o.kind AS owner_kind, o.full_name AS owner_name, o.national_id, o.tax_code, o.address AS owner_address, o.province AS owner_province,
            ve.vehicle_type, ve.make, ve.model,
            v.vehicle_category, v.plate_text, v.plate_colour, v.occurred_at,
            c.code AS camera_code, c.name AS camera_name, c.address AS camera_address, c.province AS camera_province,
            v.rule, v.violation_code, v.legal_clause, v.description, v.points,
            u.code AS unit_code, u.name AS unit_name, u.parent_name AS unit_parent, u.address AS unit_address, u.phone AS unit_phone
     FROM notices n
     LEFT JOIN handling_units u ON u.id = n.handling_unit_id
     JOIN violations v ON v.id = n.violation_id
     JOIN cameras c ON c.id = v.camera_id
     LEFT JOIN owners o ON o.id = n.owner_id
     LEFT JOIN vehicles ve ON ve.id = v.vehicle_id
     WHERE n.id = $1`,
    values: [noticeId],
  });
  const r = rows[0];
  if (!r) return null;
  return {
    noticeId: r.id,
    noticeNumber: r.notice_number,
    violationId: r.violation_id,
    status: r.status,
    amount: r.amount,
    issuedAt: r.issued_at,
    dueAt: r.due_at,
    pdfSha256: r.pdf_sha256,
    owner: r.owner_kind === null ? null : {
      kind: r.owner_kind, fullName: r.owner_name!, nationalId: r.national_id, taxCode: r.tax_code, address: r.owner_address!, province: r.owner_province!,
    },
    vehicle: r.vehicle_type === null ? null : { type: r.vehicle_type, make: r.make, model: r.model },
    vehicleCategory: r.vehicle_category,
    plateText: r.plate_text,
    plateColour: r.plate_colour,
    occurredAt: r.occurred_at,
    camera: { code: r.camera_code, name: r.camera_name, address: r.camera_address, province: r.camera_province },
    rule: r.rule,
    violationCode: r.violation_code,
    legalClause: r.legal_clause,
    description: r.description,
    points: r.points,
    handlingUnit: r.unit_code === null ? null
      : { code: r.unit_code, name: r.unit_name!, parentName: r.unit_parent, address: r.unit_address!, phone: r.unit_phone! },
  };
}

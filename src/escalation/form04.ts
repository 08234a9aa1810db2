import { appendAudit } from '../audit/audit-log.js';
import type { Queryable } from '../db/pool.js';
import { nextPaperNumber } from '../procedure/numbers.js';
import { communeUnitFor } from '../units/units.js';

export const FORM04_NUMBER_PATTERN = '^TB-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6}$';

/** A form-04 notice refused: the API answers `status` with the Vietnamese message. */
export class Form04Error extends Error {
  override readonly name = 'Form04Error';
  constructor(readonly status: 404 | 409, readonly code: 'notice_not_found' | 'form04_not_found', message: string) {
    super(message);
  }
}

/** Everything printed on one form-04 notice. */
export interface Form04View {
  id: number;
  formNumber: string;
  issuedAt: Date;
  pdfSha256: string | null;
  notice: { number: string; sentAt: Date; status: string; resolvedAt: Date | null };
  owner: { kind: 'person' | 'organisation'; fullName: string; idNumber: string; address: string; province: string };
  vehicle: { category: 'car' | 'motorbike'; type: string | null; plate: string; plateColour: string };
  violation: { occurredAt: Date; place: string; province: string; description: string; legalClause: string; fineMin: number; fineMax: number };
  /** the unit that handles the case and signs the form; null for notices issued before units existed */
  handlingUnit: { name: string; parentName: string | null; address: string; phone: string; province: string } | null;
  /** the addressee; null when no commune/ward police is registered for the owner's address */
  communePolice: { name: string; parentName: string | null; address: string; phone: string } | null;
}

/**
 * Issues the form-04 notice of an escalated motorbike notice, in the caller's transaction: a TB number of
 * the handling unit, addressed to the commune/ward police serving the owner's address. Returns the
 * existing number when one was already issued, null when the notice is not a commune-police escalation
 * or has no owner to find a commune for.
 */
export async function issueForm04(tx: Queryable, noticeId: number, at: Date): Promise<{ formNumber: string; created: boolean } | null> {
  const { rows } = await tx.query<{ notice_number: string; escalation_kind: string | null; unit_code: string | null;
    address: string | null; province: string | null; form_number: string | null }>(
    `SELECT n.notice_number, n.escalation_kind, u.code AS unit_code, o.address, o.province, f.form_number
     FROM notices n LEFT JOIN handling_units u ON u.id = n.handling_unit_id LEFT JOIN owners o ON o.id = n.owner_id
     LEFT JOIN form04_notices f ON f.notice_id = n.id
     WHERE n.id = $1 FOR UPDATE OF n`,
    [noticeId],
  );
  const n = rows[0];
  if (!n) return null;
  if (n.form_number) return { formNumber: n.form_number, created: false };
  if (n.escalation_kind !== 'commune_police' || n.address === null || n.province === null) return null;
  // notices from before handling units carry the configured unit's code in their number (PN-<code>-<year>-<seq>, checked by the table)
  const unitCode = n.unit_code ?? n.notice_number.split('-')[1]!;
  const commune = await communeUnitFor(tx, n.address, n.province);
  const formNumber = await nextPaperNumber(tx, 'TB', unitCode, at);
  const inserted = await tx.query<{ id: number }>(
    'INSERT INTO form04_notices (notice_id, form_number, issued_at, commune_unit_id) VALUES ($1, $2, $3, $4) RETURNING id',
    [noticeId, formNumber, at, commune?.id ?? null],
  );
  await appendAudit(tx, { actorId: null, actor: 'escalation-job', action: 'commune_notice.issued', entityType: 'form04_notice', entityId: inserted.rows[0]!.id,
    details: { formNumber, noticeNumber: n.notice_number, communeUnit: commune?.code ?? null } });
  return { formNumber, created: true };
}

interface Row {
  id: number; form_number: string; issued_at: Date; pdf_sha256: string | null;
  notice_number: string; notice_issued_at: Date; notice_status: string; resolved_at: Date | null;
  owner_kind: 'person' | 'organisation'; full_name: string; national_id: string | null; tax_code: string | null; owner_address: string; owner_province: string;
  vehicle_category: 'car' | 'motorbike'; vehicle_type: string | null; plate_text: string; plate_colour: string;
  occurred_at: Date; camera_name: string; camera_address: string; camera_province: string; description: string; legal_clause: string;
  fine_min: number; fine_max: number;
  hu_name: string | null; hu_parent: string | null; hu_address: string | null; hu_phone: string | null; hu_province: string | null;
  cu_name: string | null; cu_parent: string | null; cu_address: string | null; cu_phone: string | null;
}

/** The form-04 notice of a notice (by the notice's number), or null when none was issued. */
export async function findForm04(db: Queryable, noticeNumber: string): Promise<Form04View | null> {
  const { rows } = await db.query<Row>(
    `SELECT f.id, f.form_number, f.issued_at, f.pdf_sha256,
            n.notice_number, n.issued_at AS notice_issued_at, n.status AS notice_status, n.resolved_at,
            o.kind AS owner_kind, o.full_name, o.national_id, o.tax_code, o.address AS owner_address, o.province AS owner_province,
            v.vehicle_category, ve.vehicle_type, v.plate_text, v.plate_colour, v.occurred_at,
            c.name AS camera_name, c.address AS camera_address, c.province AS camera_province, v.description, v.legal_clause, v.fine_min, v.fine_max,
            hu.name AS hu_name, hu.parent_name AS hu_parent, hu.address AS hu_address, hu.phone AS hu_phone, hu.province AS hu_province,
            cu.name AS cu_name, cu.parent_name AS cu_parent, cu.address AS cu_address, cu.phone AS cu_phone
     FROM form04_notices f
     JOIN notices n ON n.id = f.notice_id
     JOIN owners o ON o.id = n.owner_id
     JOIN violations v ON v.id = n.violation_id
     JOIN cameras c ON c.id = v.camera_id
     LEFT JOIN vehicles ve ON ve.id = v.vehicle_id
     LEFT JOIN handling_units hu ON hu.id = n.handling_unit_id
     LEFT JOIN handling_units cu ON cu.id = f.commune_unit_id
     WHERE n.notice_number = $1`,
    [noticeNumber],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id, formNumber: r.form_number, issuedAt: r.issued_at, pdfSha256: r.pdf_sha256,
    notice: { number: r.notice_number, sentAt: r.notice_issued_at, status: r.notice_status, resolvedAt: r.resolved_at },
    owner: { kind: r.owner_kind, fullName: r.full_name, idNumber: r.national_id ?? r.tax_code ?? '', address: r.owner_address, province: r.owner_province },
    vehicle: { category: r.vehicle_category, type: r.vehicle_type, plate: r.plate_text, plateColour: r.plate_colour },
    violation: { occurredAt: r.occurred_at, place: `${r.camera_name}, ${r.camera_address}`, province: r.camera_province, description: r.description,
      legalClause: r.legal_clause, fineMin: r.fine_min, fineMax: r.fine_max },
    handlingUnit: r.hu_name === null ? null
      : { name: r.hu_name, parentName: r.hu_parent, address: r.hu_address!, phone: r.hu_phone!, province: r.hu_province! },
    communePolice: r.cu_name === null ? null : { name: r.cu_name, parentName: r.cu_parent, address: r.cu_address!, phone: r.cu_phone! },
  };
}

import { appendAudit, type Actor } from '../audit/audit-log.js';
import type { PoolClient } from '../db/pool.js';
import { lockNoticeCase, requireOpen } from './case-state.js';
import { ProcedureError } from './errors.js';

export const OWNER_RESPONSES = ['owner_is_driver', 'driver_named', 'non_cooperation'] as const;
export type OwnerResponseKind = (typeof OWNER_RESPONSES)[number];

export type OwnerResponseInput =
  /** the owner drove: their licence number is needed for the points ledger */
  | { response: 'owner_is_driver'; licenceNumber: string }
  | { response: 'driver_named'; driver: { nationalId: string; fullName: string; licenceNumber: string; address: string } }
  /** the owner neither came nor named the driver: fined as owner (NĐ 168 Đ47.8.b), no licence points */
  | { response: 'non_cooperation' };

export interface OwnerResponse {
  id: number;
  noticeNumber: string;
  response: OwnerResponseKind;
  violator: { kind: 'person' | 'organisation'; fullName: string; idNumber: string; address: string; licenceNumber: string | null };
  recordedBy: { id: number; username: string };
  recordedAt: string;
}

/** Records who the violator is, as the owner answered the notice. One answer per notice; audited `notice.owner_responded`. */
export async function recordOwnerResponse(tx: PoolClient, noticeNumber: string, input: OwnerResponseInput, actor: Actor & { id: number }): Promise<OwnerResponse> {
  const c = await lockNoticeCase(tx, noticeNumber);
  requireOpen(c);
  const owner = c.owner;
  if (!owner) throw new ProcedureError('invalid_request', `Thông báo ${noticeNumber} không có chủ phương tiện`);
  const existing = await tx.query('SELECT 1 FROM owner_responses WHERE notice_id = $1', [c.noticeId]);
  if (existing.rowCount) throw new ProcedureError('response_exists', `Đã ghi nhận phản hồi của chủ phương tiện cho thông báo ${noticeNumber}`);

  let violator: OwnerResponse['violator'];
  if (input.response === 'owner_is_driver') {
    if (owner.kind !== 'person') {
      throw new ProcedureError('owner_not_person', 'Chủ phương tiện là tổ chức, không thể là người điều khiển; hãy ghi nhận người điều khiển');
    }
    violator = { ...owner, licenceNumber: input.licenceNumber };
  } else if (input.response === 'driver_named') {
    const d = input.driver;
    violator = { kind: 'person', fullName: d.fullName.trim(), idNumber: d.nationalId, address: d.address.trim(), licenceNumber: d.licenceNumber };
  } else {
    violator = { ...owner, licenceNumber: null };
  }
  const { rows } = await tx.query<{ id: number; recorded_at: Date }>(
    `INSERT INTO owner_responses (notice_id, response, violator_kind, violator_name, violator_id_number, violator_address, licence_number, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, recorded_at`,
    [c.noticeId, input.response, violator.kind, violator.fullName, violator.idNumber, violator.address, violator.licenceNumber, actor.id],
  );
  const row = rows[0]!;
  await appendAudit(tx, {
    actorId: actor.id, actor: actor.username, action: 'notice.owner_responded', entityType: 'notice', entityId: c.noticeId,
    details: { noticeNumber, response: input.response, violatorIdNumber: violator.idNumber, violatorName: violator.fullName, licenceNumber: violator.licenceNumber },
  });
  return { id: row.id, noticeNumber, response: input.response, violator, recordedBy: { id: actor.id, username: actor.username }, recordedAt: row.recorded_at.toISOString() };
}

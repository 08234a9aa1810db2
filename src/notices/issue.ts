import { appendAudit } from '../audit/audit-log.js';
import type { PoolClient } from '../db/pool.js';
import { NoticeError } from './errors.js';
import { nextNoticeNumber } from './notice-number.js';
import { processNoticeSettings, type NoticeSettings } from './settings.js';

export { renderNotice } from './render.js';

export interface NoticeActor {
  id: number;
  username: string;
}

/**
 * Issues the penalty notice of an approved violation inside the caller's transaction (review calls
 * it in the approval transaction) and moves the violation to 'noticed'. Calling it again for the same
 * violation returns the notice already issued, so a retried approval never issues two notices.
 * The PDF is rendered after commit by renderNotice.
 */
export async function issueNotice(
  tx: PoolClient,
  violationId: number,
  actor: NoticeActor,
  settings: NoticeSettings = processNoticeSettings(),
): Promise<{ noticeId: number; noticeNumber: string }> {
  const { rows } = await tx.query<{ status: string; owner_id: number | null; fine_amount: number; plate_text: string }>(
    'SELECT status, owner_id, fine_amount, plate_text FROM violations WHERE id = $1 FOR UPDATE',
    [violationId],
  );
  const v = rows[0];
  if (!v) throw new NoticeError('violation_not_found', `Không tìm thấy vi phạm #${violationId}`);
  const existing = await tx.query<{ id: number; notice_number: string }>('SELECT id, notice_number FROM notices WHERE violation_id = $1', [violationId]);
  const found = existing.rows[0];
  if (found) return { noticeId: found.id, noticeNumber: found.notice_number };
  if (v.status !== 'approved') {
    throw new NoticeError('violation_not_approved', `Vi phạm #${violationId} chưa được duyệt; chỉ vi phạm đã duyệt mới được ra thông báo`);
  }
  if (v.owner_id === null) throw new NoticeError('owner_unidentified', `Vi phạm #${violationId} chưa xác định được chủ phương tiện để gửi thông báo`);

  const now = await tx.query<{ now: Date }>('SELECT now() AS now');
  const issuedAt = now.rows[0]!.now;
  const noticeNumber = await nextNoticeNumber(tx, settings.unitCode, issuedAt);
  // The day of sending is not counted (TT 73/2024 Đ24): a notice sent on 1 November is due at the end of
  // 21 November, Vietnam time, and escalates from 22 November 00:00. The camera's detecting unit handles the
  // case until it is forwarded to the owner's commune/ward police.
  const inserted = await tx.query<{ id: number; due_at: Date }>(
    `INSERT INTO notices (violation_id, notice_number, owner_id, amount, issued_at, due_at, handling_unit_id)
     VALUES ($1, $2, $3, $4, $5::timestamptz,
             (date_trunc('day', $5::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh') + make_interval(days => $6::int + 1)) AT TIME ZONE 'Asia/Ho_Chi_Minh',
             (SELECT c.detecting_unit_id FROM violations v JOIN cameras c ON c.id = v.camera_id WHERE v.id = $1))
     RETURNING id, due_at`,
    [violationId, noticeNumber, v.owner_id, v.fine_amount, issuedAt, settings.dueDays],
  );
  const notice = inserted.rows[0]!;
  // the notices module owns a violation's life after approval: noticed now, closed when paid
  await tx.query(`UPDATE violations SET status = 'noticed', updated_at = now() WHERE id = $1`, [violationId]);
  await appendAudit(tx, {
    actorId: actor.id, actor: actor.username, action: 'notice.issued', entityType: 'notice', entityId: notice.id,
    details: { noticeNumber, violationId, ownerId: v.owner_id, amount: v.fine_amount, plate: v.plate_text, dueAt: notice.due_at.toISOString() },
  });
  return { noticeId: notice.id, noticeNumber };
}

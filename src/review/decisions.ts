import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import { lockForDecision, type Officer } from './claims.js';
import type { MatchOutcome, ReviewCollaborators } from './collaborators.js';
import { ReviewError } from './review-error.js';

export const REJECT_REASONS = ['plate_unreadable', 'plate_obstructed', 'wrong_vehicle', 'emergency_vehicle', 'duplicate', 'equipment_fault', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Match states in which the registered owner is known, so a notice has someone to go to. */
const OWNER_IDENTIFIED = new Set(['exact', 'corrected']);
const MATCH_TEXT: Record<string, string> = { exact: 'khớp chính xác', fuzzy: 'chỉ khớp gần đúng', ambiguous: 'có nhiều xe gần giống',
  unknown: 'không tìm thấy trong sổ đăng ký', foreign: 'biển nước ngoài', corrected: 'đã sửa / chọn lại xe' };

export interface ReviewDeps {
  pool: Pool;
  collaborators: ReviewCollaborators;
  logger: Logger;
}

export interface ApprovalResult {
  violationId: number;
  noticeId: number;
  noticeNumber: string;
  /** null when rendering failed; the notice stands and the batch command renders it later */
  pdfSha256: string | null;
}

/**
 * Approves a claimed case and issues its notice in one transaction with the audit row: either the
 * case is approved with a notice, or nothing changed. The PDF is rendered after commit. A case with a
 * review warning (an implausible speed reading) is approved only with `confirmWarning`, audited.
 */
export async function approveViolation(deps: ReviewDeps, violationId: number, officer: Officer,
  opts: { confirmWarning?: boolean } = {}): Promise<ApprovalResult> {
  const notice = await withTransaction(deps.pool, async (tx) => {
    const v = await lockForDecision(tx, violationId, officer);
    const { rows: [flag] } = await tx.query<{ review_warning: string | null }>('SELECT review_warning FROM violations WHERE id = $1', [violationId]);
    const warning = flag?.review_warning ?? null;
    if (warning !== null && opts.confirmWarning !== true) {
      throw new ReviewError('confirmation_required',
        `Vụ việc có cảnh báo cần xác nhận trước khi duyệt: ${warning}. Hãy kiểm tra rồi duyệt lại với xác nhận (confirmWarning: true), hoặc từ chối (lỗi thiết bị).`,
        { reviewWarning: warning });
    }
    if (!OWNER_IDENTIFIED.has(v.matchStatus) || v.vehicleId === null || v.ownerId === null) {
      throw new ReviewError('owner_unidentified',
        `Chưa xác định được chủ phương tiện của xe ${v.plateText} (${MATCH_TEXT[v.matchStatus] ?? 'chưa đối chiếu được'}); hãy sửa biển số hoặc xác nhận một xe gần giống trước khi duyệt`,
        { matchStatus: v.matchStatus, vehicleId: v.vehicleId, ownerId: v.ownerId, candidates: v.matchCandidates });
    }
    await tx.query(
      `UPDATE violations SET status = 'approved', decided_by = $2, decided_at = now(), claimed_by = NULL, claim_expires_at = NULL, updated_at = now()
       WHERE id = $1`,
      [violationId, officer.id],
    );
    await appendAudit(tx, { actorId: officer.id, actor: officer.username, action: 'violation.approved', entityType: 'violation', entityId: violationId,
      details: { plate: v.plateText, matchStatus: v.matchStatus, vehicleId: v.vehicleId, ownerId: v.ownerId,
        ...(warning !== null ? { confirmedWarning: warning } : {}) } });
    return deps.collaborators.issueNotice(tx, violationId, officer);
  });
  let pdfSha256: string | null = null;
  try {
    pdfSha256 = (await deps.collaborators.renderNotice(notice.noticeId)).sha256;
  } catch (err) {
    deps.logger.error({ err, noticeId: notice.noticeId, violationId }, 'notice PDF render failed after approval; it will be retried');
  }
  return { violationId, ...notice, pdfSha256 };
}

export async function rejectViolation(
  pool: Pool,
  violationId: number,
  officer: Officer,
  reason: RejectReason,
  note: string | null,
): Promise<void> {
  const text = note?.trim() || null;
  if (reason === 'other' && !text) throw new ReviewError('note_required', 'Lý do "khác" cần ghi chú cụ thể vì sao từ chối hồ sơ');
  await withTransaction(pool, async (tx) => {
    await lockForDecision(tx, violationId, officer);
    await tx.query(
      `UPDATE violations SET status = 'rejected', reject_reason = $3, reject_note = $4, decided_by = $2, decided_at = now(),
              claimed_by = NULL, claim_expires_at = NULL, updated_at = now()
       WHERE id = $1`,
      [violationId, officer.id, reason, text],
    );
    await appendAudit(tx, { actorId: officer.id, actor: officer.username, action: 'violation.rejected', entityType: 'violation', entityId: violationId,
      details: { reason, note: text } });
  });
}

/**
 * Replaces a misread plate and re-runs matching (which audits `violation.plate_corrected` in this
 * transaction). The case stays pending and claimed: the officer looks at the new match before deciding.
 */
export async function correctPlate(deps: ReviewDeps, violationId: number, officer: Officer, plateText: string): Promise<MatchOutcome> {
  return withTransaction(deps.pool, async (tx) => {
    await lockForDecision(tx, violationId, officer);
    return rematch(deps.collaborators, tx, violationId, plateText, officer);
  });
}

/**
 * Confirms one of a fuzzy or ambiguous match's candidate vehicles as the one in the photos: the
 * plate becomes that vehicle's plate and matching runs again, so the owner comes from the registry
 * as of the violation time, exactly as for an exact read.
 */
export async function confirmMatch(deps: ReviewDeps, violationId: number, officer: Officer, vehicleId: number): Promise<MatchOutcome> {
  return withTransaction(deps.pool, async (tx) => {
    const v = await lockForDecision(tx, violationId, officer);
    if (v.matchStatus !== 'fuzzy' && v.matchStatus !== 'ambiguous') {
      throw new ReviewError('not_a_candidate', `Vi phạm #${violationId} ${MATCH_TEXT[v.matchStatus] ?? 'không có xe gần giống'}; chỉ hồ sơ khớp gần đúng hoặc nhiều xe gần giống mới có xe để xác nhận`);
    }
    const candidate = v.matchCandidates.map(candidatePlate).find((c) => c?.vehicleId === vehicleId);
    if (!candidate) {
      throw new ReviewError('not_a_candidate', `Xe #${vehicleId} không nằm trong danh sách xe gần giống của vi phạm #${violationId}`,
        { candidates: v.matchCandidates });
    }
    const outcome = await rematch(deps.collaborators, tx, violationId, candidate.plate, officer);
    if (outcome.vehicleId !== vehicleId) {
      throw new ReviewError('not_a_candidate', `Đối chiếu lại biển ${candidate.plate} ra ${outcome.vehicleId === null ? 'không xe nào' : `xe #${outcome.vehicleId}`}, không phải xe #${vehicleId}: sổ đăng ký đã thay đổi, hãy tải lại hồ sơ`);
    }
    await appendAudit(tx, { actorId: officer.id, actor: officer.username, action: 'violation.match_confirmed', entityType: 'violation', entityId: violationId,
      details: { from: v.plateText, to: candidate.plate, vehicleId, ownerId: outcome.ownerId, previousMatch: v.matchStatus } });
    return outcome;
  });
}

async function rematch(collab: ReviewCollaborators, tx: Parameters<ReviewCollaborators['correctPlate']>[0], violationId: number, plate: string, officer: Officer) {
  try {
    return await collab.correctPlate(tx, violationId, plate, officer);
  } catch (err) {
    const reason = collab.invalidPlateReason(err);
    if (reason !== null) throw new ReviewError('invalid_plate', reason);
    const wrongCategory = collab.wrongCategoryReason?.(err) ?? null;
    if (wrongCategory !== null) throw new ReviewError('offence_not_for_category', wrongCategory);
    throw err;
  }
}

/** Candidates are written by matching as JSON; read the two fields review relies on defensively. */
function candidatePlate(c: unknown): { vehicleId: number; plate: string } | null {
  if (!c || typeof c !== 'object') return null;
  const o = c as Record<string, unknown>;
  const vehicleId = o.vehicleId ?? o.vehicle_id;
  const plate = o.plate ?? o.plateText ?? o.plate_text;
  return typeof vehicleId === 'number' && typeof plate === 'string' ? { vehicleId, plate } : null;
}

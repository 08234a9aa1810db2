import { appendAudit } from '../audit/audit-log.js';
import type { Config } from '../config.js';
import { withTransaction, type Pool } from '../db/pool.js';
import { evidenceForViolation } from '../review/evidence.js';
import { BlobIntegrityError, type BlobStore } from '../storage/blob-store.js';
import { reportTamperedBlob } from '../storage/report-tampering.js';
import { loadNoticeDocument, type NoticeDocument } from './document.js';
import { NoticeError } from './errors.js';
import { layoutNotice, type NoticeRenderJob } from './layout.js';
import type { NoticePrintSettings } from './pdf.js';

export type { NoticeRenderJob };

export interface RenderDeps {
  pool: Pool;
  storage: BlobStore;
  config: Config;
}

/** The public lookup page a notice's QR code opens (a page for people; the JSON API stays at /api/v1/lookup). */
export function lookupUrl(config: Pick<Config, 'PUBLIC_BASE_URL'>, plateText: string): string {
  return `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/tra-cuu?plate=${encodeURIComponent(plateText)}`;
}

/**
 * Lays out a prepared notice (the CPU work: scaling the photos, the plate crop, the QR code, the PDF). In
 * this thread by default; a batch passes a NoticeRenderPool's `layout` to do it in worker threads.
 */
export type NoticeLayout = (job: NoticeRenderJob) => Promise<Buffer>;

/**
 * Renders a notice's PDF, stores it content-addressed and records its sha256 (audited
 * `notice.rendered`). Idempotent: a notice whose PDF is already stored is returned as is, so the
 * approval path and the batch command may both try it. Called after the issuing transaction commits.
 * Nothing is recorded unless the whole PDF was made and stored: a failed render leaves the notice as it was.
 */
export async function renderNotice(deps: RenderDeps, noticeId: number, layout: NoticeLayout = layoutNotice): Promise<{ sha256: string }> {
  const doc = await loadNoticeDocument(deps.pool, noticeId);
  if (!doc) throw new NoticeError('notice_not_found', `Không tìm thấy thông báo #${noticeId}`);
  if (doc.pdfSha256 && (await deps.storage.has(doc.pdfSha256))) return { sha256: doc.pdfSha256 };

  const job = await prepareNoticeRender(deps, doc);
  const pdf = await layout(job).catch((err: unknown) => {
    if (err instanceof NoticeError) throw err;
    throw new NoticeError('render_failed', `Thông báo ${doc.noticeNumber}: không dựng được tệp PDF (${err instanceof Error ? err.message : String(err)})`);
  });
  const sha256 = await deps.storage.put(pdf);
  await withTransaction(deps.pool, async (tx) => {
    // the notice's row locked and its previous hash read in the statement that records the new one; nothing
    // is recorded when the hash is the one on record (a render that raced this one)
    const { rows } = await tx.query<{ previous: string | null }>({
      name: 'notice-record-pdf',
      text: `UPDATE notices n SET pdf_sha256 = $2, pdf_rendered_at = now()
             FROM (SELECT id, pdf_sha256 FROM notices WHERE id = $1 FOR UPDATE) old
             WHERE n.id = old.id AND old.pdf_sha256 IS DISTINCT FROM $2
             RETURNING old.pdf_sha256 AS previous`,
      values: [noticeId, sha256],
    });
    if (rows.length === 0) return;
    const previous = rows[0]!.previous;
    await appendAudit(tx, {
      actorId: null, actor: 'notice-renderer', action: 'notice.rendered', entityType: 'notice', entityId: noticeId,
      // a previous hash means the stored file went missing and was rendered again
      details: { noticeNumber: doc.noticeNumber, sha256, bytes: pdf.length, previousSha256: previous },
    });
  });
  return { sha256 };
}

/** The PDF bytes of a notice, from its stored data and evidence, laid out in this thread; does not store anything. */
export async function renderNoticePdf(deps: RenderDeps, doc: NoticeDocument): Promise<Buffer> {
  return layoutNotice(await prepareNoticeRender(deps, doc));
}

/**
 * Everything a notice's layout needs (NoticeRenderJob), read and checked here so the layout itself touches
 * neither the database nor storage: the document, the print settings and the evidence bytes, each verified
 * against its sha256 on every render (an altered file is reported as tampering and fails the render).
 */
export async function prepareNoticeRender(deps: RenderDeps, doc: NoticeDocument): Promise<NoticeRenderJob> {
  const unit = doc.handlingUnit;
  const settings: NoticePrintSettings = {
    detectingUnit: unit?.name ?? deps.config.DETECTING_UNIT,
    parentUnit: unit?.parentName ?? '',
    unitAddress: unit?.address ?? deps.config.NOTICE_UNIT_ADDRESS,
    contactPhone: unit?.phone ?? deps.config.NOTICE_CONTACT_PHONE,
    lookupUrl: lookupUrl(deps.config, doc.plateText),
  };
  const evidence = await evidenceForViolation(deps.pool, doc.violationId);
  const first = evidence[0];
  if (!first) throw new NoticeError('evidence_missing', `Thông báo ${doc.noticeNumber}: vi phạm #${doc.violationId} không có ảnh bằng chứng`);
  const original = await verifiedBlob(deps, doc, first.imageSha256);
  if (!original) throw new NoticeError('evidence_missing', `Thông báo ${doc.noticeNumber}: ảnh bằng chứng ${first.imageSha256} không còn trong kho lưu trữ`);
  const frames: Uint8Array[] = [];
  for (const m of first.media.filter((x) => x.kind === 'frame')) {
    const bytes = await verifiedBlob(deps, doc, m.sha256);
    if (!bytes) throw new NoticeError('evidence_missing', `Thông báo ${doc.noticeNumber}: ảnh thứ ${m.seq} của lần ghi hình #${first.captureId} (${m.sha256}) không còn trong kho lưu trữ`);
    frames.push(bytes);
  }
  return { doc, settings, original, plateBox: first.plateRead?.bbox ?? null, frames };
}

/** Evidence bytes checked against their sha256; an altered file must never reach a notice: the render fails, and the failure is on record. */
async function verifiedBlob(deps: RenderDeps, doc: NoticeDocument, sha256: string): Promise<Buffer | null> {
  return deps.storage.get(sha256).catch(async (err: unknown) => {
    if (err instanceof BlobIntegrityError) await reportTamperedBlob(deps.pool, err, `notice ${doc.noticeNumber}`);
    throw err;
  });
}

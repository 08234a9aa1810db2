import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool } from '../db/pool.js';
import { formatLocalDate, formatLocalDateTime, formatVnd, maskIdNumber } from '../notices/format.js';
import { Paper } from '../notices/pdf-layout.js';
import { loadNoticeTemplate } from '../notices/template.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { HandlingUnit } from '../units/units.js';
import { ProcedureError } from './errors.js';
import { findDecision, findRecord, type DecisionView, type RecordView } from './queries.js';

const MOTTO = ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc'];
const RESPONSE_TEXT = {
  owner_is_driver: 'Chủ phương tiện là người điều khiển phương tiện',
  driver_named: 'Người điều khiển phương tiện do chủ phương tiện cung cấp',
  non_cooperation: 'Chủ phương tiện không hợp tác (xử phạt chủ phương tiện theo điểm b khoản 8 Điều 47 Nghị định 168/2024/NĐ-CP)',
} as const;

function unitHeader(paper: Paper, unit: HandlingUnit, number: string, at: Date): void {
  paper.header([unit.parentName ?? '', unit.name.toUpperCase()], `Số: ${number}`, MOTTO, `${unit.province}, ngày ${formatLocalDate(at)}`);
}

function violatorRows(paper: Paper, v: RecordView['violator']): void {
  paper.row('Họ tên / Tên tổ chức', v.fullName, true);
  paper.row(v.kind === 'person' ? 'Số định danh cá nhân' : 'Mã định danh / Mã số thuế', v.kind === 'person' ? maskIdNumber(v.idNumber) : v.idNumber);
  paper.row('Địa chỉ', v.address);
  if (v.licenceNumber) paper.row('Giấy phép lái xe số', v.licenceNumber);
}

/** Biên bản vi phạm hành chính (mẫu theo Nghị định 118/2021, lĩnh vực giao thông đường bộ) of a camera case. */
export function buildRecordPdf(r: RecordView): Promise<Buffer> {
  const t = loadNoticeTemplate('vi');
  const madeAt = new Date(r.madeAt);
  const paper = new Paper({ title: `Biên bản vi phạm hành chính ${r.recordNumber}`, author: r.handlingUnit.name, subject: 'Biên bản vi phạm hành chính', createdAt: madeAt });
  unitHeader(paper, r.handlingUnit, r.recordNumber, madeAt);
  paper.title('BIÊN BẢN VI PHẠM HÀNH CHÍNH', 'Về trật tự, an toàn giao thông trong lĩnh vực giao thông đường bộ', 'Mẫu số MBB01');
  paper.paragraph(`Hồi ${formatLocalDateTime(madeAt)}, tại ${r.handlingUnit.name} (${r.handlingUnit.address}), căn cứ Thông báo số ${r.noticeNumber} `
    + 'về vi phạm được phát hiện qua hệ thống giám sát (Điều 24 Thông tư 73/2024/TT-BCA), chúng tôi lập biên bản vi phạm hành chính đối với:');
  paper.section('Người vi phạm');
  violatorRows(paper, r.violator);
  paper.row('Căn cứ xác định', RESPONSE_TEXT[r.response]);
  paper.gap(4);
  paper.section('Hành vi vi phạm');
  paper.row('Phương tiện', `${t.vehicleTypes[r.violation.vehicleCategory] ?? r.violation.vehicleCategory}, biển số ${r.violation.plate} (${t.plateColours[r.violation.plateColour] ?? r.violation.plateColour})`);
  paper.row('Thời gian', formatLocalDateTime(new Date(r.violation.occurredAt)));
  paper.row('Địa điểm', r.violation.place);
  paper.row('Hành vi', r.violation.description, true);
  paper.row('Mã hành vi', r.violation.violationCode);
  paper.row('Quy định tại', r.violation.legalClause);
  paper.row('Khung tiền phạt', `${formatVnd(r.violation.fineMin)} – ${formatVnd(r.violation.fineMax)}`);
  paper.row('Điểm trừ giấy phép lái xe', r.response === 'non_cooperation' || r.violation.points === 0 ? 'Không trừ điểm' : `${r.violation.points} điểm`);
  paper.gap(4);
  paper.section('Ý kiến trình bày của người vi phạm');
  paper.paragraph(r.statement ?? '(Không có ý kiến)');
  paper.paragraph(`Biên bản được lập thành 02 bản có nội dung và giá trị như nhau. Người vi phạm có quyền giải trình trong thời hạn 02 ngày làm việc kể từ ngày lập biên bản.`);
  paper.signature(['NGƯỜI LẬP BIÊN BẢN', '(Ký, ghi rõ họ tên)', '', r.signedBy.fullName]);
  return paper.end();
}

/** Quyết định xử phạt vi phạm hành chính: one violator, one or more records, fines added, the largest point deduction. */
export function buildDecisionPdf(d: DecisionView): Promise<Buffer> {
  const issuedAt = new Date(d.issuedAt);
  const paper = new Paper({ title: `Quyết định xử phạt ${d.decisionNumber}`, author: d.handlingUnit.name, subject: 'Quyết định xử phạt vi phạm hành chính', createdAt: issuedAt });
  unitHeader(paper, d.handlingUnit, d.decisionNumber, issuedAt);
  paper.title('QUYẾT ĐỊNH', 'Xử phạt vi phạm hành chính', 'Mẫu số MQĐ02');
  paper.paragraph('Căn cứ Luật Xử lý vi phạm hành chính; Luật Trật tự, an toàn giao thông đường bộ năm 2024; Nghị định 168/2024/NĐ-CP; '
    + `căn cứ biên bản vi phạm hành chính số ${d.items.map((i) => i.recordNumber).join(', ')}, ${d.handlingUnit.name}`);
  paper.paragraph('QUYẾT ĐỊNH:', { bold: true, align: 'left' });
  paper.paragraph('Điều 1. Xử phạt vi phạm hành chính đối với:', { align: 'left' });
  violatorRows(paper, d.violator);
  paper.gap(4);
  for (const [n, i] of d.items.entries()) {
    paper.section(`Hành vi ${n + 1}`);
    paper.row('Biên bản', `${i.recordNumber}, lập ngày ${formatLocalDate(new Date(i.recordMadeAt))}`);
    paper.row('Hành vi', i.description, true);
    paper.row('Thời gian, phương tiện', `${formatLocalDateTime(new Date(i.occurredAt))}, biển số ${i.plate}`);
    paper.row('Quy định tại', i.legalClause);
    paper.row('Mức phạt', formatVnd(i.fineAmount), true);
    if (i.amountReason) paper.row('Lý do áp dụng mức phạt', i.amountReason);
  }
  paper.gap(4);
  paper.row('Tổng số tiền phạt', formatVnd(d.totalAmount), true);
  paper.row('Trừ điểm giấy phép lái xe', d.pointsDeducted > 0 ? `${d.pointsDeducted} điểm` : 'Không trừ điểm');
  paper.paragraph(`Điều 2. Quyết định có hiệu lực kể từ ngày ${formatLocalDate(new Date(d.effectiveAt))}. Người bị xử phạt nộp tiền phạt trong thời hạn 10 ngày `
    + `qua Kho bạc Nhà nước, ngân hàng hoặc Cổng dịch vụ công, ghi rõ số quyết định ${d.decisionNumber}. Quá thời hạn mà không tự nguyện chấp hành thì bị cưỡng chế thi hành.`);
  paper.paragraph(`Điều 3. Liên hệ: ${d.handlingUnit.name}, ${d.handlingUnit.address}, điện thoại ${d.handlingUnit.phone}.`);
  paper.signature(['NGƯỜI RA QUYẾT ĐỊNH', '(Ký, ghi rõ họ tên)', '', d.signedBy.fullName]);
  return paper.end();
}

export interface PaperDeps {
  pool: Pool;
  storage: BlobStore;
}

/**
 * Renders and stores the PDF of a record or decision and records its sha256 (audited); idempotent like
 * notice rendering: a stored PDF is returned as is.
 */
export async function renderPaper(deps: PaperDeps, kind: 'record' | 'decision', number: string): Promise<{ sha256: string; pdf: Buffer }> {
  const view = kind === 'record' ? await findRecord(deps.pool, number) : await findDecision(deps.pool, { number });
  if (!view) throw new ProcedureError(kind === 'record' ? 'record_not_found' : 'decision_not_found', `Không có ${kind === 'record' ? 'biên bản' : 'quyết định'} số ${number}`);
  if (view.pdfSha256) {
    const stored = await deps.storage.get(view.pdfSha256);
    if (stored) return { sha256: view.pdfSha256, pdf: stored };
  }
  const pdf = kind === 'record' ? await buildRecordPdf(view as RecordView) : await buildDecisionPdf(view as DecisionView);
  const sha256 = await deps.storage.put(pdf);
  const table = kind === 'record' ? 'violation_records' : 'penalty_decisions';
  await withTransaction(deps.pool, async (tx) => {
    await tx.query(`UPDATE ${table} SET pdf_sha256 = $2, pdf_rendered_at = now() WHERE id = $1`, [view.id, sha256]);
    await appendAudit(tx, { actorId: null, actor: 'paper-renderer', action: `${kind}.rendered`, entityType: table, entityId: view.id,
      details: { number, sha256, bytes: pdf.length, previousSha256: view.pdfSha256 } });
  });
  return { sha256, pdf };
}

import { appendAudit } from '../audit/audit-log.js';
import { withTransaction, type Pool } from '../db/pool.js';
import { formatLocalDate, formatLocalDateTime, formatVnd, maskIdNumber } from '../notices/format.js';
import { Paper } from '../notices/pdf-layout.js';
import { loadNoticeTemplate } from '../notices/template.js';
import type { BlobStore } from '../storage/blob-store.js';
import { findForm04, Form04Error, issueForm04, type Form04View } from './form04.js';

const MOTTO = ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc'];

/** The unit printed on papers of notices issued before handling units existed: the configured one. */
export interface ConfiguredUnit {
  name: string;
  address: string;
  phone: string;
}

/**
 * Thông báo (mẫu số 04, Thông tư 73/2024/TT-BCA Điều 24) from the handling unit to the commune/ward
 * police where the owner lives: the motorbike case is unresolved 20 days after the notice was sent, and
 * the owner is to be told to come and resolve it.
 */
export function buildForm04Pdf(f: Form04View, configured: ConfiguredUnit): Promise<Buffer> {
  const t = loadNoticeTemplate('vi');
  const unit = f.handlingUnit ?? { name: configured.name, parentName: null, address: configured.address, phone: configured.phone, province: f.violation.province };
  const contact = [unit.address, unit.phone ? `điện thoại ${unit.phone}` : ''].filter(Boolean).join(', ');
  const paper = new Paper({ title: `Thông báo ${f.formNumber}`, author: unit.name, subject: 'Thông báo vi phạm chưa được giải quyết (mẫu số 04)', createdAt: f.issuedAt });
  paper.header([unit.parentName ?? '', unit.name.toUpperCase()], `Số: ${f.formNumber}`, MOTTO, `${unit.province}, ngày ${formatLocalDate(f.issuedAt)}`);
  paper.title('THÔNG BÁO', 'Về việc chủ phương tiện vi phạm trật tự, an toàn giao thông đường bộ chưa đến giải quyết', 'Mẫu số 04');
  paper.paragraph(`Kính gửi: ${f.communePolice?.name ?? 'Công an xã, phường, đặc khu nơi chủ phương tiện cư trú'}`
    + `${f.communePolice ? ` (${f.communePolice.address})` : ''}`, { bold: true, align: 'left' });
  paper.paragraph(`Căn cứ Điều 24 Thông tư 73/2024/TT-BCA, ngày ${formatLocalDate(f.notice.sentAt)} ${unit.name} đã gửi Thông báo số ${f.notice.number} `
    + 'đến chủ phương tiện về vi phạm hành chính được phát hiện qua hệ thống giám sát. Đã quá 20 ngày kể từ ngày gửi thông báo, '
    + 'chủ phương tiện chưa đến giải quyết vụ việc.');
  paper.section('Chủ phương tiện');
  paper.row('Họ tên / Tên tổ chức', f.owner.fullName, true);
  paper.row(f.owner.kind === 'person' ? 'Số định danh cá nhân' : 'Mã định danh / Mã số thuế', f.owner.kind === 'person' ? maskIdNumber(f.owner.idNumber) : f.owner.idNumber);
  paper.row('Nơi cư trú', `${f.owner.address}, ${f.owner.province}`);
  paper.gap(4);
  paper.section('Phương tiện và hành vi vi phạm');
  const kind = (f.vehicle.type ? t.vehicleTypes[f.vehicle.type] : undefined) ?? t.vehicleTypes[f.vehicle.category] ?? 'Xe mô tô, xe gắn máy';
  paper.row('Phương tiện', `${kind}, biển số ${f.vehicle.plate} (${t.plateColours[f.vehicle.plateColour] ?? t.plateColours.unknown ?? ''})`, true);
  paper.row('Thời gian', formatLocalDateTime(f.violation.occurredAt));
  paper.row('Địa điểm', f.violation.place);
  paper.row('Hành vi', f.violation.description, true);
  paper.row('Quy định tại', f.violation.legalClause);
  paper.row('Khung tiền phạt', `${formatVnd(f.violation.fineMin)} – ${formatVnd(f.violation.fineMax)}`);
  paper.gap(4);
  paper.section('Đề nghị');
  paper.paragraph(`Đề nghị ${f.communePolice?.name ?? 'Công an xã, phường, đặc khu nơi chủ phương tiện cư trú'} thông báo cho chủ phương tiện nêu trên `
    + `đến ${unit.name} (${contact}) hoặc đến trụ sở Công an xã, phường nơi cư trú để giải quyết vụ việc theo quy định, `
    + 'đồng thời xác định người điều khiển phương tiện nếu chủ phương tiện không phải là người điều khiển.');
  paper.paragraph('Vụ việc được theo dõi cho đến khi giải quyết xong. Chủ phương tiện có thể tra cứu tình trạng xử lý trên trang tra cứu công khai '
    + 'hoặc giải quyết trực tuyến qua Cổng dịch vụ công.');
  paper.signature(['THỦ TRƯỞNG ĐƠN VỊ', '(Ký, ghi rõ họ tên, đóng dấu)']);
  return paper.end();
}

export interface Form04Deps {
  pool: Pool;
  storage: BlobStore;
  configuredUnit: ConfiguredUnit;
}

/**
 * The form-04 PDF of a notice (by the notice's number), rendered and stored on first request and its
 * sha256 recorded (audited); a stored PDF is returned as it is. A notice escalated to the commune police
 * before form-04 notices were issued gets its number now.
 */
export async function renderForm04(deps: Form04Deps, noticeNumber: string): Promise<{ sha256: string; pdf: Buffer; formNumber: string }> {
  let view = await findForm04(deps.pool, noticeNumber);
  if (!view) {
    await withTransaction(deps.pool, async (tx) => {
      const { rows } = await tx.query<{ id: number; status: string }>('SELECT id, status FROM notices WHERE notice_number = $1', [noticeNumber]);
      const n = rows[0];
      if (!n) throw new Form04Error(404, 'notice_not_found', `Không có thông báo số ${noticeNumber}.`);
      // only a case still escalated gets a new form 04: a resolved one needs no further notice
      if (n.status === 'escalated') await issueForm04(tx, n.id, new Date());
    });
    view = await findForm04(deps.pool, noticeNumber);
    if (!view) {
      throw new Form04Error(404, 'form04_not_found',
        `Thông báo số ${noticeNumber} không có thông báo mẫu số 04: chỉ vụ việc mô tô, xe gắn máy quá 20 ngày chưa giải quyết mới được chuyển Công an xã, phường.`);
    }
  }
  if (view.pdfSha256) {
    const stored = await deps.storage.get(view.pdfSha256);
    if (stored) return { sha256: view.pdfSha256, pdf: stored, formNumber: view.formNumber };
  }
  const pdf = await buildForm04Pdf(view, deps.configuredUnit);
  const sha256 = await deps.storage.put(pdf);
  const id = view.id;
  const previous = view.pdfSha256;
  const formNumber = view.formNumber;
  await withTransaction(deps.pool, async (tx) => {
    await tx.query('UPDATE form04_notices SET pdf_sha256 = $2, pdf_rendered_at = now() WHERE id = $1', [id, sha256]);
    await appendAudit(tx, { actorId: null, actor: 'paper-renderer', action: 'commune_notice.rendered', entityType: 'form04_notice', entityId: id,
      details: { formNumber, noticeNumber, sha256, bytes: pdf.length, previousSha256: previous } });
  });
  return { sha256, pdf, formNumber };
}

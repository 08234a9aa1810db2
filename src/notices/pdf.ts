import type { NoticeDocument } from './document.js';
import { formatLocalDate, formatLocalDateTime, formatVnd, maskIdNumber } from './format.js';
import { Paper } from './pdf-layout.js';
import { pngForPdf } from './pdf-png.js';
import { fillTemplate, type NoticeTemplate } from './template.js';

export interface NoticeImages {
  /** the first evidence photo, already scaled (JPEG or PNG) */
  photo: Buffer;
  /** the plate region of that photo (PNG), when the photo has a plate read */
  plateCrop: Buffer | null;
  /** QR code PNG linking to the public lookup */
  qr: Buffer;
  /** the photo's further frames of the same event (before, at, after the stop line), scaled, in order */
  frames: Buffer[];
}

export interface NoticePrintSettings {
  /** the handling unit named on the notice */
  detectingUnit: string;
  /** the line above it, e.g. "CÔNG AN TỈNH BẮC NINH"; empty when unknown */
  parentUnit: string;
  unitAddress: string;
  contactPhone: string;
  lookupUrl: string;
}

/**
 * Lays out form 01 ("THÔNG BÁO vi phạm hành chính ... phát hiện qua hệ thống giám sát") on one A4 page.
 * Same inputs give the same bytes: the creation date is the issue time, and pdfkit derives the
 * file id and font subset names from content, so the stored sha256 can be re-verified by re-rendering.
 */
export function buildNoticePdf(doc: NoticeDocument, images: NoticeImages, settings: NoticePrintSettings, t: NoticeTemplate): Promise<Buffer> {
  const vars: Record<string, string> = {
    unit: settings.detectingUnit,
    parentUnit: settings.parentUnit,
    unitAddress: settings.unitAddress ? ` (${settings.unitAddress})` : '',
    phone: settings.contactPhone ? `, điện thoại ${settings.contactPhone},` : '',
    noticeNumber: doc.noticeNumber,
    issuedDate: formatLocalDate(doc.issuedAt),
    dueDate: formatLocalDate(doc.dueAt),
    ownerName: doc.owner?.fullName ?? '',
    lookupUrl: settings.lookupUrl,
    points: String(doc.points),
  };
  const fill = (text: string) => fillTemplate(text, vars);

  const paper = new Paper({ title: `${t.title} ${doc.noticeNumber}`, author: settings.detectingUnit, subject: t.subtitle, createdAt: doc.issuedAt });
  const { pdf, left } = paper;
  paper.header(t.headerLeft.map(fill), fill(t.numberLine), t.headerRight.map(fill), fill(t.placeDateLine));
  paper.title(t.title, t.subtitle, t.form);
  paper.paragraph(fill(t.legalBasis));
  paper.paragraph(fill(t.addressee), { bold: true, size: 10.5, align: 'left' });

  const owner = doc.owner;
  paper.section(t.sections.owner);
  paper.row(t.labels.ownerName, owner?.fullName ?? '—', true);
  paper.row(t.labels.ownerId, owner ? (owner.nationalId ? maskIdNumber(owner.nationalId) : (owner.taxCode ?? '—')) : '—');
  paper.row(t.labels.ownerAddress, owner ? `${owner.address}, ${owner.province}` : '—');
  paper.gap(4);

  paper.section(t.sections.vehicle);
  paper.row(t.labels.vehicleType, t.vehicleTypes[doc.vehicle?.type ?? doc.vehicleCategory] ?? doc.vehicle?.type ?? doc.vehicleCategory);
  const make = [doc.vehicle?.make, doc.vehicle?.model].filter(Boolean).join(' ');
  if (make) paper.row(t.labels.vehicleMake, make);
  paper.row(t.labels.plate, doc.plateText, true);
  paper.row(t.labels.plateColour, t.plateColours[doc.plateColour] ?? doc.plateColour);
  paper.gap(4);

  paper.section(t.sections.violation);
  paper.row(t.labels.time, formatLocalDateTime(doc.occurredAt));
  paper.row(t.labels.place, `${doc.camera.address}, ${doc.camera.province} (${doc.camera.code})`);
  paper.row(t.labels.violation, doc.description, true);
  paper.row(t.labels.violationCode, doc.violationCode);
  paper.row(t.labels.legalClause, doc.legalClause);
  paper.row(t.labels.fine, formatVnd(doc.amount), true);
  paper.row(t.labels.points, doc.points > 0 ? fill(t.pointsUnit) : t.noPoints);
  paper.gap(4);

  paper.section(t.sections.evidence);
  const imageTop = paper.y + 2;
  const photoBox: [number, number] = [250, 165];
  pdf.image(images.photo, left, imageTop, { fit: photoBox, align: 'center', valign: 'center' });
  pdf.font('regular').fontSize(8).text(t.labels.photo, left, imageTop + photoBox[1] + 2, { width: photoBox[0], align: 'center' });
  const cropLeft = left + photoBox[0] + 12;
  if (images.plateCrop) {
    pdf.image(pngForPdf(pdf, images.plateCrop), cropLeft, imageTop, { fit: [140, 80], align: 'center', valign: 'center' });
    pdf.font('regular').fontSize(8).text(t.labels.plateCrop, cropLeft, imageTop + 82, { width: 140, align: 'center' });
  }
  const qrLeft = left + paper.width - 100;
  pdf.image(pngForPdf(pdf, images.qr), qrLeft, imageTop, { fit: [100, 100] });
  pdf.font('regular').fontSize(8).text(t.labels.qr, qrLeft, imageTop + 102, { width: 100, align: 'center' });
  paper.y = imageTop + photoBox[1] + 16;
  if (images.frames.length > 0) {
    // a strip of the event's other frames under the main photo, as many as fit across the page
    const gap = 6;
    const thumb: [number, number] = [(paper.width - gap * 4) / 5, 70];
    for (const [i, frame] of images.frames.entries()) {
      pdf.image(frame, left + i * (thumb[0] + gap), paper.y, { fit: thumb, align: 'center', valign: 'center' });
    }
    pdf.font('regular').fontSize(8).text(t.labels.frames, left, paper.y + thumb[1] + 2, { width: paper.width, align: 'center' });
    paper.y = pdf.y + 8;
  }

  paper.paragraph(fill(t.request), { gap: 4 });
  paper.paragraph(fill(t.warning), { bold: true, size: 9, gap: 4 });
  paper.paragraph(fill(t.lookupNote), { size: 8, gap: 10, align: 'left' });
  paper.signature(t.signature.map(fill));
  return paper.end();
}

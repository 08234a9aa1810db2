import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { NoticeDocument } from './document.js';
import { formatLocalDate, formatLocalDateTime, formatVnd, maskIdNumber } from './format.js';
import { fillTemplate, type NoticeTemplate } from './template.js';

const require = createRequire(import.meta.url);
// from the npm font package, wherever the package manager put it: Helvetica has no Vietnamese diacritics
const FONT_REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

export interface NoticeImages {
  /** the first evidence photo, already scaled (JPEG or PNG) */
  photo: Buffer;
  /** the plate region of that photo (PNG), when the photo has a plate read */
  plateCrop: Buffer | null;
  /** QR code PNG linking to the public lookup */
  qr: Buffer;
}

export interface NoticePrintSettings {
  detectingUnit: string;
  unitAddress: string;
  contactPhone: string;
  lookupUrl: string;
}

const PAGE = { width: 595.28, height: 841.89, margin: 42 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const LABEL_WIDTH = 180;

/**
 * Lays out form 01 ("THÔNG BÁO vi phạm hành chính ... phát hiện qua hệ thống giám sát") on one A4 page.
 * Same inputs give the same bytes: the creation date is the issue time, and pdfkit derives the
 * file id and font subset names from content, so the stored sha256 can be re-verified by re-rendering.
 */
export function buildNoticePdf(doc: NoticeDocument, images: NoticeImages, settings: NoticePrintSettings, t: NoticeTemplate): Promise<Buffer> {
  const vars: Record<string, string> = {
    unit: settings.detectingUnit,
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

  const pdf = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    autoFirstPage: true,
    info: {
      Title: `${t.title} ${doc.noticeNumber}`,
      Author: settings.detectingUnit,
      Subject: t.subtitle,
      Creator: 'phat-nguoi',
      Producer: 'phat-nguoi',
      CreationDate: doc.issuedAt,
    },
  });
  pdf.registerFont('regular', FONT_REGULAR);
  pdf.registerFont('bold', FONT_BOLD);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  const left = PAGE.margin;
  const half = CONTENT_WIDTH / 2;
  let y = PAGE.margin;

  // header: issuing unit on the left, national motto on the right
  pdf.font('bold').fontSize(9);
  const headerTop = y;
  for (const line of t.headerLeft) {
    pdf.text(fill(line), left, y, { width: half - 10, align: 'center' });
    y = pdf.y;
  }
  pdf.font('regular').fontSize(9).text(fill(t.numberLine), left, y + 2, { width: half - 10, align: 'center' });
  const leftBottom = pdf.y;
  y = headerTop;
  pdf.font('bold').fontSize(9);
  for (const line of t.headerRight) {
    pdf.text(fill(line), left + half, y, { width: half, align: 'center' });
    y = pdf.y;
  }
  pdf.font('regular').fontSize(9).text(fill(t.placeDateLine), left + half, y + 2, { width: half, align: 'center' });
  y = Math.max(leftBottom, pdf.y) + 14;

  pdf.font('bold').fontSize(15).text(t.title, left, y, { width: CONTENT_WIDTH, align: 'center' });
  pdf.font('bold').fontSize(10.5).text(t.subtitle, left + 30, pdf.y + 2, { width: CONTENT_WIDTH - 60, align: 'center' });
  pdf.font('regular').fontSize(8).text(t.form, left, pdf.y + 2, { width: CONTENT_WIDTH, align: 'center' });
  y = pdf.y + 10;
  pdf.font('regular').fontSize(9.5).text(fill(t.legalBasis), left, y, { width: CONTENT_WIDTH, align: 'justify' });
  y = pdf.y + 6;
  pdf.font('bold').fontSize(10.5).text(fill(t.addressee), left, y, { width: CONTENT_WIDTH });
  y = pdf.y + 6;

  const section = (title: string) => {
    pdf.font('bold').fontSize(10).text(title.toUpperCase(), left, y, { width: CONTENT_WIDTH });
    y = pdf.y + 2;
  };
  const row = (label: string, value: string, bold = false) => {
    pdf.font('regular').fontSize(9.5).text(`${label}:`, left + 8, y, { width: LABEL_WIDTH - 8 });
    const labelBottom = pdf.y;
    pdf.font(bold ? 'bold' : 'regular').fontSize(9.5).text(value, left + LABEL_WIDTH, y, { width: CONTENT_WIDTH - LABEL_WIDTH });
    y = Math.max(labelBottom, pdf.y) + 2;
  };

  const owner = doc.owner;
  section(t.sections.owner);
  row(t.labels.ownerName, owner?.fullName ?? '—', true);
  row(t.labels.ownerId, owner ? (owner.nationalId ? maskIdNumber(owner.nationalId) : (owner.taxCode ?? '—')) : '—');
  row(t.labels.ownerAddress, owner ? `${owner.address}, ${owner.province}` : '—');
  y += 4;

  section(t.sections.vehicle);
  row(t.labels.vehicleType, t.vehicleTypes[doc.vehicle?.type ?? doc.vehicleCategory] ?? doc.vehicle?.type ?? doc.vehicleCategory);
  const make = [doc.vehicle?.make, doc.vehicle?.model].filter(Boolean).join(' ');
  if (make) row(t.labels.vehicleMake, make);
  row(t.labels.plate, doc.plateText, true);
  row(t.labels.plateColour, t.plateColours[doc.plateColour] ?? doc.plateColour);
  y += 4;

  section(t.sections.violation);
  row(t.labels.time, formatLocalDateTime(doc.occurredAt));
  row(t.labels.place, `${doc.camera.address}, ${doc.camera.province} (${doc.camera.code})`);
  row(t.labels.violation, doc.description, true);
  row(t.labels.violationCode, doc.violationCode);
  row(t.labels.legalClause, doc.legalClause);
  row(t.labels.fine, formatVnd(doc.amount), true);
  row(t.labels.points, doc.points > 0 ? fill(t.pointsUnit) : t.noPoints);
  y += 4;

  section(t.sections.evidence);
  const imageTop = y + 2;
  const photoBox: [number, number] = [250, 165];
  pdf.image(images.photo, left, imageTop, { fit: photoBox, align: 'center', valign: 'center' });
  pdf.font('regular').fontSize(8).text(t.labels.photo, left, imageTop + photoBox[1] + 2, { width: photoBox[0], align: 'center' });
  const cropLeft = left + photoBox[0] + 12;
  if (images.plateCrop) {
    pdf.image(images.plateCrop, cropLeft, imageTop, { fit: [140, 80], align: 'center', valign: 'center' });
    pdf.font('regular').fontSize(8).text(t.labels.plateCrop, cropLeft, imageTop + 82, { width: 140, align: 'center' });
  }
  const qrLeft = left + CONTENT_WIDTH - 100;
  pdf.image(images.qr, qrLeft, imageTop, { fit: [100, 100] });
  pdf.font('regular').fontSize(8).text(t.labels.qr, qrLeft, imageTop + 102, { width: 100, align: 'center' });
  y = imageTop + photoBox[1] + 16;

  pdf.font('regular').fontSize(9.5).text(fill(t.request), left, y, { width: CONTENT_WIDTH, align: 'justify' });
  y = pdf.y + 4;
  pdf.font('bold').fontSize(9).text(fill(t.warning), left, y, { width: CONTENT_WIDTH, align: 'justify' });
  y = pdf.y + 4;
  pdf.font('regular').fontSize(8).text(fill(t.lookupNote), left, y, { width: CONTENT_WIDTH });
  y = pdf.y + 10;
  pdf.font('bold').fontSize(9.5);
  for (const [i, line] of t.signature.entries()) {
    pdf.font(i === 0 ? 'bold' : 'regular').fontSize(i === 0 ? 9.5 : 8).text(fill(line), left + half, y, { width: half, align: 'center' });
    y = pdf.y;
  }
  pdf.end();
  return done;
}

import PDFDocument from 'pdfkit';
import { fontsForNewPaper, keepWordLayouts } from './paper-fonts.js';

const PAGE = { width: 595.28, height: 841.89, margin: 42 };
const LABEL_WIDTH = 180;

export interface PaperInfo {
  title: string;
  author: string;
  subject: string;
  /** the paper's date: same inputs give the same bytes, so a stored sha256 can be re-verified by re-rendering */
  createdAt: Date;
}

/**
 * One A4 administrative paper in the layout of the Vietnamese forms (notice, violation record, penalty
 * decision): unit and national motto header, centred title, labelled rows in sections, signature block.
 * Each paper module decides what goes on the page; this one only knows how it is laid out.
 */
export class Paper {
  readonly pdf: PDFKit.PDFDocument;
  readonly left = PAGE.margin;
  readonly width = PAGE.width - 2 * PAGE.margin;
  readonly half = (PAGE.width - 2 * PAGE.margin) / 2;
  y = PAGE.margin;
  private readonly done: Promise<Buffer>;

  constructor(info: PaperInfo) {
    this.pdf = new PDFDocument({
      size: 'A4', margin: PAGE.margin, autoFirstPage: true,
      // no default font: pdfkit would open Helvetica for every document, reading and parsing its metrics
      // (~0.4 ms a paper), and papers never print in it
      font: null as unknown as string,
      info: { Title: info.title, Author: info.author, Subject: info.subject, Creator: 'phat-nguoi', Producer: 'phat-nguoi', CreationDate: info.createdAt },
    });
    // the papers' fonts keep the names they had after Helvetica's F1, so a paper's bytes do not change
    (this.pdf as unknown as { _fontCount: number })._fontCount = 1;
    const { regular, bold } = fontsForNewPaper();
    // @types/pdfkit only knows file names and bytes; pdfkit itself also takes a parsed font
    this.pdf.registerFont('regular', regular as unknown as string);
    this.pdf.registerFont('bold', bold as unknown as string);
    keepWordLayouts(this.pdf);
    // text in one normal form (NFC): a letter with its accent is then always the same characters, whether it
    // came from the template or from a registry export, and the shared fonts' shaped words stay exact
    const text = this.pdf.text.bind(this.pdf);
    this.pdf.text = ((value: unknown, ...rest: unknown[]) =>
      (text as (...args: unknown[]) => PDFKit.PDFDocument)(typeof value === 'string' ? value.normalize('NFC') : value, ...rest)) as typeof this.pdf.text;
    const chunks: Buffer[] = [];
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.pdf.on('data', (c: Buffer) => chunks.push(c));
      this.pdf.on('end', () => resolve(Buffer.concat(chunks)));
      this.pdf.on('error', reject);
    });
  }

  /** Issuing unit (parent unit line first) and number on the left, national motto and place/date on the right; empty lines are skipped. */
  header(unitLines: string[], numberLine: string, mottoLines: string[], dateLine: string): void {
    const { pdf, left, half } = this;
    const top = this.y;
    let y = top;
    pdf.font('bold').fontSize(9);
    for (const line of unitLines.filter((l) => l.trim() !== '')) {
      pdf.text(line, left, y, { width: half - 10, align: 'center' });
      y = pdf.y;
    }
    pdf.font('regular').fontSize(9).text(numberLine, left, y + 2, { width: half - 10, align: 'center' });
    const leftBottom = pdf.y;
    y = top;
    pdf.font('bold').fontSize(9);
    for (const line of mottoLines) {
      pdf.text(line, left + half, y, { width: half, align: 'center' });
      y = pdf.y;
    }
    pdf.font('regular').fontSize(9).text(dateLine, left + half, y + 2, { width: half, align: 'center' });
    this.y = Math.max(leftBottom, pdf.y) + 14;
  }

  title(title: string, subtitle: string, form: string): void {
    const { pdf, left, width } = this;
    pdf.font('bold').fontSize(15).text(title, left, this.y, { width, align: 'center' });
    pdf.font('bold').fontSize(10.5).text(subtitle, left + 30, pdf.y + 2, { width: width - 60, align: 'center' });
    if (form) pdf.font('regular').fontSize(8).text(form, left, pdf.y + 2, { width, align: 'center' });
    this.y = pdf.y + 10;
  }

  paragraph(text: string, o: { bold?: boolean; size?: number; gap?: number; align?: 'justify' | 'left' } = {}): void {
    this.pdf.font(o.bold ? 'bold' : 'regular').fontSize(o.size ?? 9.5).text(text, this.left, this.y, { width: this.width, align: o.align ?? 'justify' });
    this.y = this.pdf.y + (o.gap ?? 6);
  }

  section(title: string): void {
    this.pdf.font('bold').fontSize(10).text(title.toUpperCase(), this.left, this.y, { width: this.width });
    this.y = this.pdf.y + 2;
  }

  row(label: string, value: string, bold = false): void {
    const { pdf, left } = this;
    pdf.font('regular').fontSize(9.5).text(`${label}:`, left + 8, this.y, { width: LABEL_WIDTH - 8 });
    const labelBottom = pdf.y;
    pdf.font(bold ? 'bold' : 'regular').fontSize(9.5).text(value, left + LABEL_WIDTH, this.y, { width: this.width - LABEL_WIDTH });
    this.y = Math.max(labelBottom, pdf.y) + 2;
  }

  gap(points: number): void {
    this.y += points;
  }

  /** Signature block on the right half: the first line (the signer's title) bold. */
  signature(lines: string[]): void {
    for (const [i, line] of lines.entries()) {
      this.pdf.font(i === 0 ? 'bold' : 'regular').fontSize(i === 0 ? 9.5 : 8).text(line, this.left + this.half, this.y, { width: this.half, align: 'center' });
      this.y = this.pdf.y;
    }
  }

  end(): Promise<Buffer> {
    this.pdf.end();
    return this.done;
  }
}

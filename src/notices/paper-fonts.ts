import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// from the npm font package, wherever the package manager put it: Helvetica has no Vietnamese diacritics
const FONT_REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

/** The parts of a fontkit font used here; pdfkit accepts such an object in place of a font file. */
interface GlyphRun { positions: object[] }
interface Glyph { id: number; _decode(): unknown; _getMetrics(): unknown }
export interface ParsedFont {
  layout(text: string, ...rest: unknown[]): GlyphRun;
  getGlyph(id: number, ...rest: unknown[]): Glyph;
  /** fontkit's glyph objects, made on first request */
  _glyphs: Record<number, Glyph>;
}

/** Laid-out words kept per font: the template's words and the names, addresses and numbers of a few thousand papers. */
const WORDS_KEPT = 50_000;

let fonts: { regular: ParsedFont; bold: ParsedFont } | undefined;

/**
 * The papers' two fonts for a new paper: parsed once per thread and shared by every paper it lays out.
 * Given a font file, pdfkit parses the 700 kB font for each document, shapes every word afresh and decodes
 * every glyph it embeds afresh: two thirds of a notice's layout time. Shared, the tables are parsed once
 * and a word laid out (keepWordLayouts) and a glyph outline decoded once per thread.
 *
 * fontkit remembers, per glyph object, the characters it was first asked for, and pdfkit writes those into
 * the PDF's text layer: a glyph first made while embedding another paper's accented letter (as a part of
 * it, with no characters) would lose its letter in the next paper's text. So each paper starts with no
 * glyph objects, as with a fresh parse; papers are laid out synchronously, one at a time per thread, so
 * no two papers share them. The bytes are those of a fresh parse (test/notices/render-threads.test.ts).
 * Parsed with the fontkit pdfkit itself loads, so pdfkit recognises the objects.
 */
export function fontsForNewPaper(): { regular: ParsedFont | string; bold: ParsedFont | string } {
  if (freshPerPaper) return { regular: FONT_REGULAR, bold: FONT_BOLD };
  if (!fonts) {
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(data: Uint8Array): ParsedFont };
    fonts = { regular: shared(fontkit.create(readFileSync(FONT_REGULAR))), bold: shared(fontkit.create(readFileSync(FONT_BOLD))) };
  }
  fonts.regular._glyphs = {};
  fonts.bold._glyphs = {};
  for (const font of [fonts.regular, fonts.bold]) {
    const kept = wordLayouts.get(font)!;
    if (kept.shaped > WORDS_KEPT) Object.assign(kept, { words: Object.create(null) as Record<string, unknown>, shaped: 0 });
  }
  return fonts;
}

export function preloadPaperFonts(): void {
  fontsForNewPaper();
}

let freshPerPaper = false;

/**
 * Lays papers out in this thread the way pdfkit does by itself, parsing the font files for each paper: the
 * reference the shared fonts must match byte for byte (tests), and a way out should they ever not.
 */
export function parseFontsPerPaper(on: boolean): void {
  freshPerPaper = on;
}

/**
 * Keeps a font's decoded glyph outlines, and counts the words it shapes (keepWordLayouts keeps them):
 * both depend only on the font and the word or glyph (papers are given text in NFC, so a glyph always
 * stands for the same characters).
 */
function shared(font: ParsedFont): ParsedFont {
  const kept: WordLayouts = { words: Object.create(null) as Record<string, unknown>, shaped: 0 };
  wordLayouts.set(font, kept);
  const shape = font.layout.bind(font);
  font.layout = (text: string, ...rest: unknown[]) => {
    // pdfkit asks with features only when a caller sets them; those are shaped each time and not kept
    if (rest.every((r) => r === undefined)) kept.shaped++;
    return shape(text, ...rest);
  };
  // fontkit decodes a glyph's outline, and reads its metrics and box, again for each new glyph object
  // (each paper, and whenever a subset embeds it); both are only read
  const glyphOf = font.getGlyph.bind(font);
  const outlines = new Map<number, unknown>();
  const metrics = new Map<number, unknown>();
  font.getGlyph = (id: number, ...rest: unknown[]) => {
    const glyph = glyphOf(id, ...rest);
    if (glyph && !Object.hasOwn(glyph, '_decode')) {
      const decode = glyph._decode.bind(glyph);
      glyph._decode = () => {
        if (!outlines.has(glyph.id)) outlines.set(glyph.id, decode());
        return outlines.get(glyph.id);
      };
      const measure = glyph._getMetrics.bind(glyph);
      glyph._getMetrics = () => {
        if (!metrics.has(glyph.id)) metrics.set(glyph.id, measure());
        return metrics.get(glyph.id);
      };
    }
    return glyph;
  };
  return font;
}

/** A shared font's words as pdfkit lays them out for a paper (shaped, then scaled to 1000 units an em), by text. */
interface WordLayouts { words: Record<string, unknown>; shaped: number }
const wordLayouts = new WeakMap<object, WordLayouts>();

/**
 * Lets a paper use the words earlier papers of this thread laid out in the same font. pdfkit keeps each
 * word it lays out (shaped and scaled) for the rest of a document, but starts every document with none:
 * laying out the template's few hundred words again was a fifth of a notice's PDF. A laid-out word is
 * only read once made (the glyphs, their positions and widths), and depends on the font and the word
 * alone, so papers can share them; the bytes are those of a paper that laid them out itself. Call it
 * on a new document, before its first text.
 */
export function keepWordLayouts(pdf: PDFKit.PDFDocument): void {
  if (freshPerPaper) return;
  const select = pdf.font.bind(pdf) as (...args: unknown[]) => PDFKit.PDFDocument;
  const current = pdf as unknown as { _font?: { font?: object; layoutCache?: Record<string, unknown> } };
  pdf.font = ((...args: unknown[]) => {
    select(...args);
    const font = current._font;
    const kept = font?.font && wordLayouts.get(font.font);
    if (kept && font.layoutCache && font.layoutCache !== kept.words) font.layoutCache = kept.words;
    return pdf;
  }) as typeof pdf.font;
}

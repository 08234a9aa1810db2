import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// from the npm font package, wherever the package manager put it: Helvetica has no Vietnamese diacritics
const FONT_REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

/** The parts of a fontkit font used here; pdfkit accepts such an object in place of a font file. */
interface GlyphRun { positions: object[] }
interface Glyph { id: number; _decode(): unknown }
export interface ParsedFont {
  layout(text: string, ...rest: unknown[]): GlyphRun;
  getGlyph(id: number, ...rest: unknown[]): Glyph;
  /** fontkit's glyph objects, made on first request */
  _glyphs: Record<number, Glyph>;
}

/** Words whose shaping is kept: the template's words and the names, addresses and numbers of a few thousand papers. */
const SHAPED_WORDS_KEPT = 50_000;

let fonts: { regular: ParsedFont; bold: ParsedFont } | undefined;

/**
 * The papers' two fonts for a new paper: parsed once per thread and shared by every paper it lays out.
 * Given a font file, pdfkit parses the 700 kB font for each document, shapes every word afresh and decodes
 * every glyph it embeds afresh: two thirds of a notice's layout time. Shared, the tables are parsed once
 * and a word shaped and a glyph outline decoded once per thread.
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
 * Keeps a font's shaped words and decoded glyph outlines: both depend only on the font and the word or
 * glyph (papers are given text in NFC, so a glyph always stands for the same characters).
 */
function shared(font: ParsedFont): ParsedFont {
  {
    const shape = font.layout.bind(font);
    const shaped = new Map<string, { run: GlyphRun; positions: object[] }>();
    font.layout = (text: string, ...rest: unknown[]) => {
      // pdfkit asks with features only when a caller sets them; those are shaped each time
      if (rest.some((r) => r !== undefined)) return shape(text, ...rest);
      let hit = shaped.get(text);
      if (!hit) {
        const run = shape(text);
        hit = { run, positions: run.positions.map((p) => ({ ...p })) };
        if (shaped.size < SHAPED_WORDS_KEPT) shaped.set(text, hit);
      }
      // pdfkit scales a run's positions in place: each call gets its own copy (the glyphs are only read)
      const copy = Object.assign(Object.create(Object.getPrototypeOf(hit.run) as object) as GlyphRun, hit.run);
      copy.positions = hit.positions.map((p) => ({ ...p }));
      return copy;
    };
  }
  // fontkit decodes a glyph's outline again whenever a subset embeds it; the outline is only read
  const glyphOf = font.getGlyph.bind(font);
  const outlines = new Map<number, unknown>();
  font.getGlyph = (id: number, ...rest: unknown[]) => {
    const glyph = glyphOf(id, ...rest);
    if (glyph && !Object.hasOwn(glyph, '_decode')) {
      const decode = glyph._decode.bind(glyph);
      glyph._decode = () => {
        if (!outlines.has(glyph.id)) outlines.set(glyph.id, decode());
        return outlines.get(glyph.id);
      };
    }
    return glyph;
  };
  return font;
}

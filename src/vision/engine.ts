import { performance } from 'node:perf_hooks';
import { decodeImage, type RgbImage, type Roi } from './image.js';
import { detectText, detectionPasses } from './detector.js';
import { plateCandidates, topLineAbove, type PlateCandidate } from './candidates.js';
import { readLines, VN_STRETCH, type LineRead } from './recogniser.js';
import { onnxSession } from './models.js';
import { TesseractReader } from './tesseract-reader.js';
import { fuseLine } from './fusion.js';
import { normaliseProbs, plateKey, withConfusionPrior, type Layout, type Profile } from './plate-grammar.js';
import { plateColour, type PlateColour } from './colour.js';
import { clampBox, type Box } from './pixels.js';
import type { Quad } from './min-area-rect.js';

export { ImageError, ModelError } from './errors.js';
export type { ImageErrorCode, ModelErrorCode } from './errors.js';
export { normalisePlate, plateKey, isProvinceCode, type NormalisedPlate, type Profile, type Layout } from './plate-grammar.js';
export type { PlateColour } from './colour.js';
export type { Roi } from './image.js';
export type { Quad } from './min-area-rect.js';

export interface PlateRead {
  /** Canonical text (`30A-123.45`, `29-B1 123.45`); upper-case key for the generic profile. */
  text: string;
  /** Text as the reader saw it, lines joined by a space. */
  raw: string;
  confidence: number;
  charConfidences: number[];
  bbox: Box;
  /** Rotated rectangle around the characters, clockwise from top-left, when the detector outlined them. */
  corners?: Quad;
  layout: Layout;
  colour: PlateColour;
  lowConfidence: boolean;
  valid: boolean;
  provinceCode?: string;
}

export interface RecogniseOptions {
  profile: Profile;
  roi?: Roi;
  /** Plates below this confidence are not returned (default 0.3). */
  minConfidence?: number;
  /** Plates below this confidence are flagged for human review (default 0.85). */
  lowConfidence?: number;
}

export interface RecogniseResult {
  width: number;
  height: number;
  plates: PlateRead[];
  ms: number;
}

export interface PlateEngine {
  recognise(image: Buffer, opts: RecogniseOptions): Promise<RecogniseResult>;
  close(): Promise<void>;
}

interface Scored {
  read: PlateRead;
  rank: number;
  candidate: PlateCandidate;
  lines: LineRead[];
}

/** Overlap as a share of the smaller box: a plate nested in a larger duplicate counts as the same plate. */
function overlap(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  return inter / Math.min(a.width * a.height, b.width * b.height);
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** Whole pixels: sub-pixel box edges are noise from the detector's scale. */
function roundBox(b: Box): Box {
  const x = Math.max(0, Math.round(b.x));
  const y = Math.max(0, Math.round(b.y));
  return { x, y, width: Math.round(b.x + b.width) - x, height: Math.round(b.y + b.height) - y };
}

function evaluate(
  c: PlateCandidate,
  reads: LineRead[],
  profile: Profile,
  offset: { x: number; y: number },
): Scored | undefined {
  const lines = reads.filter((r) => r.chars.length > 0);
  if (lines.length !== c.lines.length) return undefined;
  const raw = reads.map((l) => l.text).join(' ');
  const layout: Layout = lines.length === 2 ? 'two-line' : 'one-line';
  const probs = lines.map((l) => l.chars.map((ch) => (profile === 'vn' ? withConfusionPrior(ch.char, ch.probs) : ch.probs)));
  const n = normaliseProbs(probs, profile, layout);
  // Shorter text is signage or a fragment, never a plate worth reviewing.
  if (n.key.length < 4) return undefined;
  const confidence = n.charConfidences.reduce((s, v) => s + v, 0) / Math.max(1, n.charConfidences.length);
  const bbox = roundBox({ x: c.bbox.x + offset.x, y: c.bbox.y + offset.y, width: c.bbox.width, height: c.bbox.height });
  const read: PlateRead = {
    text: n.canonical,
    raw,
    confidence: round4(confidence),
    charConfidences: n.charConfidences.map(round4),
    bbox,
    ...(c.quad ? { corners: c.quad.map(([x, y]) => [Math.round(x + offset.x), Math.round(y + offset.y)]) as Quad } : {}),
    layout,
    colour: 'unknown',
    lowConfidence: false,
    valid: n.valid,
    ...(n.provinceCode ? { provinceCode: n.provinceCode } : {}),
  };
  const rank = confidence * (n.valid ? 1 : 0.4) * Math.min(1, c.detScore + 0.3) * Math.min(1, n.key.length / 6);
  return { read, rank, candidate: c, lines };
}

const ACCEPT = 0.9;
const ACCEPT_TEXT_PX = 18;
/**
 * Tesseract costs 10-100 ms a line, so only the leading low-confidence plates
 * get a second opinion, and only under the VN profile, where the grammar can
 * arbitrate its votes: on the Brazilian scenes it turned O into 0 and cost a
 * point, on the VN crops it gained one.
 */
const SECOND_OPINIONS = 2;
const SECOND_OPINION_BELOW = 0.8;

function needsSecondOpinion(r: PlateRead): boolean {
  return Math.min(...r.charConfidences) < SECOND_OPINION_BELOW;
}

async function secondOpinion(
  tesseract: TesseractReader,
  img: RgbImage,
  s: Scored,
  profile: Profile,
  offset: { x: number; y: number },
): Promise<Scored | undefined> {
  const colour = plateColour(img, s.candidate.bbox);
  const invert = colour === 'blue' || colour === 'red';
  const fused: LineRead[] = [];
  for (const [i, box] of s.candidate.lines.entries()) {
    const line = s.lines[i]!;
    const chars = fuseLine(line.chars, await tesseract.readLine(img, padLine(box), invert));
    fused.push({ text: line.text, chars });
  }
  return evaluate(s.candidate, fused, profile, offset);
}

/**
 * A lone line of 4-5 digits is the bottom of a square plate whose top line
 * the detector missed: read the band above it and keep the pair only if it
 * fits the grammar.
 */
async function completeSquarePlates(img: RgbImage, scored: readonly Scored[], stretch: number, offset: { x: number; y: number }): Promise<Scored[]> {
  const bottoms = scored.filter((s) => s.candidate.lines.length === 1 && /^\d{4,5}$/.test(plateKey(s.read.raw))).slice(0, 2);
  const tops = bottoms.map((s) => clampBox(topLineAbove(s.candidate.lines[0]!), img.width, img.height));
  const reads = await readLines(img, tops.map(padLine), stretch);
  const out: Scored[] = [];
  bottoms.forEach((s, i) => {
    const top = tops[i]!;
    const bottom = s.candidate.lines[0]!;
    if (top.height < bottom.height * 0.6) return;
    const x = Math.min(top.x, bottom.x);
    const candidate: PlateCandidate = {
      lines: [top, bottom],
      bbox: { x, y: top.y, width: Math.max(top.x + top.width, bottom.x + bottom.width) - x, height: bottom.y + bottom.height - top.y },
      detScore: s.candidate.detScore * 0.8,
    };
    const e = evaluate(candidate, [reads[i]!, s.lines[0]!], 'vn', offset);
    if (e?.read.valid) out.push(e);
  });
  return out;
}

const LINE_PAD_Y = 0.08;
/**
 * Generous side margins: coarse detector boxes can clip the first or last
 * character, and the recogniser ignores plate borders well (0.3 beat 0.04,
 * 0.12 and 0.45 on the VN crops).
 */
const LINE_PAD_X = 0.3;

function padLine(b: Box): Box {
  return { x: b.x - b.height * LINE_PAD_X, y: b.y - b.height * LINE_PAD_Y, width: b.width + 2 * b.height * LINE_PAD_X, height: b.height * (1 + 2 * LINE_PAD_Y) };
}

/**
 * One engine per process: models are loaded once and shared, and
 * recognise() keeps no per-call state outside its own frame, so concurrent
 * calls are safe.
 */
export async function createPlateEngine(engineOpts: { tesseract?: boolean } = {}): Promise<PlateEngine> {
  await Promise.all([onnxSession('det'), onnxSession('rec')]);
  const tesseract = engineOpts.tesseract === false ? undefined : await TesseractReader.create();
  return {
    async recognise(image, opts) {
      const t0 = performance.now();
      const decoded = await decodeImage(image, opts.roi);
      const img = decoded.image;
      const scored: Scored[] = [];
      const stretch = opts.profile === 'vn' ? VN_STRETCH : 1;
      for (const side of detectionPasses(img.width, img.height)) {
        const candidates = plateCandidates(await detectText(img, side)).map((c) => ({ ...c, bbox: clampBox(c.bbox, img.width, img.height) }));
        const unique = [...new Set(candidates.flatMap((c) => c.lines))];
        const reads = await readLines(img, unique.map(padLine), stretch);
        const byBox = new Map(unique.map((b, i) => [b, reads[i]!]));
        for (const c of candidates) {
          const s = evaluate(c, c.lines.map((l) => byBox.get(l)!), opts.profile, decoded.offset);
          if (s) scored.push(s);
        }
        // A confident grammatical read of well-resolved text ends the search
        // before the costly fine pass; small text at the coarse scale gets
        // loose boxes that clip edge characters, so it is looked at again.
        const scale = side / Math.max(img.width, img.height);
        if (scored.some((s) => s.read.valid && s.read.confidence >= ACCEPT && Math.min(...s.candidate.lines.map((l) => l.height)) * scale >= ACCEPT_TEXT_PX)) break;
      }
      if (opts.profile === 'vn' && !scored.some((s) => s.read.valid)) {
        scored.push(...(await completeSquarePlates(img, scored, stretch, decoded.offset)));
      }
      scored.sort((a, b) => b.rank - a.rank);
      const minConfidence = opts.minConfidence ?? 0.3;
      const low = opts.lowConfidence ?? 0.85;
      const kept: PlateRead[] = [];
      for (let s of scored) {
        if (kept.some((k) => overlap(k.bbox, s.read.bbox) > 0.5)) continue;
        if (tesseract && opts.profile === 'vn' && kept.length < SECOND_OPINIONS && needsSecondOpinion(s.read)) {
          // The second reader is an optional improvement: its failure must not fail the read.
          s = (await secondOpinion(tesseract, img, s, opts.profile, decoded.offset).catch(() => undefined)) ?? s;
        }
        if (s.read.confidence < minConfidence) continue;
        s.read.colour = plateColour(img, { ...s.read.bbox, x: s.read.bbox.x - decoded.offset.x, y: s.read.bbox.y - decoded.offset.y });
        s.read.lowConfidence = !s.read.valid || s.read.confidence < low || Math.min(...s.read.charConfidences) < 0.5;
        kept.push(s.read);
      }
      return { width: decoded.width, height: decoded.height, plates: kept, ms: performance.now() - t0 };
    },
    async close() {
      await tesseract?.close();
    },
  };
}

import { performance } from 'node:perf_hooks';
import { decodeImage, type RgbImage, type Roi } from './image.js';
import { detectText, detectionPasses } from './detector.js';
import { plateCandidates, topLineAbove, type PlateCandidate } from './candidates.js';
import { readLines, VN_STRETCH, type LineRead } from './recogniser.js';
import { onnxSession } from './models.js';
import { TesseractReader } from './tesseract-reader.js';
import { fuseLine } from './fusion.js';
import { normaliseProbs, plateKey, withConfusionPrior, type CharProbs, type Layout, type NormalisedPlate, type Profile } from './plate-grammar.js';
import { readPlateCrops, type PlateCropRead } from './plate-reader.js';
import { readVnPlates, type VnPlateCrop } from './vn-plate-reader.js';
import { detectPlates, plateLookRegion } from './plate-detector.js';
import { closeView, pointToFrame, toFrame, wholeFrame, type View } from './views.js';
import type { TextRegion } from './db-postprocess.js';
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
  /** How many independent readings (two readers, over one or more looks) gave exactly this text. */
  readers: number;
  provinceCode?: string;
}

export interface RecogniseOptions {
  profile: Profile;
  roi?: Roi;
  /** Plates below this confidence are not returned (default 0.3). */
  minConfidence?: number;
  /** Plates below this confidence are flagged for human review (default 0.85). */
  lowConfidence?: number;
  /**
   * Rectangles in fractions (0..1) of the whole image where the camera burns
   * in text (timestamp, location caption, logo): nothing read there is a plate.
   */
  overlayMasks?: readonly Roi[];
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
  view: View;
  /** Independent readings (line reader, plate reader) that gave exactly this text. */
  votes: number;
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

const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);

/** Shorter text is signage or a fragment, never a plate worth reviewing. */
const MIN_KEY = 4;

/**
 * The better of several readings of one candidate: a grammatical reading
 * beats an ungrammatical one, then the more confident wins. Readers that saw
 * the same number of characters also give their averaged probabilities as a
 * reading of its own, which settles a glyph one of them doubts.
 */
function combine(
  linesProbs: CharProbs[][] | undefined,
  crops: readonly (PlateCropRead | undefined)[],
  profile: Profile,
  layout: Layout,
): { n: NormalisedPlate; votes: number } | undefined {
  const prior = (ch: string, p: CharProbs) => (profile === 'vn' ? withConfusionPrior(ch, p) : p);
  const a = linesProbs ? normaliseProbs(linesProbs, profile, layout) : undefined;
  const cropProbs = crops.map((crop) => (crop && crop.probs.length >= MIN_KEY ? crop.probs.map((p, i) => prior(crop.text[i]!, p)) : undefined));
  const singles = cropProbs.map((p) => (p ? normaliseProbs([p], profile, layout) : undefined));
  // Every pair (and the trio) of readers of one length, averaged; the line reader's line split is kept when it takes part.
  const sources: { probs: CharProbs[]; lines?: CharProbs[][] }[] = [
    ...(linesProbs ? [{ probs: linesProbs.flat(), lines: linesProbs }] : []),
    ...cropProbs.filter((p): p is CharProbs[] => p !== undefined).map((probs) => ({ probs })),
  ];
  const averaged: NormalisedPlate[] = [];
  for (let mask = 3; mask < 1 << sources.length; mask++) {
    const group = sources.filter((_, i) => mask & (1 << i));
    if (group.length < 2 || group.some((g) => g.probs.length !== group[0]!.probs.length)) continue;
    const avg = group[0]!.probs.map((_, k) => group[0]!.probs[k]!.map((_, j) => group.reduce((sum, g) => sum + g.probs[k]![j]!, 0) / group.length));
    const split = group.find((g) => g.lines)?.lines;
    let k = 0;
    averaged.push(normaliseProbs(split ? split.map((line) => line.map(() => avg[k++]!)) : [avg], profile, layout));
  }
  const options = [...averaged, a, ...singles].filter((n): n is NormalisedPlate => n !== undefined && n.key.length >= MIN_KEY);
  if (options.length === 0) return undefined;
  const readers = [a, ...singles];
  const votesFor = (n: NormalisedPlate) => readers.filter((r) => r?.valid && r.key === n.key).length;
  // Two readers agreeing outweigh one reader's confidence: each reader is sure of its own mistakes.
  const agreed = (n: NormalisedPlate) => Number(n.valid && votesFor(n) >= 2);
  options.sort((x, y) => Number(y.valid) - Number(x.valid) || agreed(y) - agreed(x) || mean(y.charConfidences) - mean(x.charConfidences));
  const best = options[0]!;
  return { n: best, votes: votesFor(best) };
}

function evaluate(
  c: PlateCandidate,
  reads: LineRead[],
  crops: readonly (PlateCropRead | undefined)[],
  profile: Profile,
  view: View,
  offset: { x: number; y: number },
): Scored | undefined {
  const lines = reads.filter((r) => r.chars.length > 0);
  const linesOk = lines.length === c.lines.length;
  const layout: Layout = c.lines.length === 2 ? 'two-line' : 'one-line';
  const linesProbs = linesOk ? lines.map((l) => l.chars.map((ch) => (profile === 'vn' ? withConfusionPrior(ch.char, ch.probs) : ch.probs))) : undefined;
  const combined = combine(linesProbs, crops, profile, layout);
  if (!combined) return undefined;
  const { n, votes } = combined;
  // Words (captions, watermarks, shop signs) are never plates: every plate format has at least four digits.
  // The line reader reads literally, where the plate reader can hallucinate digits into a word, so its count rules.
  const digits = (t: string) => t.match(/\d/g)?.length ?? 0;
  if (profile === 'vn' && (digits(linesOk ? plateKey(reads.map((l) => l.text).join('')) : n.key) < 3)) return undefined;
  const raw = linesOk ? reads.map((l) => l.text).join(' ') : (crops.find((c) => c)?.text ?? '');
  const confidence = mean(n.charConfidences);
  const box = toFrame(view, c.bbox);
  const bbox = roundBox({ x: box.x + offset.x, y: box.y + offset.y, width: box.width, height: box.height });
  const corners = c.quad?.map(([x, y]) => pointToFrame(view, x, y)).map(([x, y]) => [Math.round(x + offset.x), Math.round(y + offset.y)]) as Quad | undefined;
  const read: PlateRead = {
    text: n.canonical,
    raw,
    confidence: round4(confidence),
    charConfidences: n.charConfidences.map(round4),
    bbox,
    ...(corners ? { corners } : {}),
    layout,
    colour: 'unknown',
    lowConfidence: false,
    valid: n.valid,
    readers: votes,
    ...(n.provinceCode ? { provinceCode: n.provinceCode } : {}),
  };
  const rank = confidence * (n.valid ? 1 : 0.4) * (votes >= 2 ? 1 : 0.85) * Math.min(1, c.detScore + 0.3) * Math.min(1, n.key.length / 6);
  return { read, rank, candidate: c, lines: reads, view, votes };
}

/**
 * Candidates read by both readers, in one batch each. The plate reader
 * always gets the frame's own pixels: it resizes a crop to 128x64 itself,
 * and a crop enlarged first reads worse (0.30 against 0.34 on the camera
 * crops).
 */
async function readCandidates(frame: RgbImage, view: View, candidates: readonly PlateCandidate[], profile: Profile, stretch: number, offset: { x: number; y: number }): Promise<Scored[]> {
  const unique = [...new Set(candidates.flatMap((c) => c.lines))];
  // A levelled view of a tilted plate is worth its resampling; otherwise the frame's own pixels read better.
  const [img, plates] = view.turn ? [view.img, candidates.map(plateAround)] : [frame, candidates.map((c) => toFrame(view, plateAround(c)))];
  const [reads, wholes] = await Promise.all([
    readLines(view.img, unique.map(padLine), stretch),
    readWholePlates(img, plates.map((box, i) => ({ box, lines: linesOf(candidates[i]!) })), profile),
  ]);
  const byBox = new Map(unique.map((b, i) => [b, reads[i]!]));
  const out: Scored[] = [];
  candidates.forEach((c, i) => {
    const s = evaluate(c, c.lines.map((l) => byBox.get(l)!), wholes[i]!, profile, view, offset);
    if (s) out.push(s);
  });
  return out;
}

/**
 * Each plate read whole by the plate readers: fast-plate-ocr's, and under
 * the VN profile the Vietnamese reader, which needs the plate's layout.
 */
async function readWholePlates(img: RgbImage, plates: readonly VnPlateCrop[], profile: Profile): Promise<(PlateCropRead | undefined)[][]> {
  const [global, vn] = await Promise.all([
    readPlateCrops(img, plates.map((p) => p.box)),
    profile === 'vn' ? readVnPlates(img, plates) : [],
  ]);
  return global.map((g, i) => [g, vn[i]]);
}

/** A candidate's layout as the VN reader takes it: a square plate is unrolled into one line. */
function linesOf(c: PlateCandidate): 1 | 2 {
  return c.lines.length === 2 ? 2 : 1;
}

/** The plate around its text: the plate reader was trained on plates with their border. */
function plateAround(c: PlateCandidate): Box {
  if (c.plate) return c.plate;
  const lineH = Math.min(...c.lines.map((l) => l.height));
  const mx = 0.06 * c.bbox.width + 0.25 * lineH;
  const my = 0.25 * lineH;
  return { x: c.bbox.x - mx, y: c.bbox.y - my, width: c.bbox.width + 2 * mx, height: c.bbox.height + 2 * my };
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
  return r.readers < 2 && Math.min(...r.charConfidences) < SECOND_OPINION_BELOW;
}

async function secondOpinion(tesseract: TesseractReader, s: Scored, profile: Profile, offset: { x: number; y: number }): Promise<Scored | undefined> {
  const img = s.view.img;
  const colour = plateColour(img, s.candidate.bbox);
  const invert = colour === 'blue' || colour === 'red';
  const fused: LineRead[] = [];
  for (const [i, box] of s.candidate.lines.entries()) {
    const line = s.lines[i]!;
    const chars = fuseLine(line.chars, await tesseract.readLine(img, padLine(box), invert));
    fused.push({ text: line.text, chars });
  }
  const again = evaluate(s.candidate, fused, [], profile, s.view, offset);
  // The fused line reading replaces the line reader's; the plate reader's vote stands if it agrees.
  if (again && s.votes >= 1 && again.read.text === s.read.text) again.read.readers = s.read.readers;
  return again;
}

/**
 * A lone line of 4-5 digits is the bottom of a square plate whose top line
 * the detector missed: read the band above it and keep the pair only if it
 * fits the grammar.
 */
async function completeSquarePlates(frame: RgbImage, scored: readonly Scored[], stretch: number, offset: { x: number; y: number }): Promise<Scored[]> {
  const bottoms = scored.filter((s) => s.candidate.lines.length === 1 && /^\d{4,5}$/.test(plateKey(s.lines[0]?.text ?? ''))).slice(0, 2);
  const out: Scored[] = [];
  for (const s of bottoms) {
    const img = s.view.img;
    const bottom = s.candidate.lines[0]!;
    const top = clampBox(topLineAbove(bottom), img.width, img.height);
    if (top.height < bottom.height * 0.6) continue;
    const [read] = await readLines(img, [padLine(top)], stretch);
    const x = Math.min(top.x, bottom.x);
    const candidate: PlateCandidate = {
      lines: [top, bottom],
      bbox: { x, y: top.y, width: Math.max(top.x + top.width, bottom.x + bottom.width) - x, height: bottom.y + bottom.height - top.y },
      detScore: s.candidate.detScore * 0.8,
    };
    const [wholes] = await readWholePlates(frame, [{ box: toFrame(s.view, plateAround(candidate)), lines: 2 }], 'vn');
    const e = evaluate(candidate, [read!, s.lines[0]!], wholes!, 'vn', s.view, offset);
    if (e?.read.valid) out.push(e);
  }
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

/** Frames up to this long side are taken for a plate crop, as roadside cameras cut them. */
const CROP_FRAME_PX = 96;
/** Enlarged crops get a long side of this many pixels. */
const CROP_VIEW_PX = 256;

/**
 * A frame that is itself a plate crop: enlarged, and read whole as well as
 * line by line (square crops as two lines, top and bottom half), because
 * the detector often cannot separate 10 px lines.
 */
async function cropFrame(frame: RgbImage): Promise<{ view: View; candidate: PlateCandidate }> {
  const scale = Math.min(8, CROP_VIEW_PX / Math.max(frame.width, frame.height));
  const view = await closeView(frame, { x: 0, y: 0, width: frame.width, height: frame.height }, scale);
  const { width: w, height: h } = view.img;
  const whole: Box = { x: 0, y: 0, width: w, height: h };
  const lines: Box[] = w / h < 2.5 ? [{ x: 0, y: 0, width: w, height: h / 2 }, { x: 0, y: h / 2, width: w, height: h / 2 }] : [whole];
  // Inset so plateAround() lands on the frame edge rather than past it.
  const inset = lines.map((l) => ({ x: l.x + 0.04 * w, y: l.y + 0.06 * l.height, width: l.width - 0.08 * w, height: l.height * 0.88 }));
  return { view, candidate: { lines: inset, plate: whole, bbox: { x: inset[0]!.x, y: inset[0]!.y, width: inset[0]!.width, height: h * 0.94 - inset[0]!.y }, detScore: 1 } };
}

/** Candidates given a second, closer look: the leading unsettled ones. */
const CLOSE_LOOKS = 3;
/** A close look enlarges the text to about this line height. */
const CLOSE_LINE_PX = 36;

/** A plate is settled when both readers agree on grammatical text of a comfortable size. */
function settled(s: Scored): boolean {
  const lineH = Math.min(...s.candidate.lines.map((l) => l.height)) / s.view.scale;
  return s.read.valid && s.votes >= 2 && s.read.confidence >= ACCEPT && lineH >= ACCEPT_TEXT_PX;
}

/** A close view detected at about its own size (320-640 px) and its candidates read from scratch. */
async function readCloseView(frame: RgbImage, view: View, profile: Profile, stretch: number, offset: { x: number; y: number }): Promise<Scored[]> {
  const side = Math.min(640, Math.max(320, Math.ceil(Math.max(view.img.width, view.img.height) / 32) * 32));
  return readCandidates(frame, view, await viewCandidates(view, side, 8), profile, stretch, offset);
}

/** Plate candidates of a view, boxes clamped to it. */
async function viewCandidates(view: View, side: number, limit?: number, regions?: TextRegion[]): Promise<PlateCandidate[]> {
  return plateCandidates(regions ?? (await detectText(view.img, side)), limit).map((c) => ({ ...c, bbox: clampBox(c.bbox, view.img.width, view.img.height) }));
}

/**
 * The second look at a candidate: the region around it (with room for a
 * missed second line or clipped characters), enlarged so its text is about
 * CLOSE_LINE_PX high, is detected and read again from scratch.
 */
async function closeLook(frame: RgbImage, s: Scored, profile: Profile, stretch: number, offset: { x: number; y: number }): Promise<Scored[]> {
  const box = toFrame(s.view, s.candidate.bbox);
  const lineH = Math.min(...s.candidate.lines.map((l) => l.height)) / s.view.scale;
  const m = Math.max(1.2 * lineH, 0.15 * box.width);
  const region = { x: box.x - m, y: box.y - m, width: box.width + 2 * m, height: box.height + 2 * m };
  const scale = Math.min(4, Math.max(1, CLOSE_LINE_PX / lineH));
  return readCloseView(frame, await closeView(frame, region, scale), profile, stretch, offset);
}

/** Plates found by the plate detector given a look of their own when the text found no settled plate. */
const PLATE_LOOKS = 2;

/**
 * A plate the plate detector found: read whole as a plate crop (both plate
 * readers on the box, square boxes as two lines), and its region enlarged
 * and searched for text like a close look.
 */
async function plateLook(frame: RgbImage, p: Box, profile: Profile, stretch: number, offset: { x: number; y: number }): Promise<Scored[]> {
  const own = await closeView(frame, plateLookRegion(p), 1);
  const whole = await cropFrame(own.img);
  const at = { x: offset.x + own.x, y: offset.y + own.y };
  const lineH = p.width / p.height < 2.5 ? p.height / 2.6 : p.height / 1.4;
  const scale = Math.min(4, Math.max(1, CLOSE_LINE_PX / Math.max(1, lineH)));
  const m = 0.3 * p.height;
  const near = await closeView(frame, { x: p.x - m, y: p.y - m, width: p.width + 2 * m, height: p.height + 2 * m }, scale);
  return [
    ...(await readCandidates(own.img, whole.view, [whole.candidate], profile, stretch, at)),
    ...(await readCloseView(frame, near, profile, stretch, offset)),
  ];
}

/** Tilted text lines given a levelled look: motorbike plates seen from the side. */
const TILTED_LOOKS = 2;
const MIN_TILT_DEGREES = 12;

/** Direction of a detected line (degrees, clockwise from horizontal) and its thickness, from its rotated outline. */
function lineGeometry(q: Quad): { degrees: number; length: number; thickness: number } {
  const e1 = [q[1][0] - q[0][0], q[1][1] - q[0][1]] as const;
  const e2 = [q[2][0] - q[1][0], q[2][1] - q[1][1]] as const;
  const l1 = Math.hypot(e1[0], e1[1]);
  const l2 = Math.hypot(e2[0], e2[1]);
  const [e, length, thickness] = l1 >= l2 ? [e1, l1, l2] : [e2, l2, l1];
  let degrees = (Math.atan2(e[1], e[0]) * 180) / Math.PI;
  if (degrees > 90) degrees -= 180;
  if (degrees <= -90) degrees += 180;
  return { degrees, length, thickness };
}

/**
 * A tilted line, levelled: the region around it (room for the plate's other
 * line) is enlarged, turned so the line is horizontal, and detected and read
 * again. Axis-aligned boxes of tilted lines hold half background, which
 * neither the pairing of lines nor the line reader survives.
 */
async function levelledLook(frame: RgbImage, r: TextRegion, profile: Profile, stretch: number, offset: { x: number; y: number }): Promise<Scored[]> {
  const g = lineGeometry(r.quad!);
  const m = 1.6 * g.thickness;
  const region = { x: r.x - m, y: r.y - m, width: r.width + 2 * m, height: r.height + 2 * m };
  const scale = Math.min(4, Math.max(1, CLOSE_LINE_PX / g.thickness));
  return readCloseView(frame, await closeView(frame, region, scale, -g.degrees), profile, stretch, offset);
}

function tiltedLines(regions: readonly TextRegion[]): TextRegion[] {
  return regions
    .filter((r) => {
      if (!r.quad) return false;
      const g = lineGeometry(r.quad);
      return Math.abs(g.degrees) >= MIN_TILT_DEGREES && Math.abs(g.degrees) <= 60 && g.length >= 1.5 * g.thickness && g.thickness >= 4;
    })
    .sort((a, b) => b.score * b.width * b.height - a.score * a.width * a.height);
}

/**
 * One engine per process: models are loaded once and shared, and
 * recognise() keeps no per-call state outside its own frame, so concurrent
 * calls are safe.
 */
export async function createPlateEngine(engineOpts: { tesseract?: boolean } = {}): Promise<PlateEngine> {
  await Promise.all([onnxSession('det'), onnxSession('rec'), onnxSession('plateReader'), onnxSession('vnReader'), onnxSession('plateDetector')]);
  const tesseract = engineOpts.tesseract === false ? undefined : await TesseractReader.create();
  return {
    async recognise(image, opts) {
      const t0 = performance.now();
      const decoded = await decodeImage(image, opts.roi);
      const img = decoded.image;
      const offset = decoded.offset;
      const scored: Scored[] = [];
      const stretch = opts.profile === 'vn' ? VN_STRETCH : 1;
      const isCrop = Math.max(img.width, img.height) <= CROP_FRAME_PX;
      const first = isCrop ? await cropFrame(img) : undefined;
      const view = first?.view ?? wholeFrame(img);
      if (first) scored.push(...(await readCandidates(img, view, [first.candidate], opts.profile, stretch, offset)));
      let regions: TextRegion[] = [];
      for (const side of detectionPasses(view.img.width, view.img.height)) {
        regions = await detectText(view.img, side);
        const candidates = await viewCandidates(view, side, undefined, regions);
        scored.push(...(await readCandidates(img, view, candidates, opts.profile, stretch, offset)));
        // A settled plate ends the search before the costly fine pass.
        if (scored.some(settled)) break;
      }
      if (!isCrop && !scored.some(settled)) {
        const looks: Scored[] = [];
        // Grammatical reads first, then by rank: the close look is for plates, not for the largest text.
        for (const s of [...scored].sort((a, b) => Number(b.read.valid) - Number(a.read.valid) || b.rank - a.rank)) {
          if (looks.length >= CLOSE_LOOKS) break;
          if (looks.some((l) => overlap(l.read.bbox, s.read.bbox) > 0.3)) continue;
          looks.push(s);
        }
        for (const s of looks) scored.push(...(await closeLook(img, s, opts.profile, stretch, offset)));
        const levelled: TextRegion[] = [];
        for (const r of tiltedLines(regions)) {
          if (levelled.length >= TILTED_LOOKS) break;
          if (levelled.some((l) => overlap(l, r) > 0.3) || scored.some((s) => settled(s) && overlap(s.read.bbox, { ...r, x: r.x + offset.x, y: r.y + offset.y }) > 0.3)) continue;
          levelled.push(r);
        }
        for (const r of levelled) scored.push(...(await levelledLook(img, r, opts.profile, stretch, offset)));
        if (opts.profile === 'vn' && !scored.some(settled)) {
          for (const p of await detectPlates(img, { limit: PLATE_LOOKS })) {
            const inFrame = { ...p, x: p.x + offset.x, y: p.y + offset.y };
            if (scored.some((s) => s.votes >= 2 && overlap(s.read.bbox, inFrame) > 0.3)) continue;
            scored.push(...(await plateLook(img, p, opts.profile, stretch, offset)));
          }
        }
      }
      if (opts.profile === 'vn' && !scored.some((s) => s.read.valid)) {
        scored.push(...(await completeSquarePlates(img, scored, stretch, offset)));
      }
      // Looks that agree on a plate's text add up: the same text read from two views is stronger evidence.
      for (const s of scored) {
        const same = scored.filter((o) => o !== s && o.read.valid && o.read.text === s.read.text && overlap(o.read.bbox, s.read.bbox) > 0.5);
        s.read.readers = s.votes + same.reduce((n, o) => n + o.votes, 0);
        s.rank *= 1 + 0.05 * Math.min(4, same.length);
      }
      scored.sort((a, b) => b.rank - a.rank);
      const minConfidence = opts.minConfidence ?? 0.3;
      const low = opts.lowConfidence ?? 0.85;
      const kept: PlateRead[] = [];
      const masks = (opts.overlayMasks ?? []).map((m) => ({ x: m.x * decoded.width, y: m.y * decoded.height, width: m.width * decoded.width, height: m.height * decoded.height }));
      for (let s of scored) {
        if (kept.some((k) => overlap(k.bbox, s.read.bbox) > 0.5)) continue;
        if (masks.some((m) => inMask(s.read.bbox, m))) continue;
        if (tesseract && opts.profile === 'vn' && kept.length < SECOND_OPINIONS && needsSecondOpinion(s.read)) {
          // The second reader is an optional improvement: its failure must not fail the read.
          const again = await secondOpinion(tesseract, s, opts.profile, offset).catch(() => undefined);
          if (again && better(again, s)) s = again;
        }
        if (s.read.confidence < minConfidence) continue;
        s.read.colour = plateColour(img, { ...s.read.bbox, x: s.read.bbox.x - offset.x, y: s.read.bbox.y - offset.y });
        s.read.lowConfidence = isLowConfidence(s.read, low);
        kept.push(s.read);
      }
      return { width: decoded.width, height: decoded.height, plates: kept, ms: performance.now() - t0 };
    },
    async close() {
      await tesseract?.close();
    },
  };
}

/** A read whose centre lies in an overlay mask is the overlay's text. */
function inMask(b: Box, m: Box): boolean {
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  return cx >= m.x && cx <= m.x + m.width && cy >= m.y && cy <= m.y + m.height;
}

/** A grammatical reading beats an ungrammatical one, then confidence decides. */
function better(a: Scored, b: Scored): boolean {
  return a.read.valid !== b.read.valid ? a.read.valid : a.read.confidence > b.read.confidence;
}

/** Every character must be this sure: 0.8 against 0.5 cut confident errors by half on the street photos. */
const MIN_CHAR_CONFIDENCE = 0.8;

/**
 * A read goes to a person unless it is grammatical, confident in every
 * character and seen the same way by two independent readings: a wrong
 * confident read becomes a notice to an innocent owner.
 */
function isLowConfidence(r: PlateRead, low: number): boolean {
  return !r.valid || r.confidence < low || Math.min(...r.charConfidences) < MIN_CHAR_CONFIDENCE || r.readers < 2;
}

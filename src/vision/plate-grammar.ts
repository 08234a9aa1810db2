import { PLATE_ALPHABET } from './ctc.js';

export type Profile = 'vn' | 'generic';
export type Layout = 'one-line' | 'two-line';

/** Series letters in use (TT 79/2024), plus R of trailer series; I, J, O, Q, W are never issued. */
export const SERIES_LETTERS = 'ABCDEFGHKLMNPRSTUVXYZ';
/** Second letter of a motorbike series: same set minus G, plus R. */
export const SECOND_LETTERS = 'ABCDEFHKLMNPRSTUVXYZ';
const DIGITS = '0123456789';
const UNUSED_PROVINCES = new Set([10, 13, 42, 44, 45, 46, 87, 91, 96]);

export function isProvinceCode(code: string): boolean {
  if (!/^\d\d$/.test(code)) return false;
  const n = Number(code);
  return n >= 11 && n <= 99 && !UNUSED_PROVINCES.has(n);
}

/** Upper-case letters and digits in reading order: the comparison key used everywhere. */
export function plateKey(text: string): string {
  return text.normalize('NFKD').toUpperCase().replace(/Đ/g, 'D').replace(/[^A-Z0-9]/g, '');
}

/** Look-alikes, used when a glyph sits where the grammar forbids its class. */
const TO_DIGIT: Record<string, string> = { O: '0', Q: '0', D: '0', U: '0', I: '1', J: '1', L: '1', T: '1', Z: '2', S: '5', B: '8', G: '6', A: '4', E: '8', Y: '7' };
const TO_LETTER: Record<string, string> = { '0': 'D', '1': 'T', '2': 'Z', '3': 'B', '4': 'A', '5': 'S', '6': 'G', '7': 'T', '8': 'B', I: 'T', J: 'U', O: 'D', Q: 'D', W: 'M' };

type Slot = 'digit' | 'letter' | 'second';

export interface Template {
  /** Slots of each line, top line first (one entry for one-line plates). */
  lines: Slot[][];
  series: Slot[];
  digits: 4 | 5;
  /** Log prior: how common the series shape is among issued plates. */
  prior: number;
}

/** Letter+digit and single-letter series dominate; the rarer shapes must earn their place from the pixels. */
const SERIES: { slots: Slot[]; prior: number }[] = [
  { slots: ['letter'], prior: 0 },
  { slots: ['letter', 'digit'], prior: 0 },
  { slots: ['letter', 'second'], prior: -3 },
  { slots: ['letter', 'second', 'digit'], prior: -3 },
];

export function templatesFor(lineLengths: readonly number[]): Template[] {
  const out: Template[] = [];
  for (const { slots: series, prior } of SERIES) {
    for (const digits of [4, 5] as const) {
      const top: Slot[] = ['digit', 'digit', ...series];
      const bottom: Slot[] = Array<Slot>(digits).fill('digit');
      const lines = lineLengths.length === 2 ? [top, bottom] : [[...top, ...bottom]];
      if (lines.every((l, i) => l.length === lineLengths[i])) out.push({ lines, series, digits, prior });
    }
  }
  return out;
}

function allowed(slot: Slot): string {
  return slot === 'digit' ? DIGITS : slot === 'letter' ? SERIES_LETTERS : SECOND_LETTERS;
}

/** Per-symbol probabilities over PLATE_ALPHABET, as produced by the CTC decoder. */
export type CharProbs = Float32Array;

const CONFUSION_PRIOR = 0.02;
const NEVER_ISSUED = 'IJOQW';

/** One-hot (plus look-alike prior) distribution for a character read as plain text. */
export function probsFromChar(ch: string, confidence = 1): CharProbs {
  const p = new Float32Array(PLATE_ALPHABET.length);
  const i = PLATE_ALPHABET.indexOf(ch);
  if (i >= 0) p[i] = confidence;
  return withConfusionPrior(ch, p);
}

/**
 * Model posteriors for a look-alike are often ~0; a small prior lets position
 * fix "B" to "8". A glyph that is never issued (I, J, O, Q, W) can only be a
 * misread, so its look-alike inherits half its weight: W becomes M rather
 * than whatever third choice the model had.
 */
export function withConfusionPrior(ch: string, probs: CharProbs): CharProbs {
  const p = new Float32Array(probs);
  const never = NEVER_ISSUED.includes(ch);
  const own = p[PLATE_ALPHABET.indexOf(ch)] ?? 0;
  for (const table of [TO_DIGIT, TO_LETTER]) {
    const alt = table[ch];
    if (alt === undefined) continue;
    const j = PLATE_ALPHABET.indexOf(alt);
    if (j >= 0) p[j] = Math.max(p[j]!, CONFUSION_PRIOR, never ? own / 2 : 0);
  }
  return p;
}

function bestIn(p: CharProbs, set: string): [string, number] {
  let best = set[0]!;
  let bestV = -1;
  for (const c of set) {
    const v = p[PLATE_ALPHABET.indexOf(c)]!;
    if (v > bestV) { best = c; bestV = v; }
  }
  return [best, bestV];
}

const EPS = 1e-6;

export interface TemplateFit {
  template: Template;
  /** Corrected key, one string per line. */
  lines: string[];
  /** Probability of each chosen character. */
  confidences: number[];
  logScore: number;
}

/** Best reading of `probs` under one template; the province pair is chosen jointly among valid codes. */
export function fitTemplate(probs: readonly CharProbs[][], template: Template): TemplateFit {
  const lines: string[] = [];
  const confidences: number[] = [];
  let logScore = template.prior;
  template.lines.forEach((slots, li) => {
    let text = '';
    let start = 0;
    if (li === 0) {
      const [a, b] = [probs[0]![0]!, probs[0]![1]!];
      let best = '', bestV = -1, ca = 0, cb = 0;
      for (let n = 11; n <= 99; n++) {
        const code = String(n);
        if (!isProvinceCode(code)) continue;
        const va = a[PLATE_ALPHABET.indexOf(code[0]!)]!;
        const vb = b[PLATE_ALPHABET.indexOf(code[1]!)]!;
        if (va * vb > bestV) { best = code; bestV = va * vb; ca = va; cb = vb; }
      }
      text = best;
      confidences.push(ca, cb);
      logScore += Math.log(ca + EPS) + Math.log(cb + EPS);
      start = 2;
    }
    for (let i = start; i < slots.length; i++) {
      const [c, v] = bestIn(probs[li]![i]!, allowed(slots[i]!));
      text += c;
      confidences.push(v);
      logScore += Math.log(v + EPS);
    }
    lines.push(text);
  });
  return { template, lines, confidences, logScore };
}

export interface NormalisedPlate {
  canonical: string;
  key: string;
  valid: boolean;
  provinceCode?: string;
  series?: string;
  /** Confidence of each character of `key` after correction. */
  charConfidences: number[];
}

export interface NormaliseOptions {
  layout?: Layout;
  /** Raw text of each line, when the reader saw two lines. */
  lines?: readonly string[];
}

/**
 * Canonical form of a plate read. Profile `vn` repairs look-alike glyphs by
 * position (digits where the grammar wants digits, issued series letters
 * elsewhere) and validates the province; `generic` only cleans the text.
 */
export function normalisePlate(raw: string, profile: Profile, opts: NormaliseOptions = {}): NormalisedPlate {
  const lineTexts = (opts.lines ?? [raw]).map(plateKey).filter((l) => l.length > 0);
  const probs = lineTexts.map((l) => [...l].map((c) => probsFromChar(c)));
  return normaliseProbs(probs, profile, opts.layout ?? (lineTexts.length === 2 ? 'two-line' : 'one-line'));
}

/** Same as normalisePlate, from per-character probabilities of each line. */
export function normaliseProbs(probs: readonly CharProbs[][], profile: Profile, layout: Layout): NormalisedPlate {
  const rawKey = probs.map((line) => line.map((p) => bestIn(p, PLATE_ALPHABET)[0]).join('')).join('');
  const rawConf = probs.flatMap((line) => line.map((p) => bestIn(p, PLATE_ALPHABET)[1]));
  if (profile === 'generic') {
    return { canonical: rawKey, key: rawKey, valid: isGenericPlate(rawKey), charConfidences: rawConf };
  }
  let best: TemplateFit | undefined;
  const lengths = probs.map((l) => l.length);
  for (const t of templatesFor(lengths)) {
    const fit = fitTemplate(probs, t);
    if (!best || fit.logScore > best.logScore) best = fit;
  }
  // A two-line read whose split disagrees with every template still fits as one string.
  if (!best && probs.length === 2) {
    const flat = [probs.flat()];
    for (const t of templatesFor([flat[0]!.length])) {
      const fit = fitTemplate(flat, t);
      if (!best || fit.logScore > best.logScore) best = fit;
    }
  }
  if (!best || !plausibleFit(best, rawKey)) return { canonical: rawKey, key: rawKey, valid: false, charConfidences: rawConf };
  const key = best.lines.join('');
  const province = key.slice(0, 2);
  const series = key.slice(2, 2 + best.template.series.length);
  const digits = key.slice(2 + series.length);
  const number = digits.length === 5 ? `${digits.slice(0, 3)}.${digits.slice(3)}` : digits;
  const motorbike = layout === 'two-line' && series.length >= 2;
  const canonical = motorbike ? `${province}-${series} ${number}` : `${province}${series}-${number}`;
  return { canonical, key, valid: true, provinceCode: province, series, charConfidences: best.confidences };
}

/** Below this a chosen character has no support beyond noise. */
const MIN_SUPPORT = 0.01;
/** More repairs than this means the text is not a VN plate forced into shape. */
const MAX_REPAIRS = 2;

function plausibleFit(fit: TemplateFit, rawKey: string): boolean {
  const key = fit.lines.join('');
  let repairs = 0;
  for (let i = 0; i < key.length; i++) if (key[i] !== rawKey[i]) repairs++;
  return repairs <= MAX_REPAIRS && fit.confidences.every((c) => c >= MIN_SUPPORT);
}

/** Foreign plates: 5-8 symbols mixing letters and digits. */
export function isGenericPlate(key: string): boolean {
  return key.length >= 5 && key.length <= 8 && /\d/.test(key) && /[A-Z]/.test(key);
}

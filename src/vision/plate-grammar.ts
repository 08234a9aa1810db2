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
// H and N stand for M where only M may stand (MĐ): at 10 px the middle strokes of the three run together.
const TO_LETTER: Record<string, string> = { '0': 'D', '1': 'T', '2': 'Z', '3': 'B', '4': 'A', '5': 'S', '6': 'G', '7': 'T', '8': 'B', I: 'T', J: 'U', O: 'D', Q: 'D', W: 'M', H: 'M', N: 'M' };

/** A slot is the set of characters allowed at one position. */
type Slot = string;
const D: Slot = DIGITS;
const L: Slot = SERIES_LETTERS;
const L2: Slot = SECOND_LETTERS;
/** First letter of military plates: the branch (army corps, services, general departments, regions...). */
const MILITARY_FIRST: Slot = 'ABDHKPQTV';
const ANY_LETTER: Slot = 'ABCDEFGHKLMNPQRSTUVXYZ';

export type PlateKind = 'civil' | 'military' | 'diplomatic' | 'old';

export interface Template {
  kind: PlateKind;
  /** Every slot in reading order; two-line reads are fitted over both lines together. */
  slots: Slot[];
  /** Whether the first two slots are a province code (chosen jointly among issued codes). */
  province: boolean;
  series: number;
  /** Log prior: how common the shape is among plates on the road. */
  prior: number;
}

/**
 * Letter+digit and single-letter series dominate; the rarer shapes must earn
 * their place from the pixels. Foreign-entity series (NG, QT, CV, NN) are the
 * only place Q and G-after-N appear.
 */
const SERIES: { slots: Slot[]; prior: number }[] = [
  { slots: [L], prior: 0 },
  { slots: [L, D], prior: 0 },
  { slots: [L, L2], prior: -3 },
  // The only three-character series is the electric MĐ1..MĐ9 (DOMAIN.md): a read "HĐ1" is an MĐ plate.
  { slots: ['M', 'D', D], prior: -3 },
  ...['NG', 'QT', 'CV', 'NN'].map((w) => ({ slots: [...w], prior: -2 })),
];

/** Two-letter series issued to cars (square plates of these are cars, not motorbikes). */
const CAR_SERIES = new Set(['LD', 'DA', 'KT', 'NN', 'NG', 'QT', 'CV', 'LA', 'HC', 'TD', 'SA', 'CD', 'MK', 'RM']);

function buildTemplates(): Template[] {
  const out: Template[] = [];
  for (const { slots: series, prior } of SERIES) {
    for (const digits of [4, 5]) {
      out.push({ kind: 'civil', slots: [D, D, ...series, ...Array<Slot>(digits).fill(D)], province: true, series: series.length, prior });
    }
  }
  // Military: red plates, two letters then 2+2 digits (TC-33-86); no province.
  out.push({ kind: 'military', slots: [MILITARY_FIRST, ANY_LETTER, D, D, D, D], province: false, series: 2, prior: -2 });
  // Diplomatic and foreign organisations: 80-011-NG-01.
  for (const w of ['NG', 'QT', 'CV', 'NN']) {
    out.push({ kind: 'diplomatic', slots: [D, D, D, D, D, w[0]!, w[1]!, D, D], province: true, series: 2, prior: -2 });
  }
  // Old motorbike plates still on the road: 13 267-G9, 60 715-J, 43 829-LH.
  for (const series of [[L], [L, D], [L, L2]]) {
    out.push({ kind: 'old', slots: [D, D, D, D, D, ...series], province: true, series: series.length, prior: -4 });
  }
  return out;
}

const TEMPLATES = buildTemplates();

/** A two-line civil read split elsewhere than after its series costs this much log-likelihood. */
const SPLIT_PENALTY = 2;

export function templatesFor(lineLengths: readonly number[]): Template[] {
  const n = lineLengths.reduce((a, b) => a + b, 0);
  return TEMPLATES.filter((t) => t.slots.length === n);
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
  /** Corrected key. */
  key: string;
  /** Probability of each chosen character. */
  confidences: number[];
  logScore: number;
}

/** Best reading of `probs` (all lines in reading order) under one template; the province pair is chosen jointly among valid codes. */
export function fitTemplate(probs: readonly CharProbs[], template: Template): TemplateFit {
  let key = '';
  const confidences: number[] = [];
  let logScore = template.prior;
  let start = 0;
  if (template.province) {
    const [a, b] = [probs[0]!, probs[1]!];
    let best = '', bestV = -1, ca = 0, cb = 0;
    for (let n = 11; n <= 99; n++) {
      const code = String(n);
      if (!isProvinceCode(code)) continue;
      const va = a[PLATE_ALPHABET.indexOf(code[0]!)]!;
      const vb = b[PLATE_ALPHABET.indexOf(code[1]!)]!;
      if (va * vb > bestV) { best = code; bestV = va * vb; ca = va; cb = vb; }
    }
    key = best;
    confidences.push(ca, cb);
    logScore += Math.log(ca + EPS) + Math.log(cb + EPS);
    start = 2;
  }
  for (let i = start; i < template.slots.length; i++) {
    const [c, v] = bestIn(probs[i]!, template.slots[i]!);
    key += c;
    confidences.push(v);
    logScore += Math.log(v + EPS);
  }
  return { template, key, confidences, logScore };
}

export interface NormalisedPlate {
  canonical: string;
  key: string;
  valid: boolean;
  provinceCode?: string;
  series?: string;
  kind?: PlateKind;
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
  const flat = probs.flat();
  for (const t of templatesFor(probs.map((l) => l.length))) {
    const fit = fitTemplate(flat, t);
    // A two-line civil read must break after the series, as the plates do.
    if (probs.length === 2 && t.kind === 'civil' && probs[0]!.length !== 2 + t.series) fit.logScore -= SPLIT_PENALTY;
    if (!best || fit.logScore > best.logScore) best = fit;
  }
  if (!best || !plausibleFit(best, rawKey)) return { canonical: rawKey, key: rawKey, valid: false, charConfidences: rawConf };
  const key = best.key;
  const t = best.template;
  const province = t.province ? key.slice(0, 2) : undefined;
  return {
    canonical: canonicalText(key, t, layout),
    key,
    valid: true,
    ...(province ? { provinceCode: province } : {}),
    series: seriesOf(key, t),
    kind: t.kind,
    charConfidences: best.confidences,
  };
}

function seriesOf(key: string, t: Template): string {
  switch (t.kind) {
    case 'civil': return displaySeries(key.slice(2, 2 + t.series));
    case 'military': return key.slice(0, 2);
    case 'diplomatic': return key.slice(5, 7);
    case 'old': return key.slice(5);
  }
}

/** Đ is shown as Đ in the electric (MĐ) and pilot-production (TĐ) series; keys keep D so matching is unchanged. */
function displaySeries(series: string): string {
  if (/^MD\d$/.test(series)) return `MĐ${series[2]}`;
  if (series === 'TD') return 'TĐ';
  return series;
}

function canonicalText(key: string, t: Template, layout: Layout): string {
  switch (t.kind) {
    case 'military':
      return `${key.slice(0, 2)}-${key.slice(2, 4)}-${key.slice(4)}`;
    case 'diplomatic':
      return `${key.slice(0, 2)}-${key.slice(2, 5)}-${key.slice(5, 7)}-${key.slice(7)}`;
    case 'old':
      return `${key.slice(0, 2)} ${key.slice(2, 5)}-${key.slice(5)}`;
    case 'civil': {
      const province = key.slice(0, 2);
      const raw = key.slice(2, 2 + t.series);
      const series = displaySeries(raw);
      const digits = key.slice(2 + t.series);
      const number = digits.length === 5 ? `${digits.slice(0, 3)}.${digits.slice(3)}` : digits;
      // The layout tells car from motorbike only with the series: LD, DA, KT, NN... square plates are cars.
      const motorbike = layout === 'two-line' && raw.length >= 2 && !CAR_SERIES.has(raw);
      return motorbike ? `${province}-${series} ${number}` : `${province}${series}-${number}`;
    }
  }
}

/** Below this a chosen character has no support beyond noise. */
const MIN_SUPPORT = 0.01;
/** More repairs than this means the text is not a VN plate forced into shape. */
const MAX_REPAIRS = 2;

function plausibleFit(fit: TemplateFit, rawKey: string): boolean {
  const key = fit.key;
  let repairs = 0;
  for (let i = 0; i < key.length; i++) if (key[i] !== rawKey[i]) repairs++;
  return repairs <= MAX_REPAIRS && fit.confidences.every((c) => c >= MIN_SUPPORT);
}

/** Foreign plates: 5-8 symbols mixing letters and digits. */
export function isGenericPlate(key: string): boolean {
  return key.length >= 5 && key.length <= 8 && /\d/.test(key) && /[A-Z]/.test(key);
}

/** Characters a plate can show; I, O, Q... stay in so the grammar can map them to digits. */
export const PLATE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NA = PLATE_ALPHABET.length;

export interface CharRead {
  char: string;
  confidence: number;
  /** Best probability of each PLATE_ALPHABET symbol over this character's frames. */
  probs: Float32Array;
  /** Centre of the character along the line, 0..1. */
  at: number;
}

/**
 * Maps the recogniser's vocabulary onto the plate alphabet: lower case and
 * full-width forms fold into their upper-case symbol, every other symbol
 * becomes "other" (a separator such as '-' or '.').
 */
export function alphabetIndex(keys: readonly string[]): Int16Array {
  // Index 0 of the model output is the CTC blank, then the keys, then a space.
  const map = new Int16Array(keys.length + 2).fill(-1);
  keys.forEach((k, i) => {
    let c = k.normalize('NFKC').toUpperCase();
    if (c.length !== 1) return;
    const j = PLATE_ALPHABET.indexOf(c);
    if (j >= 0) map[i + 1] = j;
  });
  return map;
}

/**
 * Greedy CTC decoding restricted to the plate alphabet. Each frame votes for
 * blank, one symbol, or "other"; repeats collapse as in standard CTC.
 */
export function decodeCtc(probs: Float32Array, frames: number, classes: number, index: Int16Array): CharRead[] {
  const out: CharRead[] = [];
  const p = new Float32Array(NA);
  let prev = -2;
  let current: CharRead | undefined;
  let startFrame = 0;
  for (let t = 0; t < frames; t++) {
    p.fill(0);
    const base = t * classes;
    const blank = probs[base]!;
    let other = 0;
    for (let c = 1; c < classes; c++) {
      const v = probs[base + c]!;
      if (v < 1e-4) continue;
      const j = index[c]!;
      if (j >= 0) p[j] = p[j]! + v;
      else other += v;
    }
    let best = -1; // -1 blank, -3 other
    let bestV = blank;
    if (other > bestV) { best = -3; bestV = other; }
    for (let j = 0; j < NA; j++) if (p[j]! > bestV) { best = j; bestV = p[j]!; }
    if (best >= 0 && best !== prev) {
      current = { char: PLATE_ALPHABET[best]!, confidence: bestV, probs: new Float32Array(p), at: 0 };
      startFrame = t;
      out.push(current);
    } else if (best >= 0 && current) {
      current.confidence = Math.max(current.confidence, bestV);
      for (let j = 0; j < NA; j++) if (p[j]! > current.probs[j]!) current.probs[j] = p[j]!;
    }
    if (best >= 0 && current) current.at = ((startFrame + t) / 2 + 0.5) / frames;
    prev = best;
  }
  return out;
}

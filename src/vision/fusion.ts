import { PLATE_ALPHABET, type CharRead } from './ctc.js';
import type { TessChar } from './tesseract-reader.js';

/** Tesseract is the weaker reader on plates; its votes count for less. */
const TESS_WEIGHT = 0.7;

/**
 * Merges a second reader's characters into the primary reader's per-character
 * distributions. Only same-length reads are aligned position by position:
 * when the readers disagree on how many characters there are, the count
 * from the primary reader is trusted and its read is returned unchanged.
 * Agreement raises confidence (independent-error model); disagreement adds
 * the second reader's choice as an alternative, so the grammar and the
 * confidences decide.
 */
export function fuseLine(primary: readonly CharRead[], second: readonly TessChar[]): CharRead[] {
  if (primary.length !== second.length) return primary.map((c) => ({ ...c, probs: new Float32Array(c.probs) }));
  return primary.map((c, i) => {
    const t = second[i]!;
    const probs = new Float32Array(c.probs);
    const j = PLATE_ALPHABET.indexOf(t.char);
    const vote = t.confidence * TESS_WEIGHT;
    if (j >= 0) probs[j] = 1 - (1 - probs[j]!) * (1 - vote);
    // Renormalise so probabilities stay comparable across characters.
    let sum = 0;
    for (const v of probs) sum += v;
    if (sum > 1) for (let k = 0; k < probs.length; k++) probs[k] = probs[k]! / sum;
    let best = 0;
    for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
    return { char: PLATE_ALPHABET[best]!, confidence: probs[best]!, probs, at: c.at };
  });
}

import { describe, it, expect } from 'vitest';
import { alphabetIndex, decodeCtc } from '../../src/vision/ctc.js';

// A tiny vocabulary in the recogniser's layout: blank, keys..., space.
const keys = ['3', '0', 'a', 'A', '-', '中'];
const classes = keys.length + 2;
const index = alphabetIndex(keys);

function frames(...labels: (string | null)[]): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((l, t) => {
    const c = l === null ? 0 : keys.indexOf(l) + 1;
    out[t * classes + c] = 0.9;
    out[t * classes + (c === 0 ? 1 : 0)] = 0.1;
  });
  return out;
}

describe('decodeCtc', () => {
  it('collapses repeats, drops blanks and treats other symbols as separators', () => {
    const probs = frames('3', '3', null, '0', '-', '0', 'A', 'A');
    expect(decodeCtc(probs, 8, classes, index).map((c) => c.char).join('')).toBe('300A');
  });

  it('folds lower case into upper case', () => {
    const chars = decodeCtc(frames('a', null, 'A'), 3, classes, index);
    expect(chars.map((c) => c.char).join('')).toBe('AA');
  });

  it('gives each character its confidence and position along the line', () => {
    const chars = decodeCtc(frames('3', null, null, '0'), 4, classes, index);
    expect(chars[0]!.confidence).toBeCloseTo(0.9);
    expect(chars[0]!.at).toBeLessThan(chars[1]!.at);
  });
});

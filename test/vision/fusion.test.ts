import { describe, it, expect } from 'vitest';
import { PLATE_ALPHABET, type CharRead } from '../../src/vision/ctc.js';
import { fuseLine } from '../../src/vision/fusion.js';

function char(dist: Record<string, number>, at = 0.5): CharRead {
  const probs = new Float32Array(PLATE_ALPHABET.length);
  for (const [c, p] of Object.entries(dist)) probs[PLATE_ALPHABET.indexOf(c)] = p;
  const [best, conf] = Object.entries(dist).sort((a, b) => b[1] - a[1])[0]!;
  return { char: best, confidence: conf, probs, at };
}

describe('fuseLine', () => {
  it('raises confidence where both readers agree', () => {
    const [c] = fuseLine([char({ '7': 0.6, '1': 0.3 })], [{ char: '7', confidence: 0.9 }]);
    expect(c!.char).toBe('7');
    expect(c!.confidence).toBeGreaterThan(0.6);
  });

  it('lets a confident second reader overturn a doubtful first read', () => {
    const [c] = fuseLine([char({ N: 0.5, M: 0.4 })], [{ char: 'M', confidence: 0.95 }]);
    expect(c!.char).toBe('M');
  });

  it('does not let a doubtful second reader overturn a confident first read', () => {
    const [c] = fuseLine([char({ '4': 0.97 })], [{ char: '1', confidence: 0.6 }]);
    expect(c!.char).toBe('4');
  });

  it('keeps the first read when the readers disagree on the character count', () => {
    const first = [char({ A: 0.9 }), char({ B: 0.5 })];
    const fused = fuseLine(first, [{ char: 'A', confidence: 0.99 }]);
    expect(fused.map((c) => [c.char, c.confidence])).toEqual(first.map((c) => [c.char, c.confidence]));
  });

  it('keeps every probability within 0..1', () => {
    const fused = fuseLine([char({ '8': 0.7, B: 0.3 })], [{ char: 'B', confidence: 1 }]);
    for (const p of fused[0]!.probs) expect(p).toBeLessThanOrEqual(1);
    expect([...fused[0]!.probs].reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(1.0001);
  });
});

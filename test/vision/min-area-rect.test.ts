import { describe, it, expect } from 'vitest';
import { convexHull, minAreaRect, type Point } from '../../src/vision/min-area-rect.js';

describe('convexHull', () => {
  it('drops interior points', () => {
    const hull = convexHull([[0, 0], [4, 0], [4, 4], [0, 4], [2, 2], [1, 3]]);
    expect(hull).toHaveLength(4);
    expect(hull).not.toContainEqual([2, 2]);
  });
});

describe('minAreaRect', () => {
  it('returns an axis-aligned box clockwise from top-left', () => {
    expect(minAreaRect([[10, 20], [50, 20], [50, 30], [10, 30], [30, 25]])).toEqual([[10, 20], [50, 20], [50, 30], [10, 30]]);
  });

  it('follows a tilted rectangle instead of boxing it', () => {
    const angle = (10 * Math.PI) / 180;
    const rot = ([x, y]: Point): Point => [x * Math.cos(angle) - y * Math.sin(angle) + 100, x * Math.sin(angle) + y * Math.cos(angle) + 100];
    const quad = minAreaRect([[0, 0], [80, 0], [80, 20], [0, 20], [40, 10]].map((p) => rot(p as Point)))!;
    const [tl, tr] = quad;
    expect(Math.hypot(tr[0] - tl[0], tr[1] - tl[1])).toBeCloseTo(80, 5);
    expect(Math.atan2(tr[1] - tl[1], tr[0] - tl[0])).toBeCloseTo(angle, 5);
  });

  it('grows the rectangle by the margin on every side', () => {
    expect(minAreaRect([[0, 0], [10, 0], [10, 4], [0, 4]], 2)).toEqual([[-2, -2], [12, -2], [12, 6], [-2, 6]]);
  });
});

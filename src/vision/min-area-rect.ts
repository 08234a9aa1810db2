export type Point = [number, number];
export type Quad = [Point, Point, Point, Point];

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-down image axes. */
export function convexHull(points: readonly Point[]): Point[] {
  const ps = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (ps.length < 3) return ps;
  const lower: Point[] = [];
  for (const p of ps) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = ps.length - 1; i >= 0; i--) {
    const p = ps[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * Smallest-area enclosing rectangle, grown by `margin` on every side.
 * One side of the optimum lies on a hull edge, so trying each edge's
 * direction is exact. Corners come back clockwise from top-left, the order
 * perspective-correction code expects.
 */
export function minAreaRect(points: readonly Point[], margin = 0): Quad | undefined {
  const hull = convexHull(points);
  if (hull.length === 0) return undefined;
  let best: { area: number; ux: number; uy: number; min0: number; max0: number; min1: number; max1: number } | undefined;
  const edges = hull.length === 1 ? [[1, 0]] : hull.map((p, i) => {
    const q = hull[(i + 1) % hull.length]!;
    return [q[0] - p[0], q[1] - p[1]];
  });
  for (const [ex, ey] of edges) {
    const len = Math.hypot(ex!, ey!);
    if (len === 0) continue;
    const ux = ex! / len;
    const uy = ey! / len;
    let min0 = Infinity, max0 = -Infinity, min1 = Infinity, max1 = -Infinity;
    for (const [x, y] of hull) {
      const a = x * ux + y * uy;
      const b = -x * uy + y * ux;
      if (a < min0) min0 = a;
      if (a > max0) max0 = a;
      if (b < min1) min1 = b;
      if (b > max1) max1 = b;
    }
    const area = (max0 - min0) * (max1 - min1);
    if (!best || area < best.area) best = { area, ux, uy, min0, max0, min1, max1 };
  }
  if (!best) return undefined;
  const { ux, uy } = best;
  const [a0, a1, b0, b1] = [best.min0 - margin, best.max0 + margin, best.min1 - margin, best.max1 + margin];
  const at = (a: number, b: number): Point => [a * ux - b * uy, a * uy + b * ux];
  const corners = [at(a0, b0), at(a1, b0), at(a1, b1), at(a0, b1)];
  // Start at the corner nearest the top-left and keep clockwise order on screen.
  const cx = corners.reduce((s, p) => s + p[0], 0) / 4;
  const cy = corners.reduce((s, p) => s + p[1], 0) / 4;
  corners.sort((p, q) => Math.atan2(p[1] - cy, p[0] - cx) - Math.atan2(q[1] - cy, q[0] - cx));
  const start = corners.reduce((bi, p, i) => (p[0] + p[1] < corners[bi]![0] + corners[bi]![1] ? i : bi), 0);
  const ordered = [0, 1, 2, 3].map((k) => corners[(start + k) % 4]!);
  return ordered as Quad;
}

import type { Box } from './pixels.js';
import { minAreaRect, type Point, type Quad } from './min-area-rect.js';

export interface TextRegion extends Box {
  /** Mean DB probability inside the region (PaddleOCR's "box score"). */
  score: number;
  /** Rotated rectangle around the text, clockwise from top-left; follows tilted plates. */
  quad?: Quad;
}

export interface DbOptions {
  threshold: number;
  boxThreshold: number;
  unclipRatio: number;
  minSize: number;
}

export const DB_DEFAULTS: DbOptions = { threshold: 0.3, boxThreshold: 0.5, unclipRatio: 1.6, minSize: 3 };

/**
 * DB post-processing on a probability map: connected components of the
 * binarised map, scored by mean probability, then grown back ("unclipped")
 * because DB is trained on text shrunk towards its centre line.
 * Boxes are axis-aligned in map coordinates.
 */
export function dbRegions(prob: Float32Array, w: number, h: number, opts: DbOptions = DB_DEFAULTS): TextRegion[] {
  const label = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  // Row extents are enough for the hull: interior pixels never lie on it.
  const rowMin = new Int32Array(h).fill(w);
  const rowMax = new Int32Array(h).fill(-1);
  const out: TextRegion[] = [];
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (label[start] !== 0 || prob[start]! <= opts.threshold) continue;
    next++;
    let sp = 0;
    stack[sp++] = start;
    label[start] = next;
    let minX = w, minY = h, maxX = -1, maxY = -1, sum = 0, n = 0;
    while (sp > 0) {
      const p = stack[--sp]!;
      const px = p % w;
      const py = (p - px) / w;
      sum += prob[p]!;
      n++;
      if (px < minX) minX = px;
      if (px > maxX) maxX = px;
      if (py < minY) minY = py;
      if (py > maxY) maxY = py;
      if (px < rowMin[py]!) rowMin[py] = px;
      if (px > rowMax[py]!) rowMax[py] = px;
      if (px > 0 && label[p - 1] === 0 && prob[p - 1]! > opts.threshold) { label[p - 1] = next; stack[sp++] = p - 1; }
      if (px < w - 1 && label[p + 1] === 0 && prob[p + 1]! > opts.threshold) { label[p + 1] = next; stack[sp++] = p + 1; }
      if (py > 0 && label[p - w] === 0 && prob[p - w]! > opts.threshold) { label[p - w] = next; stack[sp++] = p - w; }
      if (py < h - 1 && label[p + w] === 0 && prob[p + w]! > opts.threshold) { label[p + w] = next; stack[sp++] = p + w; }
    }
    const points: Point[] = [];
    for (let y = minY; y <= maxY; y++) {
      if (rowMax[y]! >= 0) points.push([rowMin[y]!, y], [rowMax[y]! + 1, y], [rowMin[y]!, y + 1], [rowMax[y]! + 1, y + 1]);
      rowMin[y] = w;
      rowMax[y] = -1;
    }
    const bw = maxX - minX + 1;
    const bh = maxY - minY + 1;
    if (Math.min(bw, bh) < opts.minSize) continue;
    const score = sum / n;
    if (score < opts.boxThreshold) continue;
    const d = (bw * bh * opts.unclipRatio) / (2 * (bw + bh));
    const quad = minAreaRect(points, d);
    out.push({ x: minX - d, y: minY - d, width: bw + 2 * d, height: bh + 2 * d, score, ...(quad ? { quad } : {}) });
  }
  return out;
}

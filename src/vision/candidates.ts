import type { TextRegion } from './db-postprocess.js';
import type { Box } from './pixels.js';
import { minAreaRect, type Quad } from './min-area-rect.js';

export interface PlateCandidate {
  /** Text lines, top first: one for long plates, two for square ones. */
  lines: Box[];
  bbox: Box;
  /** Rotated rectangle around all lines, when the detector gave one per line. */
  quad?: Quad;
  /** The whole plate, border included, when known better than from its lines. */
  plate?: Box;
  detScore: number;
}

function quadOf(lines: readonly TextRegion[]): Quad | undefined {
  if (lines.some((l) => !l.quad)) return undefined;
  return lines.length === 1 ? lines[0]!.quad : minAreaRect(lines.flatMap((l) => l.quad!));
}

function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

function overlap1d(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

/** DB may split a line at the dash or dot; pieces on one baseline, close together, are one line. */
export function mergeLinePieces(regions: readonly TextRegion[]): TextRegion[] {
  const rs = regions.map((r) => ({ ...r }));
  let merged = true;
  while (merged) {
    merged = false;
    outer: for (let i = 0; i < rs.length; i++) {
      for (let j = i + 1; j < rs.length; j++) {
        const a = rs[i]!;
        const b = rs[j]!;
        const h = Math.min(a.height, b.height);
        const vo = overlap1d(a.y, a.y + a.height, b.y, b.y + b.height);
        const gap = Math.max(a.x, b.x) - Math.min(a.x + a.width, b.x + b.width);
        const similar = Math.max(a.height, b.height) < 1.5 * h;
        if (vo > 0.7 * h && similar && gap < 0.8 * h) {
          const u = union(a, b);
          const quad = quadOf([a, b]);
          rs[i] = { ...u, score: (a.score * a.width + b.score * b.width) / (a.width + b.width), ...(quad ? { quad } : {}) };
          rs.splice(j, 1);
          merged = true;
          break outer;
        }
      }
    }
  }
  return rs;
}

/**
 * Plate hypotheses from text lines: every plausible single line, and every
 * pair of lines stacked like a square plate (similar width, aligned, close).
 */
export function plateCandidates(regions: readonly TextRegion[], limit = 16): PlateCandidate[] {
  const lines = mergeLinePieces(regions)
    .filter((r) => r.width >= 0.8 * r.height)
    .sort((a, b) => b.score * b.width * b.height - a.score * a.width * a.height)
    .slice(0, limit);
  const out: PlateCandidate[] = [];
  for (const a of lines) {
    for (const b of lines) {
      if (a === b || b.y <= a.y) continue;
      const h = Math.max(a.height, b.height);
      const gap = b.y - (a.y + a.height);
      const ho = overlap1d(a.x, a.x + a.width, b.x, b.x + b.width);
      const ratio = a.width / b.width;
      if (gap < 0.6 * h && gap > -0.5 * h && ho > 0.6 * Math.min(a.width, b.width) && ratio > 0.35 && ratio < 2.2 && Math.max(a.height, b.height) < 2 * Math.min(a.height, b.height)) {
        const quad = quadOf([a, b]);
        out.push({ lines: [a, b], bbox: union(a, b), detScore: (a.score + b.score) / 2, ...(quad ? { quad } : {}) });
      }
    }
  }
  for (const r of lines) {
    if (r.width >= 1.5 * r.height) out.push({ lines: [r], bbox: r, detScore: r.score, ...(r.quad ? { quad: r.quad } : {}) });
  }
  return out;
}

/**
 * Where the top line of a square plate should be, given its bottom line:
 * on dirty or low-contrast plates DB sometimes finds only the number line.
 */
export function topLineAbove(bottom: Box): Box {
  return { x: bottom.x, y: bottom.y - bottom.height * 1.05, width: bottom.width, height: bottom.height };
}

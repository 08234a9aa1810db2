import sharp from 'sharp';
import type { RgbImage } from './image.js';
import { runPixelBatch } from './models.js';
import type { Box } from './pixels.js';

/** The detector's output is a quarter of its input's resolution. */
const STRIDE = 4;
/** It was trained on street photos of about 460x350: larger frames are shrunk to this long side first. */
const MAX_SIDE = 640;

export interface PlateBox extends Box {
  /** The detector's belief that a plate is centred here, 0..1. */
  score: number;
}

/**
 * Plates found by shape, not by text (models/plate_detector.onnx): a heat
 * map of plate centres and each plate's size. It finds the small and
 * side-on plates whose characters are too few pixels for the text detector,
 * which then get a closer look of their own.
 */
export async function detectPlates(img: RgbImage, opts: { limit?: number; threshold?: number } = {}): Promise<PlateBox[]> {
  const limit = opts.limit ?? 3;
  const threshold = opts.threshold ?? 0.3;
  const k = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
  const w = Math.max(1, Math.round(img.width * k));
  const h = Math.max(1, Math.round(img.height * k));
  const W = Math.ceil(w / 32) * 32;
  const H = Math.ceil(h / 32) * 32;
  // Padded at the right and bottom with black, as in training: positions stay those of the image.
  const pixels = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(w, h, { fit: 'fill', kernel: 'linear' })
    .extend({ right: W - w, bottom: H - h, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer();
  const out = await runPixelBatch('plateDetector', [pixels], H, W);
  const [, , oh, ow] = out.dims as [number, number, number, number];
  const data = out.data as Float32Array;
  const plane = oh * ow;
  const heat = data.subarray(0, plane);
  const found: PlateBox[] = [];
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const v = heat[y * ow + x]!;
      if (v < threshold || !isPeak(heat, ow, oh, x, y)) continue;
      const bw = Math.exp(data[plane + y * ow + x]!) / k;
      const bh = Math.exp(data[2 * plane + y * ow + x]!) / k;
      const cx = ((x + 0.5) * STRIDE) / k;
      const cy = ((y + 0.5) * STRIDE) / k;
      found.push({ x: cx - bw / 2, y: cy - bh / 2, width: bw, height: bh, score: v });
    }
  }
  return found.sort((a, b) => b.score - a.score).slice(0, limit);
}

/**
 * A detected plate with the margin its readers get: detector boxes hug the
 * plate, and a clipped border character is lost for good.
 */
export function plateLookRegion(p: Box): Box {
  return { x: p.x - 0.08 * p.width, y: p.y - 0.1 * p.height, width: p.width * 1.16, height: p.height * 1.2 };
}

/** A cell no lower than its eight neighbours: one centre per plate. */
function isPeak(heat: Float32Array, w: number, h: number, x: number, y: number): boolean {
  const v = heat[y * w + x]!;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const nx = x + dx;
      const ny = y + dy;
      if ((dx || dy) && nx >= 0 && ny >= 0 && nx < w && ny < h && heat[ny * w + nx]! > v) return false;
    }
  }
  return true;
}

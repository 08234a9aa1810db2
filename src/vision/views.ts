import sharp, { type Sharp } from 'sharp';
import type { RgbImage } from './image.js';
import { clampBox, type Box } from './pixels.js';

/**
 * A region of the frame resampled for a closer look: pixel (px, py) of
 * `img` shows frame point (x + px / scale, y + py / scale).
 */
export interface View {
  img: RgbImage;
  x: number;
  y: number;
  scale: number;
  /**
   * Degrees the enlarged region was turned (clockwise) to level tilted
   * text, with the size it had before turning.
   */
  turn?: { degrees: number; width: number; height: number };
}

export function wholeFrame(img: RgbImage): View {
  return { img, x: 0, y: 0, scale: 1 };
}

/** A box of the view, in frame coordinates. */
export function toFrame(view: View, b: Box): Box {
  if (!view.turn) return { x: view.x + b.x / view.scale, y: view.y + b.y / view.scale, width: b.width / view.scale, height: b.height / view.scale };
  const pts = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]].map(([x, y]) => pointToFrame(view, x!, y!));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/** A point of the view, in frame coordinates (undoing the turn about the centre, then the enlargement). */
export function pointToFrame(view: View, px: number, py: number): [number, number] {
  let x = px;
  let y = py;
  if (view.turn) {
    // The view shows the region turned by `degrees`; turning back by -degrees about the centres undoes it.
    const a = (-view.turn.degrees * Math.PI) / 180;
    const dx = px - view.img.width / 2;
    const dy = py - view.img.height / 2;
    x = Math.cos(a) * dx - Math.sin(a) * dy + view.turn.width / 2;
    y = Math.sin(a) * dx + Math.cos(a) * dy + view.turn.height / 2;
  }
  return [view.x + x / view.scale, view.y + y / view.scale];
}

/**
 * Cuts `region` (frame coordinates) out of the frame and enlarges it by
 * `scale` with a Lanczos filter: small characters keep their strokes
 * apart, where the detector's and recogniser's own bilinear resizing of
 * the whole frame merges them.
 */
export async function closeView(frame: RgbImage, region: Box, scale: number, degrees = 0): Promise<View> {
  const { pipeline: cut, left, top, width, height } = cutRegion(frame, region);
  const W = Math.max(8, Math.round(width * scale));
  const H = Math.max(8, Math.round(height * scale));
  let pipeline = cut.resize(W, H, { fit: 'fill', kernel: 'lanczos3' });
  // resize and rotate in one sharp pipeline run in a fixed order (rotate first), so the turn is a second pass.
  if (degrees !== 0) pipeline = sharp(await pipeline.raw().toBuffer(), { raw: { width: W, height: H, channels: 3 } }).rotate(degrees, { background: { r: 128, g: 128, b: 128 } });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return {
    img: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) },
    x: left,
    y: top,
    scale: W / width,
    ...(degrees !== 0 ? { turn: { degrees, width: W, height: H } } : {}),
  };
}

/** A sharp pipeline over the whole pixels of `region` (frame coordinates, clamped to the frame), and where they lie. */
export function cutRegion(frame: RgbImage, region: Box): { pipeline: Sharp; left: number; top: number; width: number; height: number } {
  const b = clampBox(region, frame.width, frame.height);
  const left = Math.floor(b.x);
  const top = Math.floor(b.y);
  const width = Math.max(1, Math.min(frame.width - left, Math.ceil(b.x + b.width) - left));
  const height = Math.max(1, Math.min(frame.height - top, Math.ceil(b.y + b.height) - top));
  const pipeline = sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } }).extract({ left, top, width, height });
  return { pipeline, left, top, width, height };
}

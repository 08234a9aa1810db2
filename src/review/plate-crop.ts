import sharp from 'sharp';
import type { Bbox } from './evidence.js';

/** Share of the box's size added on every side, so the officer sees the plate's frame and surroundings. */
const MARGIN = 0.25;

/**
 * A PNG of the plate region with a margin (none for the public, who may see the plate and nothing else), clamped to the image. PNG is lossless, so the crop
 * shows exactly the pixels the reader saw, and the same original always gives the same bytes.
 */
export async function cropPlate(image: Buffer, box: Bbox, margin = MARGIN): Promise<Buffer> {
  const img = sharp(image, { failOn: 'error' }).rotate();
  const meta = await img.metadata();
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new Error('image has no dimensions');
  return img.extract(plateRegion(box, width, height, margin)).png().toBuffer();
}

/**
 * The same crop from an image already decoded (upright, 8-bit, `channels` per pixel): a caller that scales
 * the photo too decodes the original once for both.
 */
export async function cropPlatePixels(pixels: Buffer, image: { width: number; height: number; channels: 1 | 2 | 3 | 4 }, box: Bbox, margin = MARGIN): Promise<Buffer> {
  return sharp(pixels, { raw: image }).extract(plateRegion(box, image.width, image.height, margin)).png().toBuffer();
}

/** The plate box grown by the margin on every side, clamped to the image. */
function plateRegion(box: Bbox, width: number, height: number, margin: number): { left: number; top: number; width: number; height: number } {
  const mx = Math.round(box.width * margin);
  const my = Math.round(box.height * margin);
  const left = Math.max(0, box.x - mx);
  const top = Math.max(0, box.y - my);
  const right = Math.min(width, box.x + box.width + mx);
  const bottom = Math.min(height, box.y + box.height + my);
  if (right <= left || bottom <= top) throw new RangeError('plate box lies outside the image');
  return { left, top, width: right - left, height: bottom - top };
}

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
  const mx = Math.round(box.width * margin);
  const my = Math.round(box.height * margin);
  const left = Math.max(0, box.x - mx);
  const top = Math.max(0, box.y - my);
  const right = Math.min(width, box.x + box.width + mx);
  const bottom = Math.min(height, box.y + box.height + my);
  if (right <= left || bottom <= top) throw new RangeError('plate box lies outside the image');
  return img.extract({ left, top, width: right - left, height: bottom - top }).png().toBuffer();
}

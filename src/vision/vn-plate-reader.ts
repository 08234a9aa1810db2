import type { RgbImage } from './image.js';
import { runPixelBatch } from './models.js';
import type { Box } from './pixels.js';
import { cutRegion } from './views.js';
import { decodeCtc, PLATE_ALPHABET } from './ctc.js';
import type { PlateCropRead } from './plate-reader.js';

/** The reader's input: the plate unrolled into one line, as training/plate_reader/augment.py unroll() makes it. */
const LW = 256;
const LH = 32;
/** Output class 0 is the CTC blank, class c the symbol PLATE_ALPHABET[c - 1]. */
const INDEX = Int16Array.from({ length: PLATE_ALPHABET.length + 1 }, (_, c) => c - 1);

export interface VnPlateCrop {
  /** The plate with its border, in frame pixels. */
  box: Box;
  lines: 1 | 2;
}

async function linePixels(img: RgbImage, box: Box, width: number): Promise<Buffer> {
  return cutRegion(img, box).pipeline.resize(width, LH, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
}

/**
 * The plate as one 256x32 line: a square plate's top half on the left, its
 * bottom half on the right, so each column of the reader only has to know
 * the glyph under it.
 */
async function unrolled(img: RgbImage, crop: VnPlateCrop): Promise<Buffer> {
  const { box } = crop;
  if (crop.lines === 1) return linePixels(img, box, LW);
  const half = box.height / 2;
  const [top, bottom] = await Promise.all([
    linePixels(img, { ...box, height: half }, LW / 2),
    linePixels(img, { ...box, y: box.y + half, height: half }, LW / 2),
  ]);
  const out = Buffer.alloc(LW * LH * 3);
  const row = (LW / 2) * 3;
  for (let y = 0; y < LH; y++) {
    top.copy(out, y * LW * 3, y * row, (y + 1) * row);
    bottom.copy(out, y * LW * 3 + row, y * row, (y + 1) * row);
  }
  return out;
}

/**
 * Reads plate crops with the reader trained here on Vietnamese plates
 * (models/MODEL_CARD.md): synthetic plates of the whole grammar and real
 * crops from street and plate photos, degraded to camera quality.
 */
export async function readVnPlates(img: RgbImage, crops: readonly VnPlateCrop[]): Promise<PlateCropRead[]> {
  if (crops.length === 0) return [];
  const pixels = await Promise.all(crops.map((c) => unrolled(img, c)));
  const out = await runPixelBatch('vnReader', pixels, LH, LW);
  const [, frames, classes] = out.dims as [number, number, number];
  const data = out.data as Float32Array;
  return crops.map((_, i) => {
    const chars = decodeCtc(data.subarray(i * frames * classes, (i + 1) * frames * classes), frames, classes, INDEX);
    return { text: chars.map((c) => c.char).join(''), probs: chars.map((c) => c.probs) };
  });
}

import type { RgbImage } from './image.js';
import { runPixelBatch } from './models.js';
import type { Box } from './pixels.js';
import { cutRegion } from './views.js';
import { PLATE_ALPHABET } from './ctc.js';
import type { CharProbs } from './plate-grammar.js';

const W = 128;
const H = 64;
const SLOTS = 9;
/** The model's alphabet is PLATE_ALPHABET followed by the padding symbol. */
const PAD = PLATE_ALPHABET.length;
const CLASSES = PAD + 1;

export interface PlateCropRead {
  /** Characters before the first padding slot, in reading order (two lines read as one sequence). */
  text: string;
  /** Probabilities over PLATE_ALPHABET of each character of `text`. */
  probs: CharProbs[];
}

function cropPixels(img: RgbImage, box: Box): Promise<Buffer> {
  return cutRegion(img, box).pipeline.resize(W, H, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
}

/**
 * Reads whole plate crops with the fast-plate-ocr CCT reader (one crop, one
 * plate: both lines of a square plate come out as one sequence). It sees the
 * plate as a picture rather than as text lines, so it keeps reading where the
 * line detector and the line recogniser give up: 10 px characters of roadside
 * camera crops, blur, plates whose lines DB cannot separate.
 */
export async function readPlateCrops(img: RgbImage, boxes: readonly Box[]): Promise<PlateCropRead[]> {
  if (boxes.length === 0) return [];
  const pixels = await Promise.all(boxes.map((b) => cropPixels(img, b)));
  const data = (await runPixelBatch('plateReader', pixels, H, W)).data as Float32Array;
  return boxes.map((_, i) => {
    const probs: CharProbs[] = [];
    let text = '';
    for (let s = 0; s < SLOTS; s++) {
      const row = data.subarray((i * SLOTS + s) * CLASSES, (i * SLOTS + s + 1) * CLASSES);
      let best = 0;
      for (let c = 1; c < CLASSES; c++) if (row[c]! > row[best]!) best = c;
      if (best === PAD) break;
      text += PLATE_ALPHABET[best];
      probs.push(new Float32Array(row.subarray(0, PAD)));
    }
    return { text, probs };
  });
}

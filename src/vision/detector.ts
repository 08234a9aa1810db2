import type { RgbImage } from './image.js';
import { onnxSession, ort } from './models.js';
import { dbRegions, type TextRegion } from './db-postprocess.js';
import type { Quad } from './min-area-rect.js';
import sharp from 'sharp';

const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

/**
 * Detector input sizes (long side) to try, cheapest first. The detector
 * costs ~22 ms at 416 and ~55 ms at 640 on two cores: the coarse pass finds
 * plates that fill much of the frame (crops, close-ups), the fine pass the
 * small plates of street scenes. Small crops are enlarged so characters
 * span enough cells of the 1/4-resolution probability map; frames under
 * 640 px get a fine pass at about twice their size, because their plates
 * are a dozen pixels high.
 */
export function detectionPasses(width: number, height: number): number[] {
  const long = Math.max(width, height);
  const coarse = Math.min(416, Math.max(320, Math.round(long / 2)));
  const fine = long < 640 ? Math.min(960, Math.max(320, Math.round((2 * long) / 32) * 32)) : Math.min(640, long);
  return fine > coarse * 1.2 ? [coarse, fine] : [coarse];
}

/** Text regions in image pixel coordinates, detected with the input's long side scaled to `side`. */
export async function detectText(img: RgbImage, side: number): Promise<TextRegion[]> {
  const long = Math.max(img.width, img.height);
  const s = side / long;
  const W = Math.max(32, Math.round((img.width * s) / 32) * 32);
  const H = Math.max(32, Math.round((img.height * s) / 32) * 32);
  const session = await onnxSession('det');
  const input = new ort.Tensor('float32', await detInput(img, W, H), [1, 3, H, W]);
  const result = await session.run({ [session.inputNames[0]!]: input });
  const map = result[session.outputNames[0]!]!;
  const prob = map.data as Float32Array;
  const kx = img.width / W;
  const ky = img.height / H;
  return dbRegions(prob, W, H).map((r) => ({
    x: r.x * kx,
    y: r.y * ky,
    width: r.width * kx,
    height: r.height * ky,
    score: r.score,
    ...(r.quad ? { quad: r.quad.map(([x, y]) => [x * kx, y * ky]) as Quad } : {}),
  }));
}

/** libvips resamples with proper filtering and off the JS thread, several times faster than a JS loop here. */
async function detInput(img: RgbImage, W: number, H: number): Promise<Float32Array> {
  const px = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(W, H, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const plane = W * H;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const k = 1 / (255 * STD[c]!);
    const m = MEAN[c]! / STD[c]!;
    for (let i = 0, j = c; i < plane; i++, j += 3) out[c * plane + i] = px[j]! * k - m;
  }
  return out;
}

import { readFileSync } from 'node:fs';
import type { RgbImage } from './image.js';
import { modelPath, onnxSession, ort } from './models.js';
import { alphabetIndex, decodeCtc, type CharRead } from './ctc.js';
import { clampBox, toTensor, type Box } from './pixels.js';

const REC_H = 48;
const MAX_W = 480;
const HALF = [0.5, 0.5, 0.5] as const;

export interface LineRead {
  text: string;
  chars: CharRead[];
}

let index: Int16Array | undefined;
function vocabulary(): Int16Array {
  index ??= alphabetIndex(readFileSync(modelPath('recKeys'), 'utf8').split(/\r?\n/).filter((_, i, a) => i < a.length - 1 || a[i] !== ''));
  return index;
}

/**
 * The Vietnamese plate font is narrower than the text the recogniser was
 * trained on; widening VN lines by 30% separates 1/7/4 and M/N better (+1.4
 * points on the development crops; 1.6, 2.0 and averaging 1.0+1.4 did
 * worse). On Brazilian plates the same stretch turns I into 1, so it is a
 * per-profile choice.
 */
export const VN_STRETCH = 1.3;

/**
 * Reads text lines with the PP-OCRv4 recogniser, all lines in one batch.
 * Narrow lines are zero-padded on the right (zero is mid-grey after
 * normalisation), as PaddleOCR does.
 */
export async function readLines(img: RgbImage, boxes: readonly Box[], stretch = 1): Promise<LineRead[]> {
  if (boxes.length === 0) return [];
  const session = await onnxSession('rec');
  const vocab = vocabulary();
  const clamped = boxes.map((b) => clampBox(b, img.width, img.height));
  const widths = clamped.map((b) => Math.min(MAX_W, Math.max(16, Math.ceil((stretch * REC_H * b.width) / b.height))));
  const tensorW = Math.ceil(Math.max(...widths) / 8) * 8;
  const per = 3 * REC_H * tensorW;
  const batch = new Float32Array(per * boxes.length);
  clamped.forEach((b, i) => batch.set(toTensor(img, b, widths[i]!, REC_H, HALF, HALF, tensorW), i * per));
  const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', batch, [boxes.length, 3, REC_H, tensorW]) });
  const out = result[session.outputNames[0]!]!;
  const [, frames, classes] = out.dims as [number, number, number];
  const data = out.data as Float32Array;
  return clamped.map((_, i) => {
    // Frames past the real width only see padding; dropping them keeps `at` meaningful.
    const used = Math.min(frames, Math.ceil((frames * widths[i]!) / tensorW));
    const chars = decodeCtc(data.subarray(i * frames * classes, (i * frames + used) * classes), used, classes, vocab);
    return { text: chars.map((c) => c.char).join(''), chars };
  });
}

import { dirname } from 'node:path';
import sharp from 'sharp';
import Tesseract from 'tesseract.js';
import type { RgbImage } from './image.js';
import { modelPath } from './models.js';
import { ModelError } from './errors.js';
import { clampBox, type Box } from './pixels.js';
import { PLATE_ALPHABET } from './ctc.js';

export interface TessChar {
  char: string;
  confidence: number;
}

/** Tesseract reads best with text around 30-40 px high on a light background. */
const TESS_H = 64;

/**
 * Second-opinion line reader. Tesseract runs in its own worker thread; one
 * worker serialises its jobs, which is fine because it is only asked about
 * low-confidence reads.
 */
export class TesseractReader {
  private constructor(private readonly worker: Tesseract.Worker) {}

  static async create(): Promise<TesseractReader> {
    // The manifest check pins the exact eng data; tesseract then loads it from that folder, never from the network.
    const langPath = dirname(modelPath('tesseractEng'));
    const worker = await Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
      langPath,
      cacheMethod: 'none',
      gzip: true,
    }, {
      // Word lists pull plates towards English words.
      load_system_dawg: '0',
      load_freq_dawg: '0',
    }).catch((cause: unknown) => {
      throw new ModelError('load_failed', `tesseract could not load ${langPath}`, { cause });
    });
    await worker.setParameters({
      tessedit_char_whitelist: PLATE_ALPHABET,
      tessedit_pageseg_mode: Tesseract.PSM.SINGLE_LINE,
      user_defined_dpi: '300',
    });
    return new TesseractReader(worker);
  }

  async readLine(img: RgbImage, box: Box, invert = false): Promise<TessChar[]> {
    const b = clampBox(box, img.width, img.height);
    const left = Math.floor(b.x);
    const top = Math.floor(b.y);
    const width = Math.max(1, Math.min(img.width - left, Math.ceil(b.width)));
    const height = Math.max(1, Math.min(img.height - top, Math.ceil(b.height)));
    let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .extract({ left, top, width, height })
      .greyscale()
      .resize({ height: TESS_H })
      .normalise();
    if (invert) pipeline = pipeline.negate();
    const png = await pipeline.extend({ top: 8, bottom: 8, left: 8, right: 8, background: invert ? '#000' : '#fff' }).png().toBuffer();
    const { data } = await this.worker.recognize(png, {}, { blocks: true, text: false });
    const out: TessChar[] = [];
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const line of para.lines) {
          for (const word of line.words) {
            for (const s of word.symbols) {
              const ch = s.text.toUpperCase();
              if (ch.length === 1 && PLATE_ALPHABET.includes(ch)) out.push({ char: ch, confidence: Math.max(0, Math.min(1, s.confidence / 100)) });
            }
          }
        }
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

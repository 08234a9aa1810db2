import QRCode from 'qrcode';
import sharp, { type Sharp } from 'sharp';
import type { Bbox } from '../review/evidence.js';
import { cropPlate, cropPlatePixels } from '../review/plate-crop.js';
import type { NoticeDocument } from './document.js';
import { greyPng } from './pdf-png.js';
import { buildNoticePdf, type NoticeImages, type NoticePrintSettings } from './pdf.js';
import { loadNoticeTemplate } from './template.js';

/**
 * A notice ready to lay out: the document, its print settings and the evidence bytes, already read from
 * storage and verified (render.ts prepares it). Plain data, so it can be handed to a render thread.
 */
export interface NoticeRenderJob {
  doc: NoticeDocument;
  settings: NoticePrintSettings;
  /** the first evidence photo as stored (the camera original) */
  original: Uint8Array;
  /** where the plate read lies in it, when it has one */
  plateBox: Bbox | null;
  /** the further frames of that capture, in order, as stored */
  frames: Uint8Array[];
}

/**
 * The QR code of the public lookup link as a black-and-white greyscale PNG, about 240 px wide with a
 * one-module margin. Drawn pixel by pixel and written here (greyPng): without an alpha channel pdfkit embeds
 * it as it is instead of decoding it in JavaScript to split the alpha out.
 */
function qrPng(url: string): Buffer {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const cells = modules.size + 2;
  const scale = Math.max(1, Math.floor(240 / cells));
  const side = cells * scale;
  const pixels = Buffer.alloc(side * side, 255);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let y = (row + 1) * scale; y < (row + 2) * scale; y++) pixels.fill(0, y * side + (col + 1) * scale, y * side + (col + 2) * scale);
    }
  }
  return greyPng(pixels, side, side);
}

/** Pixel sizes the photos are scaled to: a little more than the print needs, and whole fractions of common camera frames. */
const PHOTO = { width: 960, height: 720 };
const FRAME = { width: 320, height: 240 };
/**
 * A photo halved in size needs no wide resampling kernel: a triangle filter over the two-pixel footprint
 * is visibly the same at 280 dpi, and costs less than lanczos3 (~1 ms a notice). Huffman tables optimised
 * for each photo take a second pass over it (~3 ms a notice, a twentieth of a notice's CPU) to save ~9 kB
 * (a fifth of the photo, under a tenth of the PDF): rendering 10,000 notices in minutes weighs more.
 */
const PHOTO_KERNEL = 'linear';
const PHOTO_JPEG = { quality: 80, optimiseCoding: false };
const FRAME_JPEG = { quality: 75, optimiseCoding: false };

/**
 * The evidence photo scaled for the page (a camera original can be 20 MB; the page shows it 250 pt wide, so
 * 960 px, about 280 dpi, is plenty) and the plate crop at full resolution. Decoding the original is the
 * largest single cost of a notice, so it is decoded once for both; an image that is not plain RGB (grey,
 * with alpha) takes the two-decode path, which handles any image.
 */
async function photoAndPlate(original: Buffer, plateBox: Bbox | null): Promise<{ photo: Buffer; plateCrop: Buffer | null }> {
  const scale = (img: Sharp) => img.resize({ width: PHOTO.width, height: PHOTO.height, fit: 'inside', withoutEnlargement: true, kernel: PHOTO_KERNEL })
    .jpeg(PHOTO_JPEG).toBuffer();
  const { data, info } = await sharp(original, { failOn: 'error' }).rotate().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) {
    return { photo: await scale(sharp(original, { failOn: 'error' }).rotate()), plateCrop: plateBox ? await cropPlate(original, plateBox) : null };
  }
  const image = { width: info.width, height: info.height, channels: 3 } as const;
  return { photo: await scale(sharp(data, { raw: image })), plateCrop: plateBox ? await cropPlatePixels(data, image, plateBox) : null };
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * The notice's PDF from a prepared job: the CPU work of a render (scaling the photos, the plate crop, the
 * QR code, the PDF), with no database or storage access, so it gives the same bytes in any thread.
 */
export async function layoutNotice(job: NoticeRenderJob): Promise<Buffer> {
  const { photo, plateCrop } = await photoAndPlate(asBuffer(job.original), job.plateBox);
  const qr = qrPng(job.settings.lookupUrl);
  const frames: Buffer[] = [];
  for (const bytes of job.frames) {
    // printed about 100 pt wide: a quarter of a 1280 px frame, decoded at a quarter of its size
    frames.push(await sharp(asBuffer(bytes), { failOn: 'error' }).rotate()
      .resize({ width: FRAME.width, height: FRAME.height, fit: 'inside', withoutEnlargement: true }).jpeg(FRAME_JPEG).toBuffer());
  }
  const images: NoticeImages = { photo, plateCrop, qr, frames };
  return buildNoticePdf(job.doc, images, job.settings, loadNoticeTemplate('vi'));
}

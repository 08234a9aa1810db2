import sharp, { type Metadata } from 'sharp';
import { ImageError } from './errors.js';

export const MAX_PIXELS = 40_000_000;

/** Packed 8-bit RGB, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Roi {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DecodedImage {
  /** Size of the upright (EXIF-applied) image, before the ROI cut. */
  width: number;
  height: number;
  /** Pixels of the ROI (or the whole image); `offset` maps them back. */
  image: RgbImage;
  offset: { x: number; y: number };
}

/** Decodes, applies EXIF orientation and cuts the ROI; every failure is an ImageError. */
export async function decodeImage(input: Buffer, roi?: Roi): Promise<DecodedImage> {
  if (input.length === 0) throw new ImageError('empty', 'image is empty (0 bytes)');
  let meta: Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch (cause) {
    throw new ImageError('not_image', 'input is not a supported image', { cause });
  }
  if (!meta.width || !meta.height) throw new ImageError('not_image', 'image has no dimensions');
  if (meta.width * meta.height > MAX_PIXELS) {
    throw new ImageError('too_large', `image is ${meta.width}x${meta.height}, above ${MAX_PIXELS / 1e6} megapixels`);
  }
  // EXIF orientations 5-8 swap the axes.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;

  let region: Roi = { x: 0, y: 0, width, height };
  if (roi) {
    const x = Math.max(0, Math.floor(roi.x));
    const y = Math.max(0, Math.floor(roi.y));
    const r = Math.min(width, Math.ceil(roi.x + roi.width));
    const b = Math.min(height, Math.ceil(roi.y + roi.height));
    if (!(r - x >= 8 && b - y >= 8)) throw new ImageError('bad_roi', 'region of interest is outside the image or too small');
    region = { x, y, width: r - x, height: b - y };
  }

  try {
    let pipeline = sharp(input, { failOn: 'truncated', limitInputPixels: MAX_PIXELS, sequentialRead: true })
      .timeout({ seconds: 10 })
      .rotate();
    if (roi) pipeline = pipeline.extract({ left: region.x, top: region.y, width: region.width, height: region.height });
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const image = toRgb(data, info.width, info.height, info.channels);
    return { width, height, image, offset: { x: region.x, y: region.y } };
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    if (/truncat|premature|unexpected end|corrupt|VipsJpeg|incomplete/i.test(msg)) {
      throw new ImageError('truncated', 'image data is truncated or corrupt', { cause });
    }
    if (/pixel limit/i.test(msg)) throw new ImageError('too_large', 'image exceeds the pixel limit', { cause });
    throw new ImageError('decode_failed', `image could not be decoded: ${msg}`, { cause });
  }
}

function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  if (channels === 3) return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  // Greyscale sources stay single-channel through toColourspace on some libvips builds.
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, n = width * height; i < n; i++) {
    const v = data[i * channels] ?? 0;
    out[i * 3] = v;
    out[i * 3 + 1] = channels >= 3 ? (data[i * channels + 1] ?? v) : v;
    out[i * 3 + 2] = channels >= 3 ? (data[i * channels + 2] ?? v) : v;
  }
  return { width, height, data: out };
}

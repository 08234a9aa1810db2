import sharp, { type Metadata } from 'sharp';
import { IngestRejection } from './errors.js';

export interface ProbedImage {
  contentType: 'image/jpeg' | 'image/png' | 'image/webp';
  width: number;
  height: number;
  bytes: number;
}

const TYPES = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

/**
 * Decides from the bytes (never from the declared type or file name) whether this is an image we
 * keep: a supported format, within the pixel limit, and decodable to the last row. The decode runs
 * at a reduced scale (JPEG shrink-on-load), which still reads every byte, so a truncated upload is
 * caught here rather than dead-lettered later.
 */
export async function probeImage(data: Buffer, limits: { maxPixels: number; maxBytes: number }): Promise<ProbedImage> {
  if (data.length === 0) throw new IngestRejection(400, 'empty_image', 'the image is empty (0 bytes)');
  if (data.length > limits.maxBytes) {
    throw new IngestRejection(413, 'image_too_large', `the image is ${data.length} bytes; the limit is ${limits.maxBytes}`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new IngestRejection(415, 'not_an_image', 'the file is not a readable image (JPEG, PNG or WebP expected)');
  }
  const contentType = TYPES[meta.format as keyof typeof TYPES];
  if (!contentType) {
    throw new IngestRejection(415, 'unsupported_type', `images must be JPEG, PNG or WebP; this is ${meta.format ?? 'unknown'}`);
  }
  if (!meta.width || !meta.height) throw new IngestRejection(415, 'not_an_image', 'the image has no dimensions');
  if ((meta.pages ?? 1) > 1) throw new IngestRejection(415, 'unsupported_type', 'animated or multi-page images are not accepted');
  if (meta.width * meta.height > limits.maxPixels) {
    throw new IngestRejection(413, 'too_many_pixels', `the image is ${meta.width}x${meta.height} = ${meta.width * meta.height} pixels; the limit is ${limits.maxPixels}`);
  }
  try {
    // failOn 'warning': libjpeg's "Corrupt JPEG data" warnings mean damaged pixels, not evidence
    await sharp(data, { failOn: 'warning', limitInputPixels: limits.maxPixels, sequentialRead: true })
      .timeout({ seconds: 10 })
      .resize({ width: 64, height: 64, fit: 'inside', fastShrinkOnLoad: true })
      .raw()
      .toBuffer();
  } catch (err) {
    throw new IngestRejection(400, 'corrupt_image', `the image data is truncated or corrupt: ${(err as Error).message.split('\n')[0]}`);
  }
  return { contentType, width: meta.width, height: meta.height, bytes: data.length };
}

import { describe, it, expect } from 'vitest';
import sharp from 'sharp';
import { decodeImage, MAX_PIXELS } from '../../src/vision/image.js';
import { ImageError } from '../../src/vision/errors.js';

async function expectImageError(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ImageError);
  expect((err as ImageError).code).toBe(code);
}

const gradient = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#808080' } }).jpeg().toBuffer();

describe('decodeImage', () => {
  it('rejects 0 bytes as empty', async () => {
    await expectImageError(decodeImage(Buffer.alloc(0)), 'empty');
  });

  it('rejects bytes that are not an image', async () => {
    await expectImageError(decodeImage(Buffer.from('%PDF-1.7 not a picture')), 'not_image');
  });

  it('rejects a truncated JPEG', async () => {
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#3a6' } })
      .composite([{ input: Buffer.from('<svg width="400" height="300"><text x="10" y="150" font-size="80">29A</text></svg>') }])
      .jpeg()
      .toBuffer();
    await expectImageError(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 'truncated');
  });

  it(`rejects images above ${MAX_PIXELS / 1e6} megapixels before decoding them`, async () => {
    // Flat colour compresses to ~100 kB, but decoding would need 120 MB.
    const huge = await sharp({ create: { width: 8000, height: 5001, channels: 3, background: '#000' } }).png().toBuffer();
    await expectImageError(decodeImage(huge), 'too_large');
  });

  it('applies EXIF orientation so the image is upright', async () => {
    // Stored 20 wide x 40 high; orientation 6 means "rotate 90 degrees clockwise to view".
    const stored = await sharp({ create: { width: 20, height: 40, channels: 3, background: '#fff' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const d = await decodeImage(stored);
    expect([d.width, d.height]).toEqual([40, 20]);
    expect([d.image.width, d.image.height]).toEqual([40, 20]);
    expect(d.image.data.length).toBe(40 * 20 * 3);
  });

  it('cuts a region of interest and reports its offset', async () => {
    const d = await decodeImage(await gradient(200, 100), { x: 50, y: 10, width: 100, height: 60 });
    expect([d.width, d.height]).toEqual([200, 100]);
    expect([d.image.width, d.image.height]).toEqual([100, 60]);
    expect(d.offset).toEqual({ x: 50, y: 10 });
  });

  it('clips a region of interest to the image and rejects one outside it', async () => {
    const d = await decodeImage(await gradient(200, 100), { x: 150, y: 50, width: 500, height: 500 });
    expect([d.image.width, d.image.height]).toEqual([50, 50]);
    await expectImageError(decodeImage(await gradient(200, 100), { x: 300, y: 0, width: 10, height: 10 }), 'bad_roi');
  });
});

import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { greyPng, plainPng, pngForPdf } from '../../src/notices/pdf-png.js';
import { readPdf } from './pdf-text.js';

/**
 * The plate crop and the QR code reach the PDF without pdfkit reading the PNG (png-js copies it byte by
 * byte): the document must be the one pdfkit makes from the same PNG, and a PNG the shortcut does not
 * cover must still go to pdfkit.
 */

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function pdfWith(png: Buffer, shortcut: boolean): Promise<Buffer> {
  const pdf = new PDFDocument({ size: 'A4', info: { CreationDate: new Date('2026-01-01T00:00:00Z') } });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => pdf.on('end', () => resolve(Buffer.concat(chunks))));
  // two images, so the names pdfkit gives them (I1, I2) are checked too
  for (const [x, y] of [[40, 40], [300, 40]] as const) pdf.image(shortcut ? pngForPdf(pdf, png) : png, x, y, { fit: [140, 80] });
  pdf.end();
  return done;
}

const noisy = (channels: 3 | 4) => sharp({ create: { width: 290, height: 72, channels, background: { r: 200, g: 190, b: 180, alpha: 0.5 },
  noise: { type: 'gaussian', mean: 120, sigma: 30 } } });
const idatChunks = (png: Buffer) => {
  let n = 0;
  for (let at = png.indexOf('IDAT'); at >= 0; at = png.indexOf('IDAT', at + 1)) n++;
  return n;
};

describe('PNG images in a notice PDF', () => {
  it.each([['RGB', 3], ['greyscale', 1]] as const)('writes an 8-bit %s PNG exactly as pdfkit does', async (_, colours) => {
    const png = await (colours === 1 ? noisy(3).toColourspace('b-w') : noisy(3)).png().toBuffer();
    // the image data comes in several chunks (as from sharp): all of them, in order, make the image
    expect(idatChunks(png)).toBeGreaterThan(1);
    expect(plainPng(png)).toMatchObject({ width: 290, height: 72, colours });
    const mine = await pdfWith(png, true);
    expect(sha(mine)).toBe(sha(await pdfWith(png, false)));
    expect((await readPdf(mine)).images).toBe(2);
  });

  it('leaves to pdfkit a PNG with transparency, a palette, 16 bits or interlacing, and bytes that are no PNG', async () => {
    const others = [
      await noisy(4).png().toBuffer(),
      await noisy(3).png({ palette: true }).toBuffer(),
      await noisy(3).toColourspace('rgb16').png().toBuffer(),
      await noisy(3).png({ progressive: true }).toBuffer(),
      await noisy(3).jpeg().toBuffer(),
    ];
    const pdf = new PDFDocument();
    for (const png of others) {
      expect(plainPng(png)).toBeNull();
      expect(pngForPdf(pdf, png)).toBe(png);
    }
  });

  it('writes a greyscale PNG that decodes to the given pixels (the QR code), and refuses pixels of another size', async () => {
    const width = 37;
    const height = 23;
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => ((i * 7) % 5 === 0 ? 0 : 255 - (i % 13)));
    const png = greyPng(pixels, width, height);
    expect(plainPng(png)).toMatchObject({ width, height, colours: 1 });
    const decoded = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(decoded.info).toMatchObject({ width, height, channels: 1 });
    expect(decoded.data.equals(pixels)).toBe(true);
    expect(() => greyPng(pixels, width, height + 1)).toThrow(RangeError);
  });
});

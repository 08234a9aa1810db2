import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { Role } from '../../src/auth/roles.js';
import type { Pool } from '../../src/db/pool.js';
import { staffWithSession } from '../helpers/fixtures.js';

/** A staff member of `role` and a session token for them. */
export async function staffToken(pool: Pool, role: Role): Promise<{ id: number; username: string; token: string }> {
  const { id, username, token } = await staffWithSession(pool, role);
  return { id, username, token };
}

/**
 * A street-like JPEG: a grey gradient with a patch of random noise (so every image has its own
 * sha256) and, when `plate` is given, a white plate with that text in black.
 */
export async function syntheticJpeg(opts: { width?: number; height?: number; plate?: string } = {}): Promise<Buffer> {
  const width = opts.width ?? 320;
  const height = opts.height ?? 180;
  // a faint random patch makes every image's bytes unique; at full contrast, random pixels now and then gave the
  // plate readers glyph-like strokes to read, so an image meant to hold no plate was read as one
  const noise = await sharp(Buffer.from(randomBytes(24 * 24 * 3).map((v) => 112 + (v & 15))), { raw: { width: 24, height: 24, channels: 3 } }).png().toBuffer();
  const plate = opts.plate
    ? `<rect x="${width / 2 - 70}" y="${height / 2 - 18}" width="140" height="36" fill="white" stroke="black" stroke-width="2"/>
       <text x="${width / 2}" y="${height / 2 + 10}" font-family="DejaVu Sans, sans-serif" font-size="24" font-weight="bold" text-anchor="middle" fill="black">${opts.plate}</text>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#9aa"/><stop offset="1" stop-color="#445"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${plate}</svg>`;
  return sharp(Buffer.from(svg)).composite([{ input: noise, left: 4, top: 4 }]).jpeg({ quality: 85 }).toBuffer();
}

/** A multipart/form-data body for app.inject. */
export function multipartBody(fields: Record<string, string>, file?: { name?: string; filename: string; data: Buffer; type?: string }): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----pn${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name ?? 'image'}"; filename="${file.filename}"\r\nContent-Type: ${file.type ?? 'image/jpeg'}\r\n\r\n`));
    chunks.push(file.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

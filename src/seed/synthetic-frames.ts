import sharp from 'sharp';

/**
 * Camera-like frames with a readable plate, for the demo and tests: the plate is drawn with SVG text
 * (DejaVu, as the plate font is a narrow sans) on a vehicle-shaped block over a noisy road, so the
 * real detector and recogniser have something honest to do. Deterministic for a given seed.
 */
export interface PlateFrameOptions {
  width?: number;
  height?: number;
  seed?: number;
  /** plate background and ink: white/black for private vehicles, yellow/black for transport */
  plateColour?: 'white' | 'yellow' | 'blue';
}

const PLATE_FILL = { white: '#f4f4f0', yellow: '#f2c21b', blue: '#1f4fa8' } as const;

export async function renderPlateFrame(lines: readonly string[], opts: PlateFrameOptions = {}): Promise<Buffer> {
  const width = opts.width ?? 1280;
  const height = opts.height ?? 720;
  const seed = opts.seed ?? 1;
  const twoLine = lines.length === 2;
  const plateW = twoLine ? 190 : 300;
  const plateH = Math.round(twoLine ? plateW / 1.4 : plateW / 4.5);
  const jitter = (seed * 7919) % 200;
  const px = Math.round(width / 2 - plateW / 2 + jitter - 100);
  const py = Math.round(height * 0.62);
  const ink = opts.plateColour === 'blue' ? '#fff' : '#111';
  const size = twoLine ? plateH * 0.36 : plateH * 0.62;
  const text = lines.map((line, i) => {
    const y = twoLine ? plateH * (0.42 + i * 0.42) : plateH * 0.72;
    return `<text x="${px + plateW / 2}" y="${py + y}" font-family="DejaVu Sans Condensed, DejaVu Sans, sans-serif" font-weight="bold"
      font-size="${size}" fill="${ink}" text-anchor="middle">${escapeXml(line)}</text>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="road" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8d97a0"/><stop offset="1" stop-color="#3b3f45"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#road)"/>
    <rect x="${px - 160}" y="${py - 260}" width="${plateW + 320}" height="${plateH + 330}" rx="40" fill="#5a6470"/>
    <rect x="${px}" y="${py}" width="${plateW}" height="${plateH}" rx="6" fill="${PLATE_FILL[opts.plateColour ?? 'white']}" stroke="${ink}" stroke-width="3"/>
    ${text}</svg>`;
  return sharp(Buffer.from(svg)).composite([{ input: await noise(64, 48, seed), left: 8, top: 8 }]).jpeg({ quality: 88 }).toBuffer();
}

/** A small patch of seeded noise: it makes every frame's bytes (and sha256) its own. */
function noise(width: number, height: number, seed: number): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < px.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    px[i] = s >>> 24;
  }
  return sharp(px, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** How a canonical plate is laid out on the metal: motorbike plates and `30A/123.45` squares use two lines. */
export function plateLines(plate: string, layout: 'one-line' | 'two-line'): string[] {
  if (layout === 'one-line') return [plate];
  const space = plate.indexOf(' ');
  if (space > 0) return [plate.slice(0, space), plate.slice(space + 1)];
  const dash = plate.indexOf('-');
  return dash > 0 ? [plate.slice(0, dash), plate.slice(dash + 1)] : [plate];
}

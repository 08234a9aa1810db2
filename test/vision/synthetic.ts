import sharp from 'sharp';

export interface SyntheticPlate {
  lines: string[];
  background?: string;
  ink?: string;
}

export interface SyntheticScene {
  image: Buffer;
  /** Where the plate was drawn, in scene pixels. */
  plate: { x: number; y: number; width: number; height: number };
}

/** Deterministic noise so a failing test fails the same way every run. */
function noise(width: number, height: number, seed: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < px.length; i += 3) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = 60 + (s >>> 24) / 3 + 40 * Math.sin(i / 3 / width / 9);
    px[i] = v;
    px[i + 1] = v * 0.95;
    px[i + 2] = v * 0.9;
  }
  return px;
}

function plateSvg(p: SyntheticPlate, width: number, height: number): Buffer {
  const bg = p.background ?? '#f4f4f0';
  const ink = p.ink ?? '#111';
  const size = p.lines.length === 2 ? height * 0.36 : height * 0.62;
  const rows = p.lines
    .map((line, i) => {
      const y = p.lines.length === 2 ? height * (0.42 + i * 0.42) : height * 0.72;
      return `<text x="${width / 2}" y="${y}" font-family="DejaVu Sans Condensed, DejaVu Sans, sans-serif" font-weight="bold" font-size="${size}" fill="${ink}" text-anchor="middle">${line}</text>`;
    })
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect x="1" y="1" width="${width - 2}" height="${height - 2}" rx="6" fill="${bg}" stroke="${ink}" stroke-width="3"/>${rows}</svg>`,
  );
}

/**
 * A plate drawn with SVG text on a noisy scene: long plates are ~4.5:1,
 * square plates ~1.4:1, as on the road.
 */
export async function renderScene(
  plate: SyntheticPlate,
  opts: { sceneWidth?: number; sceneHeight?: number; plateWidth?: number; at?: { x: number; y: number }; seed?: number; format?: 'png' | 'jpeg' } = {},
): Promise<SyntheticScene> {
  const sceneWidth = opts.sceneWidth ?? 640;
  const sceneHeight = opts.sceneHeight ?? 480;
  const width = opts.plateWidth ?? (plate.lines.length === 2 ? 200 : 300);
  const height = Math.round(plate.lines.length === 2 ? width / 1.4 : width / 4.5);
  const at = opts.at ?? { x: Math.round((sceneWidth - width) / 2), y: Math.round((sceneHeight - height) / 2) };
  const base = sharp(noise(sceneWidth, sceneHeight, opts.seed ?? 7), { raw: { width: sceneWidth, height: sceneHeight, channels: 3 } })
    .composite([{ input: plateSvg(plate, width, height), left: at.x, top: at.y }]);
  const image = opts.format === 'jpeg' ? await base.jpeg({ quality: 90 }).toBuffer() : await base.png().toBuffer();
  return { image, plate: { x: at.x, y: at.y, width, height } };
}

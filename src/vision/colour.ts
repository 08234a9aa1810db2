import type { RgbImage } from './image.js';
import { clampBox, type Box } from './pixels.js';

/** The five plate colours of Vietnamese law; `white_red` is white with red characters (NG, QT, NN, CV plates). */
export type PlateColour = 'white' | 'yellow' | 'blue' | 'red' | 'white_red' | 'unknown';

function hsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  let h = 0;
  if (d > 0) {
    if (max === r) h = ((g - b) / d + 6) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
  }
  return [h * 60, max === 0 ? 0 : d / max, max / 255];
}

const isRed = ([h, s, v]: [number, number, number]) => s > 0.45 && v > 0.25 && (h <= 15 || h >= 340);

/**
 * Plate colour. Characters cover well under half the plate, so the
 * background is whichever luma half is saturated (blue/red plates carry
 * light text), else the bright half (white/yellow plates carry dark text).
 * On a white plate the darkest pixels are the characters: red ones make the
 * white-with-red plate of foreign organisations and their staff.
 */
export function plateColour(img: RgbImage, box: Box): PlateColour {
  const b = clampBox(box, img.width, img.height);
  const px: [number, number, number, number][] = [];
  const step = Math.max(1, Math.floor(Math.sqrt((b.width * b.height) / 2000)));
  for (let y = Math.floor(b.y + b.height * 0.1); y < b.y + b.height * 0.9; y += step) {
    for (let x = Math.floor(b.x + b.width * 0.05); x < b.x + b.width * 0.95; x += step) {
      const i = (y * img.width + x) * 3;
      const r = img.data[i]!, g = img.data[i + 1]!, bl = img.data[i + 2]!;
      px.push([r, g, bl, 0.299 * r + 0.587 * g + 0.114 * bl]);
    }
  }
  if (px.length < 8) return 'unknown';
  px.sort((p, q) => p[3] - q[3]);
  const mean = (part: typeof px) => {
    const s = [0, 0, 0];
    for (const p of part) { s[0]! += p[0]; s[1]! += p[1]; s[2]! += p[2]; }
    return hsv(s[0]! / part.length, s[1]! / part.length, s[2]! / part.length);
  };
  const dark = mean(px.slice(0, Math.floor(px.length * 0.4)));
  const light = mean(px.slice(Math.floor(px.length * 0.5)));
  // White with red characters: the darkest pixels (the characters) are red, they cover a fifth to a third of
  // the plate, and the rest is truly white. A faded red plate is red all over and pink rather than white; a
  // white plate on a red car has black characters.
  if (light[1] < 0.15 && light[2] > 0.35 && isRed(mean(px.slice(0, Math.max(1, Math.floor(px.length * 0.15)))))) {
    const redShare = px.filter(([r, g, bl]) => isRed(hsv(r, g, bl))).length / px.length;
    if (redShare >= 0.08 && redShare <= 0.4) return 'white_red';
  }
  if (dark[1] > 0.45 && dark[2] > 0.2 && dark[0] >= 190 && dark[0] <= 250) return 'blue';
  if (isRed(dark)) return 'red';
  if (light[1] > 0.3 && light[0] >= 35 && light[0] <= 70 && light[2] > 0.35) return 'yellow';
  if (light[1] < 0.25 && light[2] > 0.35) return 'white';
  return 'unknown';
}

import { describe, it, expect } from 'vitest';
import sharp from 'sharp';
import { plateColour } from '../../src/vision/colour.js';
import type { RgbImage } from '../../src/vision/image.js';

/** A 200x44 plate: background, border and characters drawn as on the road. */
async function plate(background: string, ink: string): Promise<RgbImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="44">
    <rect x="1" y="1" width="198" height="42" rx="4" fill="${background}" stroke="${ink}" stroke-width="3"/>
    <text x="100" y="33" font-family="DejaVu Sans" font-weight="bold" font-size="28" fill="${ink}" text-anchor="middle">80-011-NG-01</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const whole = { x: 0, y: 0, width: 200, height: 44 };

describe('plate colour', () => {
  it('tells all five colours of Vietnamese plates', async () => {
    expect(plateColour(await plate('#f4f4f0', '#111111'), whole)).toBe('white');
    expect(plateColour(await plate('#f2c21b', '#111111'), whole)).toBe('yellow');
    expect(plateColour(await plate('#1d4fa8', '#ffffff'), whole)).toBe('blue');
    expect(plateColour(await plate('#c8102e', '#ffffff'), whole)).toBe('red');
    expect(plateColour(await plate('#f4f4f0', '#c8102e'), whole)).toBe('white_red');
  });

  it('does not take a dark grey or brown ink on white for red characters', async () => {
    expect(plateColour(await plate('#f4f4f0', '#444444'), whole)).toBe('white');
    expect(plateColour(await plate('#f4f4f0', '#3b2a1e'), whole)).toBe('white');
  });
});

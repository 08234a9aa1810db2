import { describe, it, expect } from 'vitest';
import sharp from 'sharp';
import { decodeImage } from '../../src/vision/image.js';
import { readVnPlates } from '../../src/vision/vn-plate-reader.js';
import { renderScene } from './synthetic.js';

/** A plate drawn alone and shrunk to the size a camera or a street photo gives it. */
async function plateImage(lines: string[], width: number, height: number) {
  const plateWidth = lines.length === 2 ? 200 : 300;
  const plateHeight = Math.round(lines.length === 2 ? plateWidth / 1.4 : plateWidth / 4.5);
  const scene = await renderScene({ lines }, { sceneWidth: plateWidth + 8, sceneHeight: plateHeight + 8, plateWidth, at: { x: 4, y: 4 }, seed: 5 });
  const small = await sharp(scene.image).resize(width, height, { fit: 'fill' }).png().toBuffer();
  return (await decodeImage(small)).image;
}

describe('the VN plate reader (models/vn_plate_reader.onnx)', () => {
  it('reads a one-line car plate whole', async () => {
    const img = await plateImage(['51K-228.43'], 150, 36);
    const [r] = await readVnPlates(img, [{ box: { x: 0, y: 0, width: img.width, height: img.height }, lines: 1 }]);
    expect(r!.text).toBe('51K22843');
    expect(r!.probs).toHaveLength(8);
  });

  it('reads a square motorbike plate top line first, at a roadside camera size', async () => {
    const img = await plateImage(['59-U1', '352.26'], 48, 36);
    const [r] = await readVnPlates(img, [{ box: { x: 0, y: 0, width: img.width, height: img.height }, lines: 2 }]);
    expect(r!.text).toBe('59U135226');
  });

  it('answers each plate of a batch in order, and nothing for no plate', async () => {
    const car = await plateImage(['30A-123.45'], 150, 36);
    const [a, b] = await readVnPlates(car, [
      { box: { x: 0, y: 0, width: car.width, height: car.height }, lines: 1 },
      { box: { x: 0, y: 0, width: car.width / 2, height: car.height }, lines: 1 },
    ]);
    expect(a!.text).toBe('30A12345');
    expect(b!.text).not.toBe('30A12345');
    expect(await readVnPlates(car, [])).toEqual([]);
  });
});

import { describe, it, expect } from 'vitest';
import sharp from 'sharp';
import { decodeImage } from '../../src/vision/image.js';
import { detectPlates } from '../../src/vision/plate-detector.js';
import { renderScene } from './synthetic.js';

function iou(a: { x: number; y: number; width: number; height: number }, b: typeof a): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

describe('the plate detector (models/plate_detector.onnx)', () => {
  it('finds a small square plate in a street-photo-sized scene and gives its box', async () => {
    const scene = await renderScene({ lines: ['59-U1', '352.26'] }, { sceneWidth: 460, sceneHeight: 350, plateWidth: 44, at: { x: 300, y: 220 }, seed: 3 });
    const [best] = await detectPlates((await decodeImage(scene.image)).image);
    expect(best).toBeDefined();
    expect(iou(best!, scene.plate)).toBeGreaterThan(0.3);
  });

  it('reports boxes in the coordinates of a large frame it shrinks first', async () => {
    const scene = await renderScene({ lines: ['30A-123.45'] }, { sceneWidth: 1280, sceneHeight: 720, plateWidth: 220, at: { x: 800, y: 500 }, seed: 4 });
    const found = await detectPlates((await decodeImage(scene.image)).image);
    expect(found.some((b) => iou(b, scene.plate) > 0.3)).toBe(true);
  });

  it('finds nothing in a frame without a plate', async () => {
    const blank = await sharp({ create: { width: 460, height: 350, channels: 3, background: { r: 90, g: 95, b: 100 } } }).png().toBuffer();
    expect(await detectPlates((await decodeImage(blank)).image)).toEqual([]);
  });
});

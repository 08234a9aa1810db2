import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import sharp from 'sharp';
import { createPlateEngine, ImageError, plateKey, type PlateEngine } from '../../src/vision/engine.js';
import { renderScene } from './synthetic.js';

let engine: PlateEngine;
beforeAll(async () => {
  engine = await createPlateEngine();
}, 60_000);
afterAll(async () => {
  await engine?.close();
});

function inside(inner: { x: number; y: number; width: number; height: number }, outer: typeof inner): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

describe('PlateEngine.recognise on synthetic scenes', () => {
  it('reads a one-line car plate and locates it', async () => {
    const scene = await renderScene({ lines: ['30A-123.45'] });
    const r = await engine.recognise(scene.image, { profile: 'vn' });
    expect([r.width, r.height]).toEqual([640, 480]);
    const [p] = r.plates;
    expect(p).toMatchObject({ text: '30A-123.45', layout: 'one-line', valid: true, provinceCode: '30', colour: 'white', lowConfidence: false });
    expect(p!.confidence).toBeGreaterThan(0.9);
    expect(p!.charConfidences).toHaveLength(8);
    expect(inside(p!.bbox, scene.plate)).toBe(true);
    expect(p!.corners).toHaveLength(4);
    expect(r.ms).toBeGreaterThan(0);
  });

  it('groups the two lines of a motorbike plate into one plate', async () => {
    const scene = await renderScene({ lines: ['29-B1', '678.90'] }, { seed: 3 });
    const [p] = (await engine.recognise(scene.image, { profile: 'vn' })).plates;
    expect(p).toMatchObject({ text: '29-B1 678.90', layout: 'two-line', valid: true, provinceCode: '29' });
    expect(inside(p!.bbox, scene.plate)).toBe(true);
  });

  it('outlines a tilted plate with rotated corners', async () => {
    const scene = await renderScene({ lines: ['30A-123.45'] });
    const tilted = await sharp(scene.image).rotate(8, { background: '#444' }).png().toBuffer();
    const [p] = (await engine.recognise(tilted, { profile: 'vn' })).plates;
    expect(p?.text).toBe('30A-123.45');
    const [tl, tr] = p!.corners!;
    const slope = (tr[1] - tl[1]) / (tr[0] - tl[0]);
    expect(slope).toBeGreaterThan(Math.tan((4 * Math.PI) / 180));
    expect(slope).toBeLessThan(Math.tan((12 * Math.PI) / 180));
  });

  it('finds a small plate in a large JPEG scene and tells its colour', async () => {
    const scene = await renderScene(
      { lines: ['51G-888.26'], background: '#f5c800' },
      { sceneWidth: 1280, sceneHeight: 720, plateWidth: 220, at: { x: 700, y: 500 }, format: 'jpeg', seed: 11 },
    );
    const [p] = (await engine.recognise(scene.image, { profile: 'vn' })).plates;
    expect(p).toMatchObject({ text: '51G-888.26', colour: 'yellow' });
  });

  it('tells a blue plate with light characters', async () => {
    const scene = await renderScene({ lines: ['80A-012.34'], background: '#1d4fa8', ink: '#ffffff' });
    const [p] = (await engine.recognise(scene.image, { profile: 'vn' })).plates;
    expect(p).toMatchObject({ text: '80A-012.34', colour: 'blue' });
  });

  it('leaves foreign plates uncorrected under the generic profile', async () => {
    const scene = await renderScene({ lines: ['BRA2E19'] });
    const [p] = (await engine.recognise(scene.image, { profile: 'generic' })).plates;
    expect(p).toMatchObject({ text: 'BRA2E19', valid: true });
  });

  it('looks only inside the region of interest, reporting boxes in image coordinates', async () => {
    const scene = await renderScene({ lines: ['30A-123.45'] }, { at: { x: 320, y: 380 } });
    const elsewhere = await engine.recognise(scene.image, { profile: 'vn', roi: { x: 0, y: 0, width: 300, height: 300 } });
    expect(elsewhere.plates).toEqual([]);
    const roi = { x: 280, y: 340, width: 360, height: 140 };
    const [p] = (await engine.recognise(scene.image, { profile: 'vn', roi })).plates;
    expect(p?.text).toBe('30A-123.45');
    expect(inside(p!.bbox, scene.plate)).toBe(true);
  });

  it('drops plates under minConfidence and flags those under lowConfidence', async () => {
    const scene = await renderScene({ lines: ['30A-123.45'] });
    expect((await engine.recognise(scene.image, { profile: 'vn', minConfidence: 1.01 })).plates).toEqual([]);
    const [p] = (await engine.recognise(scene.image, { profile: 'vn', lowConfidence: 1.01 })).plates;
    expect(p?.lowConfidence).toBe(true);
  });

  it('serves concurrent calls with the same answers as sequential ones', async () => {
    const scenes = await Promise.all([
      renderScene({ lines: ['30A-123.45'] }),
      renderScene({ lines: ['29-B1', '678.90'] }, { seed: 3 }),
      renderScene({ lines: ['43C-456.78'] }, { seed: 5 }),
    ]);
    const results = await Promise.all(scenes.map((s) => engine.recognise(s.image, { profile: 'vn' })));
    expect(results.map((r) => plateKey(r.plates[0]?.text ?? ''))).toEqual(['30A12345', '29B167890', '43C45678']);
  });

  it('returns no plate for an image without one', async () => {
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#777' } }).png().toBuffer();
    expect((await engine.recognise(blank, { profile: 'vn' })).plates).toEqual([]);
  });

  it('rejects bad input with a typed error', async () => {
    for (const [input, code] of [
      [Buffer.alloc(0), 'empty'],
      [Buffer.from('GIF? no, just text'), 'not_image'],
    ] as const) {
      const err = await engine.recognise(input, { profile: 'vn' }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ImageError);
      expect((err as ImageError).code).toBe(code);
    }
  });

  it('levels a motorbike plate seen at 30 degrees and reads both lines', async () => {
    const scene = await renderScene({ lines: ['60-AA', '243.23'] }, { sceneWidth: 460, sceneHeight: 350, plateWidth: 60, seed: 5 });
    const tilted = await sharp(scene.image).rotate(30, { background: '#555' }).resize(460, 350, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
    const [p] = (await engine.recognise(tilted, { profile: 'vn' })).plates;
    expect(p?.text).toBe('60-AA 243.23');
  });

  it('reads a plate crop as small as a roadside camera cuts it (about 40x30 px)', async () => {
    const scene = await renderScene({ lines: ['77-L2', '290.00'] }, { sceneWidth: 220, sceneHeight: 160, plateWidth: 200, at: { x: 10, y: 9 }, seed: 9 });
    const crop = await sharp(scene.image).resize(44, 32, { fit: 'fill' }).png().toBuffer();
    const [p] = (await engine.recognise(crop, { profile: 'vn' })).plates;
    expect(plateKey(p?.text ?? '')).toBe('77L229000');
  });

  it('never takes a watermark or a burned-in timestamp for a plate', async () => {
    const overlay = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">' +
        '<text x="20" y="40" font-family="DejaVu Sans" font-weight="bold" font-size="28" fill="#eee">PlatesMania.com</text>' +
        '<text x="300" y="460" font-family="DejaVu Sans Mono" font-size="22" fill="#fff">2014-04-28 06:54:55</text></svg>',
    );
    const scene = await renderScene({ lines: ['51K-228.43'] }, { seed: 11 });
    const image = await sharp(scene.image).composite([{ input: overlay, left: 0, top: 0 }]).png().toBuffer();
    const r = await engine.recognise(image, { profile: 'vn' });
    expect(r.plates[0]?.text).toBe('51K-228.43');
    expect(r.plates.map((p) => plateKey(p.text))).not.toContain('PLATESMANIACOM');
    expect(r.plates.filter((p) => !p.lowConfidence).map((p) => p.text)).toEqual(['51K-228.43']);
  });

  it('counts a plate as settled only when both readers agree', async () => {
    const scene = await renderScene({ lines: ['30A-123.45'] }, { seed: 13 });
    const [p] = (await engine.recognise(scene.image, { profile: 'vn' })).plates;
    expect(p!.readers).toBeGreaterThanOrEqual(2);
    expect(p!.lowConfidence).toBe(false);
  });

  it("drops whatever is read inside a camera's overlay masks, even a perfect plate", async () => {
    const scene = await renderScene({ lines: ['30A-123.45'] });
    const masks = [{ x: scene.plate.x / 640, y: scene.plate.y / 480, width: scene.plate.width / 640, height: scene.plate.height / 480 }];
    expect((await engine.recognise(scene.image, { profile: 'vn' })).plates[0]?.text).toBe('30A-123.45');
    expect((await engine.recognise(scene.image, { profile: 'vn', overlayMasks: masks })).plates).toEqual([]);
  });
});

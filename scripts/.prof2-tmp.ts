import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { decodeImage } from '../src/vision/image.js';
import { dbRegions } from '../src/vision/db-postprocess.js';
import { onnxSession, ort } from '../src/vision/models.js';
const d = await decodeImage(readFileSync('/work/shared/datasets/vn-plate-crops/images/10xemay1470.jpg'));
const s = await onnxSession('det');
const W = 384, H = 288;
for (let k = 0; k < 6; k++) {
  const t0 = performance.now();
  const px = await sharp(d.image.data, { raw: { width: d.image.width, height: d.image.height, channels: 3 } }).resize(W, H, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
  const t1 = performance.now();
  const x = new Float32Array(3 * W * H); for (let c = 0; c < 3; c++) for (let i = 0; i < W * H; i++) x[c * W * H + i] = px[i * 3 + c]! / 58 - 2;
  const t2 = performance.now();
  const r = await s.run({ x: new ort.Tensor('float32', x, [1, 3, H, W]) });
  const t3 = performance.now();
  dbRegions(r[s.outputNames[0]!]!.data as Float32Array, W, H);
  const t4 = performance.now();
  console.log([t1 - t0, t2 - t1, t3 - t2, t4 - t3].map((v) => v.toFixed(1)).join(' '));
}

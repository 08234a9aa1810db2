import type { RgbImage } from './image.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Bilinear sample of `box` into a normalised CHW float tensor of outW x outH.
 * Working straight from the decoded buffer avoids one sharp round-trip per crop.
 */
export function toTensor(
  img: RgbImage,
  box: Box,
  outW: number,
  outH: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
  tensorW = outW,
): Float32Array {
  const out = new Float32Array(3 * outH * tensorW);
  const plane = outH * tensorW;
  const sx = box.width / outW;
  const sy = box.height / outH;
  const { width: W, height: H, data } = img;
  const k0 = 1 / (255 * std[0]);
  const k1 = 1 / (255 * std[1]);
  const k2 = 1 / (255 * std[2]);
  const m0 = mean[0] / std[0];
  const m1 = mean[1] / std[1];
  const m2 = mean[2] / std[2];
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(H - 1, Math.max(0, box.y + (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(H - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(W - 1, Math.max(0, box.x + (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(W - 1, x0 + 1);
      const wx = fx - x0;
      const a = (y0 * W + x0) * 3;
      const b = (y0 * W + x1) * 3;
      const c = (y1 * W + x0) * 3;
      const d = (y1 * W + x1) * 3;
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      const o = y * tensorW + x;
      out[o] = (data[a]! * w00 + data[b]! * w01 + data[c]! * w10 + data[d]! * w11) * k0 - m0;
      out[plane + o] = (data[a + 1]! * w00 + data[b + 1]! * w01 + data[c + 1]! * w10 + data[d + 1]! * w11) * k1 - m1;
      out[2 * plane + o] = (data[a + 2]! * w00 + data[b + 2]! * w01 + data[c + 2]! * w10 + data[d + 2]! * w11) * k2 - m2;
    }
  }
  return out;
}

export function clampBox(box: Box, width: number, height: number): Box {
  const x = Math.max(0, Math.min(width - 1, box.x));
  const y = Math.max(0, Math.min(height - 1, box.y));
  return {
    x,
    y,
    width: Math.max(1, Math.min(width, box.x + box.width) - x),
    height: Math.max(1, Math.min(height, box.y + box.height) - y),
  };
}


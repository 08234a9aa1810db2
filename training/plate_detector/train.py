"""A small plate detector (CenterNet-style: a heat map of plate centres and the plate's size at each centre, 1/4 of
the input resolution) trained on the plate boxes of vn-scenes that the engine read right, shrunk and moved so it
learns the small and side-on plates the text detector misses.

usage: /usr/bin/python3 train.py --dump scenes.jsonl [--dump more.jsonl] --out plate_detector.onnx [--steps 3000]
(`scenes.jsonl` from `npm run bench:alpr -- --manifest .../vn-scenes/manifest.jsonl --dump scenes.jsonl`)
"""
import sys, os.path; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import argparse
import json
import math
import random
import time

import numpy as np
import torch
from PIL import Image, ImageEnhance
from torch import nn
import torch.nn.functional as F

from vn_data import DATASETS, held_out, plate_key

STRIDE = 4
CROP = 224


def block(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class PlateDetector(nn.Module):
    """Input uint8 NHWC RGB of any size divisible by 32; output N x 3 x H/4 x W/4: centre probability, log width and
    log height of the plate in input pixels."""
    def __init__(self):
        super().__init__()
        self.s4 = nn.Sequential(block(3, 16, 2), block(16, 24, 2), block(24, 24))          # 1/4
        self.s8 = nn.Sequential(block(24, 48, 2), block(48, 48))                             # 1/8
        self.s16 = nn.Sequential(block(48, 64, 2), block(64, 64), block(64, 64))             # 1/16
        self.s32 = nn.Sequential(block(64, 96, 2), block(96, 96))                            # 1/32
        self.l16 = nn.Conv2d(96, 64, 1)
        self.l8 = nn.Conv2d(64, 48, 1)
        self.l4 = nn.Conv2d(48, 24, 1)
        self.head = nn.Sequential(block(24, 32), nn.Conv2d(32, 3, 1))
        self.head[-1].bias.data[0] = -4.0  # centres are rare: start the heat map near zero

    def forward(self, x):
        x = x.permute(0, 3, 1, 2).float() / 127.5 - 1.0
        f4 = self.s4(x)
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        f32 = self.s32(f16)
        u = F.interpolate(self.l16(f32), scale_factor=2.0, mode='nearest') + f16
        u = F.interpolate(self.l8(u), scale_factor=2.0, mode='nearest') + f8
        u = F.interpolate(self.l4(u), scale_factor=2.0, mode='nearest') + f4
        return self.head(u)


class Exported(nn.Module):
    def __init__(self, det):
        super().__init__()
        self.det = det

    def forward(self, x):
        out = self.det(x)
        return torch.cat([torch.sigmoid(out[:, :1]), out[:, 1:]], 1)


def boxes_from(dumps, held=False):
    """Plate box of every scene whose top read is exactly the label (so the box is that plate): the training scenes,
    or with held=True the held-out fifth, which is only measured."""
    root = os.path.join(DATASETS, 'vn-scenes')
    out = {}
    for path in dumps:
        for line in open(path):
            r = json.loads(line)
            top = r.get('top')
            if not top or plate_key(top['text']) != plate_key(r['want']) or held_out(r['image']) != held:
                continue
            b = top['bbox']
            out[r['image']] = (os.path.join(root, r['image']), (b['x'], b['y'], b['width'], b['height']))
    return list(out.values())


def sample(img, box, rng):
    """A CROP x CROP training picture: the scene scaled (mostly down, so plates get small), cut around the plate or
    anywhere, with colour changes and sometimes a mirror; returns the picture and the plate box in it (or None)."""
    x, y, w, h = box
    s = rng.choice([rng.uniform(0.35, 0.8), rng.uniform(0.6, 1.4)])
    W, H = max(CROP, round(img.width * s)), max(CROP, round(img.height * s))
    sx, sy = W / img.width, H / img.height
    im = img.resize((W, H), Image.BILINEAR)
    bx, by, bw, bh = x * sx, y * sy, w * sx, h * sy
    if rng.random() < 0.85:
        left = rng.uniform(max(0, bx + bw - CROP + 4), min(W - CROP, bx - 4)) if bw < CROP - 8 else bx
        top = rng.uniform(max(0, by + bh - CROP + 4), min(H - CROP, by - 4)) if bh < CROP - 8 else by
        left = min(max(0, left), W - CROP)
        top = min(max(0, top), H - CROP)
    else:
        left, top = rng.uniform(0, W - CROP), rng.uniform(0, H - CROP)
    left, top = round(left), round(top)
    im = im.crop((left, top, left + CROP, top + CROP))
    b = (bx - left, by - top, bw, bh)
    cx, cy = b[0] + b[2] / 2, b[1] + b[3] / 2
    inside = 0 <= cx < CROP and 0 <= cy < CROP
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)  # a mirrored plate is still plate-shaped; its text is not read here
        b = (CROP - b[0] - b[2], b[1], b[2], b[3])
    im = ImageEnhance.Brightness(im).enhance(rng.uniform(0.6, 1.4))
    im = ImageEnhance.Contrast(im).enhance(rng.uniform(0.6, 1.4))
    if rng.random() < 0.3:
        im = ImageEnhance.Color(im).enhance(rng.uniform(0.0, 1.5))
    return im, (b if inside else None)


def targets(boxes, n):
    side = CROP // STRIDE
    heat = torch.zeros(n, side, side)
    size = torch.zeros(n, 2, side, side)
    mask = torch.zeros(n, side, side)
    ys, xs = torch.meshgrid(torch.arange(side).float(), torch.arange(side).float(), indexing='ij')
    for i, b in enumerate(boxes):
        if b is None:
            continue
        cx, cy = (b[0] + b[2] / 2) / STRIDE, (b[1] + b[3] / 2) / STRIDE
        sigma = max(0.8, min(b[2], b[3] * 3) / STRIDE / 6)
        g = torch.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * sigma ** 2))
        heat[i] = torch.maximum(heat[i], g)
        ix, iy = min(side - 1, int(cx)), min(side - 1, int(cy))
        heat[i, iy, ix] = 1.0
        size[i, 0, iy, ix] = math.log(max(1.0, b[2]))
        size[i, 1, iy, ix] = math.log(max(1.0, b[3]))
        mask[i, iy, ix] = 1.0
    return heat, size, mask


def focal(logits, heat):
    """CenterNet's penalty-reduced focal loss over the heat map."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = heat.eq(1).float()
    pos_loss = -((1 - p) ** 2) * torch.log(p) * pos
    neg_loss = -((1 - heat) ** 4) * (p ** 2) * torch.log(1 - p) * (1 - pos)
    return (pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)


def peaks(out, threshold=0.3, k=3):
    """Plate boxes (x, y, w, h, score) in input pixels from the exported model's output (centre probabilities, log
    sizes), as the engine decodes them (src/vision/plate-detector.ts)."""
    heat = out[0, 0]
    pooled = F.max_pool2d(heat[None, None], 3, 1, 1)[0, 0]
    cand = ((heat == pooled) & (heat >= threshold)).nonzero().tolist()
    cand.sort(key=lambda yx: -float(heat[yx[0], yx[1]]))
    res = []
    for iy, ix in cand[:k]:
        w, h = math.exp(float(out[0, 1, iy, ix])), math.exp(float(out[0, 2, iy, ix]))
        cx, cy = (ix + 0.5) * STRIDE, (iy + 0.5) * STRIDE
        res.append((cx - w / 2, cy - h / 2, w, h, float(heat[iy, ix])))
    return res


def iou(a, b):
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def evaluate(model, items):
    """Share of held-out scenes whose labelled plate box is among the top-3 detections (IoU >= 0.3)."""
    model.eval()
    found = 0
    with torch.no_grad():
        for path, box in items:
            img = Image.open(path).convert('RGB')
            W, H = (img.width + 31) // 32 * 32, (img.height + 31) // 32 * 32
            canvas = Image.new('RGB', (W, H))
            canvas.paste(img, (0, 0))
            x = torch.from_numpy(np.asarray(canvas))[None]
            out = Exported(model)(x)
            found += any(iou(d, box) >= 0.3 for d in peaks(out))
    model.train()
    return found / max(1, len(items))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dump', action='append', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--batch', type=int, default=24)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--seed', type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    train = boxes_from(args.dump)
    hold = boxes_from(args.dump[:1], held=True)
    images = {p: Image.open(p).convert('RGB') for p, _ in train}
    print(f'train {len(train)} held out {len(hold)}', flush=True)
    model = PlateDetector()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.1)
    t0 = time.time()
    total = 0.0
    for step in range(1, args.steps + 1):
        batch = [sample(images[p], b, rng) for p, b in (rng.choice(train) for _ in range(args.batch))]
        x = torch.from_numpy(np.stack([np.asarray(im) for im, _ in batch]))
        heat, size, mask = targets([b for _, b in batch], len(batch))
        out = model(x)
        loss = focal(out[:, 0], heat) + 0.5 * (F.l1_loss(out[:, 1:], size, reduction='none').sum(1) * mask).sum() / mask.sum().clamp(min=1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        total += loss.item()
        if step % 100 == 0:
            print(f'step {step} loss {total / 100:.3f} {time.time() - t0:.0f}s', flush=True)
            total = 0.0
        if step % 500 == 0 or step == args.steps:
            torch.save(model.state_dict(), args.out + '.pt')
            print(f'step {step} held-out recall@3 {evaluate(model, hold[:150]):.3f}', flush=True)
    model.eval()
    torch.onnx.export(Exported(model), torch.zeros(1, 352, 480, 3, dtype=torch.uint8), args.out, input_names=['input'],
                      output_names=['centres'], dynamic_axes={'input': {0: 'batch', 1: 'height', 2: 'width'}, 'centres': {0: 'batch', 2: 'h', 3: 'w'}},
                      opset_version=13)
    print(f'exported {args.out}: held-out recall@3 {evaluate(model, hold):.3f}')


if __name__ == '__main__':
    main()

"""Trains the VN plate reader and exports it to ONNX.

usage: /usr/bin/python3 train.py --dump scenes.jsonl --out ../../models/vn_plate_reader.onnx [--epochs 60]
(`scenes.jsonl` from `npm run bench:alpr -- --manifest .../vn-scenes/manifest.jsonl --dump scenes.jsonl`)
"""
import sys, os.path; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import argparse
import os
import random
import time

import numpy as np
import torch
from PIL import Image
from torch import nn

from augment import H, W, render, unroll
from vn_data import ALPHABET, SLOTS, DATASETS, held_out, plate_crops, scene_crops
from synth import Backgrounds, synth_sample
from model import CLASSES, Exported, ExportedLine, LineReader, PlateReader

PAD = len(ALPHABET)


def load(sample):
    """Decoded once: scene pictures cut to the plate's neighbourhood, big plate crops shrunk, so an epoch stays fast."""
    img = Image.open(sample['path']).convert('RGB')
    if sample['box'] is None:
        if img.width > 256:
            img = img.resize((256, round(256 * img.height / img.width)), Image.BILINEAR)
        return img, sample
    x, y, w, h = sample['box']
    left, top = max(0, int(x - w)), max(0, int(y - h))
    img = img.crop((left, top, min(img.width, int(x + 2 * w)), min(img.height, int(y + 2 * h))))
    return img, dict(sample, box=(x - left, y - top, w, h))


def target(key):
    t = [ALPHABET.index(c) for c in key[:SLOTS]]
    return t + [PAD] * (SLOTS - len(t))


def decode(probs):
    out = []
    for row in probs:
        s = ''
        for p in row:
            c = int(p.argmax())
            if c == PAD:
                break
            s += ALPHABET[c]
        out.append(s)
    return out


ARCH = 'slots'
BATCH = 16


def batch_of(items, rng, train):
    if ARCH == 'ctc':
        xs = np.stack([np.asarray(unroll(render(s, img, rng, train), s['lines'])) for img, s in items])
        ys = torch.tensor([ALPHABET.index(c) + 1 for _, s in items for c in s['key']])
        return torch.from_numpy(xs), (ys, torch.tensor([len(s['key']) for _, s in items]))
    xs = np.stack([np.asarray(render(s, img, rng, train)) for img, s in items])
    ys = torch.tensor([target(s['key']) for _, s in items])
    return torch.from_numpy(xs), ys


def _synth_batches(queue, n, seed, folder):
    import numpy as np
    rng = random.Random(seed)
    backgrounds = Backgrounds(folder, 400, keep=lambda name: not held_out(name))
    while True:
        made = [synth_sample(rng, backgrounds) for _ in range(n)]
        queue.put((np.stack([np.asarray(unroll(img, lines)) for img, _, lines in made]), [key for _, key, _ in made]))


class SynthFeed:
    """Rendered plates from a second process, so drawing them overlaps the training step."""
    def __init__(self, n, seed):
        import multiprocessing as mp
        self.queue = mp.Queue(maxsize=16)
        self.proc = mp.Process(target=_synth_batches, args=(self.queue, n, seed, os.path.join(DATASETS, 'vn-scenes', 'images')), daemon=True)
        self.proc.start()

    def top_up(self, x, y):
        """A CTC batch topped up with a batch of rendered plates."""
        xs, keys = self.queue.get()
        xs = torch.from_numpy(xs)
        ys = torch.tensor([ALPHABET.index(c) + 1 for key in keys for c in key])
        lengths = torch.tensor([len(key) for key in keys])
        if x is None:
            return xs, (ys, lengths)
        return torch.cat([x, xs]), (torch.cat([y[0], ys]), torch.cat([y[1], lengths]))


def decode_ctc(logp):
    out = []
    for row in logp.argmax(-1):
        s, prev = '', 0
        for c in row.tolist():
            if c != prev and c != 0:
                s += ALPHABET[c - 1]
            prev = c
        out.append(s)
    return out


def read(model, x):
    return decode_ctc(model(x)) if ARCH == 'ctc' else decode(model.probabilities(x))


def accuracy(model, items):
    if not items:
        return float('nan')
    model.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(items), 128):
            chunk = items[i:i + 128]
            x, _ = batch_of(chunk, random, False)
            right += sum(r == s['key'] for r, (_, s) in zip(read(model, x), chunk))
    train_mode(model)
    return right / len(items)


def train_mode(model):
    """Training mode, except batch norm frozen in a model loaded from ONNX, whose statistics live in its convolutions."""
    model.train()
    if getattr(model, 'frozen_bn', False):
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.eval()


def load_fused_onnx(model, path):
    """A shipped ONNX reader back into torch: the export folded each batch norm into the convolution before it, so
    the convolutions get the folded weights and every batch norm becomes the identity plus the folded bias."""
    import onnx
    from onnx import numpy_helper
    graph = onnx.load(path).graph
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    convs = [n for n in graph.node if n.op_type == 'Conv']
    layers = [m for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d))]
    if len(convs) != len(layers):
        sys.exit(f'{path} has {len(convs)} convolutions, the model {len(layers)}')
    modules = list(model.modules())
    for node, conv in zip(convs, layers):
        w, b = weights[node.input[1]], weights[node.input[2]]
        if w.shape != conv.weight.shape:
            sys.exit(f'{path}: convolution of shape {tuple(w.shape)} where the model has {tuple(conv.weight.shape)}')
        after = modules[modules.index(conv) + 1] if modules.index(conv) + 1 < len(modules) else None
        with torch.no_grad():
            conv.weight.copy_(w)
            if isinstance(after, (nn.BatchNorm1d, nn.BatchNorm2d)):
                if conv.bias is not None:
                    conv.bias.zero_()
                after.weight.fill_(1.0)
                after.bias.copy_(b)
                after.running_mean.zero_()
                after.running_var.fill_(1.0 - after.eps)
            else:
                conv.bias.copy_(b)
    model.frozen_bn = True


def camera_crops():
    import json
    from vn_data import plate_key
    root = os.path.join(DATASETS, 'vn-camera-crops')
    return [{'path': os.path.join(root, r['image']), 'box': None, 'key': plate_key(r['text']),
             'lines': 1 if r.get('layout_guess') == 'one-line' else 2, 'held_out': True}
            for r in map(json.loads, open(os.path.join(root, 'manifest.jsonl')))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dump', action='append', default=[],
                    help='bench:alpr --dump of vn-scenes, or detector_boxes.ts output: its plate boxes become training crops (repeatable)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--epochs', type=int, default=60)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--arch', choices=['slots', 'ctc'], default='ctc')
    ap.add_argument('--init', help='weights of an earlier run to start from: its .pt, or a shipped .onnx (batch norm then frozen)')
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--augment', type=float, default=1.0, help='share of training samples augmented')
    ap.add_argument('--synth', type=float, default=0.0, help='share of each batch drawn from synthetic plates (ctc only)')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--eval-every', type=int, default=5)
    args = ap.parse_args()
    global ARCH, BATCH
    ARCH = args.arch
    BATCH = args.batch
    if args.synth and ARCH != 'ctc':
        sys.exit('--synth needs --arch ctc')
    real_n = round(BATCH * (1 - args.synth))
    feed = SynthFeed(BATCH - real_n, args.seed) if args.synth else None
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)

    samples = [s for s in plate_crops() + [c for d in args.dump for c in scene_crops(d)] if 0 < len(s['key']) <= SLOTS]
    loaded = [load(s) for s in samples]
    train = [p for p in loaded if not p[1]['held_out']]
    hold = [p for p in loaded if p[1]['held_out']]
    cams = [load(s) for s in camera_crops()]
    print(f'train {len(train)} held out {len(hold)} camera crops {len(cams)}', flush=True)

    model = LineReader() if ARCH == 'ctc' else PlateReader()
    if args.init and args.init.endswith('.onnx'):
        load_fused_onnx(model, args.init)
    elif args.init:
        model.load_state_dict(torch.load(args.init))
    steps_per_epoch = (len(train) + real_n - 1) // real_n if real_n else 100
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * steps_per_epoch, eta_min=args.lr / 20)
    ce = nn.CrossEntropyLoss(label_smoothing=0.05)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)

    def lossf(out, y):
        if ARCH == 'ctc':
            ys, lengths = y
            return ctc(out.permute(1, 0, 2), ys, torch.full((out.shape[0],), out.shape[1], dtype=torch.long), lengths)
        return ce(out.reshape(-1, CLASSES), y.reshape(-1))
    best = -1.0
    if args.init:
        print(f'start: held-out {accuracy(model, hold):.3f} camera-crops {accuracy(model, cams):.3f}', flush=True)
    for epoch in range(args.epochs):
        t0 = time.time()
        rng.shuffle(train)
        total = 0.0
        for step in range(steps_per_epoch):
            chunk = train[step * real_n:(step + 1) * real_n]
            x, y = batch_of(chunk, rng, rng.random() < args.augment) if chunk else (None, None)
            if feed:
                x, y = feed.top_up(x, y)
            loss = lossf(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        if epoch % args.eval_every == args.eval_every - 1 or epoch == args.epochs - 1:
            acc_hold, acc_cam = accuracy(model, hold), accuracy(model, cams)
            print(f'epoch {epoch + 1} loss {total / steps_per_epoch:.3f} held-out {acc_hold:.3f} camera-crops {acc_cam:.3f} {time.time() - t0:.0f}s', flush=True)
            # chosen on the held-out fifth of the sets it trains on, never on the camera crops
            if acc_hold >= best:
                best = acc_hold
                torch.save(model.state_dict(), args.out + '.pt')
        else:
            print(f'epoch {epoch + 1} loss {total / steps_per_epoch:.3f} {time.time() - t0:.0f}s', flush=True)

    model.load_state_dict(torch.load(args.out + '.pt'))
    model.eval()
    shape = (1, 32, 256, 3) if ARCH == 'ctc' else (1, H, W, 3)
    torch.onnx.export(ExportedLine(model) if ARCH == 'ctc' else Exported(model), torch.zeros(*shape, dtype=torch.uint8), args.out, input_names=['input'],
                      output_names=['probabilities'], dynamic_axes={'input': {0: 'batch'}, 'probabilities': {0: 'batch'}},
                      opset_version=13)
    print(f'exported {args.out}: held-out {accuracy(model, hold):.3f} camera-crops {accuracy(model, cams):.3f}')


if __name__ == '__main__':
    main()

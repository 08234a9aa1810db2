"""Training samples for the VN plate reader: (image, box, label) triples from the development sets.

Split rule (also used by `bench:alpr --holdout`): an image whose name hashes to 0 mod 5 is never trained on, so
figures on that fifth are honest; vn-camera-crops is never trained on at all and serves as the unseen test.
"""
import hashlib
import json
import os
import re

DATASETS = os.environ.get('DATASETS', os.path.join(os.path.dirname(__file__), '../../shared/datasets'))
ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
SLOTS = 10


def plate_key(text):
    return re.sub('[^A-Z0-9]', '', text.upper().replace('Đ', 'D'))


def held_out(image_name):
    """Same rule as scripts/bench-alpr.ts: the first byte of sha1(file name) mod 5 == 0."""
    return hashlib.sha1(os.path.basename(image_name).encode()).digest()[0] % 5 == 0


def edit_distance(a, b):
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
    return d[-1]


def plate_crops():
    """vn-plate-crops: the whole picture is the plate; labels corrected by the project's audit, unreadable ones left out."""
    root = os.path.join(DATASETS, 'vn-plate-crops')
    audit = {}
    audit_file = os.path.join(os.path.dirname(__file__), '../benchmarks/vn-plate-crops.label-audit.jsonl')
    for line in open(audit_file):
        r = json.loads(line)
        audit[r['image']] = r['corrected']
    out = []
    for line in open(os.path.join(root, 'manifest.jsonl')):
        r = json.loads(line)
        label = audit.get(r['image'], r['text'])
        if label is None:
            continue
        out.append({'path': os.path.join(root, r['image']), 'box': None, 'key': plate_key(label), 'lines': 2 if r.get('layout') == 'two-line' else 1, 'held_out': held_out(r['image'])})
    return out


def scene_crops(dump_file):
    """vn-scenes: the plate box the current engine found, kept only when its read is within two characters of the label
    (so the box is the labelled plate), with the label as the text: the engine's near-misses become training data."""
    root = os.path.join(DATASETS, 'vn-scenes')
    out = []
    for line in open(dump_file):
        r = json.loads(line)
        top = r.get('top')
        if not top:
            continue
        want = plate_key(r['want'])
        if edit_distance(plate_key(top['text']), want) > 2 or len(want) > SLOTS:
            continue
        b = top['bbox']
        out.append({'path': os.path.join(root, r['image']), 'box': (b['x'], b['y'], b['width'], b['height']), 'key': want,
                    'lines': 2 if top['layout'] == 'two-line' else 1, 'held_out': held_out(r['image']), 'category': r.get('category')})
    return out

"""Exports saved weights (.pt from train.py) to ONNX without training: usage export.py --pt w.pt --out reader.onnx"""
import sys, os.path
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import argparse

import torch

from model import ExportedLine, LineReader

ap = argparse.ArgumentParser()
ap.add_argument('--pt', required=True)
ap.add_argument('--out', required=True)
args = ap.parse_args()
model = LineReader()
model.load_state_dict(torch.load(args.pt))
model.eval()
torch.onnx.export(ExportedLine(model), torch.zeros(1, 32, 256, 3, dtype=torch.uint8), args.out, input_names=['input'],
                  output_names=['probabilities'], dynamic_axes={'input': {0: 'batch'}, 'probabilities': {0: 'batch'}},
                  opset_version=13)
print('exported', args.out)

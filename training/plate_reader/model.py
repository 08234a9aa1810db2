"""A small convolutional reader with one classifier per character slot: a square two-line plate comes out as one
sequence in reading order, with no line splitting, like the fast-plate-ocr readers it sits beside."""
import torch
from torch import nn

from vn_data import ALPHABET, SLOTS

CLASSES = len(ALPHABET) + 1  # the last class pads plates shorter than SLOTS


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class PlateReader(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            block(3, 32), nn.MaxPool2d(2),            # 32x64
            block(32, 64), nn.MaxPool2d(2),           # 16x32
            block(64, 96), block(96, 96), nn.MaxPool2d(2),    # 8x16
            block(96, 128), block(128, 128), nn.MaxPool2d(2),  # 4x8
            block(128, 160),
            nn.Conv2d(160, 64, 1),  # keeps the slot classifiers, which see every position, small
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 4 * 8, SLOTS * CLASSES))

    def forward(self, x):
        """x: uint8 NHWC RGB, as the engine feeds the fast-plate-ocr reader; returns per-slot probabilities."""
        x = x.permute(0, 3, 1, 2).float() / 255.0
        logits = self.head(self.features(x)).view(-1, SLOTS, CLASSES)
        return logits

    def probabilities(self, x):
        return torch.softmax(self.forward(x), dim=-1)


class Exported(nn.Module):
    def __init__(self, reader):
        super().__init__()
        self.reader = reader

    def forward(self, x):
        return self.reader.probabilities(x)


class LineReader(nn.Module):
    """CTC reader over the plate unrolled into one line (a square plate's bottom half placed after its top half):
    each column only has to recognise the glyph under it, which a few hundred real plates can teach, where slot
    classifiers must also learn where every glyph sits."""
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            block(3, 16), nn.MaxPool2d(2),                         # 16x128
            block(16, 32), nn.MaxPool2d(2),                        # 8x64
            block(32, 64), block(64, 64), nn.MaxPool2d((2, 1)),    # 4x64
            block(64, 96), nn.MaxPool2d((2, 1)),                   # 2x64
            nn.Conv2d(96, 128, (2, 1)), nn.BatchNorm2d(128), nn.ReLU(inplace=True),  # 1x64
        )
        # context along the line by 1-D convolutions: an LSTM cost ten times as much per epoch on 2 cores
        self.context = nn.Sequential(
            nn.Conv1d(128, 128, 3, padding=1), nn.BatchNorm1d(128), nn.ReLU(inplace=True),
            nn.Conv1d(128, 128, 3, padding=1), nn.BatchNorm1d(128), nn.ReLU(inplace=True),
        )
        self.out = nn.Conv1d(128, len(ALPHABET) + 1, 1)  # class 0 is the CTC blank

    def forward(self, x):
        """x: uint8 NHWC RGB 32x256; returns log-probabilities (N, 64, 37)."""
        x = x.permute(0, 3, 1, 2).float() / 255.0
        f = self.context(self.features(x).squeeze(2))
        return self.out(f).permute(0, 2, 1).log_softmax(-1)


class ExportedLine(nn.Module):
    def __init__(self, reader):
        super().__init__()
        self.reader = reader

    def forward(self, x):
        return self.reader(x).exp()

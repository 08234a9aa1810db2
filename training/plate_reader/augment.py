"""The picture the reader gets at run time (the engine's plate box cut from the frame, resized to 128x64), with the
variation real cameras add: loose or tight boxes, tilt, blur, low resolution, compression, colour casts."""
import io
import random

from PIL import Image, ImageEnhance, ImageFilter

W, H = 128, 64


def runtime_box(sample, img, rng):
    """Mirrors plateAround() in src/vision/engine.ts: text box plus 0.06 of its width and a quarter of a line height,
    here jittered so the reader does not depend on the exact margin."""
    if sample['box'] is None:
        w, h = img.size
        jx, jy = rng.uniform(-0.04, 0.06) * w, rng.uniform(-0.04, 0.06) * h
        return (-jx, -jy, w + jx, h + jy)
    x, y, w, h = sample['box']
    line_h = h / sample['lines']
    mx = rng.uniform(0.0, 0.12) * w + rng.uniform(0.1, 0.4) * line_h
    my = rng.uniform(0.1, 0.4) * line_h
    dx = rng.uniform(-0.03, 0.03) * w
    dy = rng.uniform(-0.05, 0.05) * h
    return (x - mx + dx, y - my + dy, x + w + mx + dx, y + h + my + dy)


def render(sample, img, rng=random, train=True, size=(W, H)):
    box = runtime_box(sample, img, rng) if train else runtime_box(sample, img, _Centre())
    if train and rng.random() < 0.5:
        # a small rotation about the plate centre, taken from the frame so the corners hold real pixels
        angle = rng.uniform(-10, 10)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        img = img.rotate(angle, resample=Image.BILINEAR, center=(cx, cy))
    crop = img.crop(tuple(round(v) for v in box))
    if train:
        if rng.random() < 0.5:
            # roadside cameras cut plates of 25-40 px: read them as the camera saw them
            th = rng.randint(14, 40)
            tw = max(8, round(th * crop.width / max(1, crop.height) * rng.uniform(0.85, 1.15)))
            crop = crop.resize((tw, th), Image.BILINEAR)
        if rng.random() < 0.3:
            crop = crop.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
        if rng.random() < 0.4:
            buf = io.BytesIO()
            crop.convert('RGB').save(buf, 'JPEG', quality=rng.randint(25, 85))
            crop = Image.open(io.BytesIO(buf.getvalue()))
        crop = ImageEnhance.Brightness(crop).enhance(rng.uniform(0.6, 1.4))
        crop = ImageEnhance.Contrast(crop).enhance(rng.uniform(0.6, 1.4))
        if rng.random() < 0.3:
            crop = ImageEnhance.Color(crop).enhance(rng.uniform(0, 1.5))
        if rng.random() < 0.2:
            r, g, b = crop.convert('RGB').split()
            bands = [r, g, b]
            rng.shuffle(bands)
            crop = Image.merge('RGB', bands)
    return crop.convert('RGB').resize(size, Image.BICUBIC)


class _Centre:
    """Evaluation takes the middle of every jitter range."""
    def uniform(self, a, b):
        return (a + b) / 2


LW, LH = 256, 32


def unroll(plate, lines):
    """A plate as one 256x32 line: a two-line plate's halves side by side, top first (src/vision/plate-reader.ts does
    the same at run time)."""
    if lines == 1:
        return plate.resize((LW, LH), Image.BICUBIC)
    w, h = plate.size
    top = plate.crop((0, 0, w, h // 2)).resize((LW // 2, LH), Image.BICUBIC)
    bottom = plate.crop((0, h // 2, w, h)).resize((LW // 2, LH), Image.BICUBIC)
    out = Image.new('RGB', (LW, LH))
    out.paste(top, (0, 0))
    out.paste(bottom, (LW // 2, 0))
    return out

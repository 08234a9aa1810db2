"""Synthetic Vietnamese plates: every format of the plate grammar (../shared/DOMAIN.md) in its five colours, drawn
with condensed sans fonts, placed on real street texture and degraded the way cameras degrade plates.

The real crops are too few (about 1,200) to teach a reader from scratch the glyphs of the whole alphabet in every
position; rendered plates teach the glyphs, real crops teach the cameras. Texts are drawn at random from the grammar,
never copied from the labelled sets, so the reader cannot memorise plates it is later measured on.
"""
import io
import math
import os
import random

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

FONTS = [
    '/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf',
    '/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf',
    '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
    '/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf',
]
FONTS = [f for f in FONTS if os.path.exists(f)]
SERIES = 'ABCDEFGHKLMNPSTUVXYZ'
SPECIAL = ['LD', 'DA', 'KT', 'NN', 'HC', 'CD', 'MK', 'TĐ', 'MĐ', 'RM', 'R', 'T']
MILITARY = ['TC', 'KP', 'KV', 'QA', 'QB', 'QH', 'QK', 'QP', 'TM', 'TT', 'AB', 'AD', 'AV', 'BC', 'BH', 'HB', 'KA', 'KC', 'PP']
UNUSED = {42, 44, 45, 46, 87, 91, 96}
# (background, ink) of the five plate colours, with the share of plates each takes
COLOURS = [((235, 235, 230), (20, 20, 20), 0.58), ((240, 200, 40), (20, 20, 20), 0.2), ((30, 70, 160), (240, 240, 240), 0.1),
           ((190, 30, 35), (240, 240, 240), 0.06), ((235, 235, 230), (200, 25, 30), 0.06)]


def province(rng):
    while True:
        p = rng.randint(11, 99)
        if p not in UNUSED:
            return f'{p:02d}'


def number(rng, five=None):
    if five is None:
        five = rng.random() < 0.8
    d = ''.join(rng.choice('0123456789') for _ in range(5 if five else 4))
    return f'{d[:3]}.{d[3:]}' if five else d


def plate_text(rng):
    """(lines, kind) of a random plate: kind is 'long' (one line), 'square' (car, two lines) or 'moto' (two lines)."""
    r = rng.random()
    if r < 0.42:  # motorbike
        s = rng.random()
        if s < 0.75:
            series = rng.choice(SERIES) + rng.choice('123456789')
        elif s < 0.9:
            series = rng.choice(SERIES) + rng.choice(SERIES)
        else:
            series = 'MĐ' + rng.choice('123456789')
        return [f'{province(rng)}-{series}', number(rng)], 'moto'
    series = rng.choice(SERIES) if rng.random() < 0.85 else rng.choice(SPECIAL)
    if r < 0.52:
        return [f'{province(rng)}{series}', number(rng)], 'square'
    if r < 0.9:
        return [f'{province(rng)}{series}-{number(rng)}'], 'long'
    if r < 0.96:
        mil = f'{rng.choice(MILITARY)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}'
        return ([mil], 'long') if rng.random() < 0.6 else ([mil[:2], mil[3:]], 'square')
    kind = rng.choice(['NG', 'QT', 'CV', 'NN'])
    return [f'80-{rng.randint(1, 999):03d}-{kind}-{rng.randint(1, 99):02d}'], 'long'


def colour_for(lines, rng):
    text = ''.join(lines)
    if text[:2] in MILITARY and not text[:2].isdigit():
        return COLOURS[3][:2]
    if '-NG-' in text or '-QT-' in text:
        return COLOURS[4][:2]
    pick = rng.random() * sum(c[2] for c in COLOURS[:3])
    for bg, ink, share in COLOURS[:3]:
        pick -= share
        if pick <= 0:
            return bg, ink
    return COLOURS[0][:2]


_font_cache = {}


def font(path, size):
    key = (path, size)
    if key not in _font_cache:
        _font_cache[key] = ImageFont.truetype(path, size)
    return _font_cache[key]


def text_image(text, path, ink, bg):
    """One line of glyphs cut tight, to be stretched into its place on the plate (plate glyphs are tall and narrow)."""
    f = font(path, 96)
    left, top, right, bottom = f.getbbox(text)
    img = Image.new('RGB', (right - left + 8, bottom - top + 8), bg)
    ImageDraw.Draw(img).text((4 - left, 4 - top), text, font=f, fill=ink)
    return img


def draw_plate(lines, kind, rng):
    """The plate face at about 100 px a line, with its border."""
    bg, ink = colour_for(lines, rng)
    jitter = lambda c: tuple(max(0, min(255, v + rng.randint(-25, 25))) for v in c)
    bg, ink = jitter(bg), jitter(ink)
    if kind == 'long':
        w, h = rng.randint(430, 520), 110
    elif kind == 'square':
        w, h = rng.randint(290, 340), 165
    else:
        w, h = rng.randint(175, 205), 140
    plate = Image.new('RGB', (w, h), bg)
    d = ImageDraw.Draw(plate)
    t = max(2, round(h * rng.uniform(0.02, 0.045)))
    d.rounded_rectangle((t // 2, t // 2, w - 1 - t // 2, h - 1 - t // 2), radius=round(h * 0.06), outline=ink, width=t)
    path = rng.choice(FONTS)
    n = len(lines)
    line_h = (h - 4 * t) / n
    for i, line in enumerate(lines):
        glyphs = text_image(line, path, ink, bg)
        gh = round(line_h * rng.uniform(0.72, 0.88))
        gw = round(min(w - 6 * t, glyphs.width * gh / glyphs.height * rng.uniform(0.8, 1.3)))
        if n == 2 or rng.random() < 0.7:
            gw = round(max(gw, (w - 6 * t) * rng.uniform(0.72, 0.95)))
        gw = min(gw, w - 5 * t)
        glyphs = glyphs.resize((gw, gh), Image.BICUBIC)
        x = (w - gw) // 2 + rng.randint(-t, t)
        y = round(2 * t + i * line_h + (line_h - gh) / 2) + rng.randint(-t // 2, t // 2 + 1)
        plate.paste(glyphs, (x, y))
    if rng.random() < 0.3:  # the bolts
        for bx in (0.2 * w, 0.8 * w):
            r = h * 0.03
            d.ellipse((bx - r, t * 1.5, bx + r, t * 1.5 + 2 * r), fill=jitter((120, 120, 120)))
    return plate


class Backgrounds:
    """Street texture around the plate (bumpers, wheels, shadows): patches of the scene photos. Only the margin
    shows, so a real plate in a patch is covered by the synthetic one or cut away."""
    def __init__(self, folder, limit=300, keep=lambda name: True):
        names = [n for n in sorted(os.listdir(folder)) if keep(n)][:limit] if os.path.isdir(folder) else []
        self.images = [Image.open(os.path.join(folder, n)).convert('RGB') for n in names]

    def patch(self, w, h, rng):
        if not self.images:
            return Image.new('RGB', (w, h), tuple(rng.randint(0, 255) for _ in range(3)))
        img = rng.choice(self.images)
        # cut first, then scale: a region of the photo scale times smaller than the patch
        scale = max(w / img.width, h / img.height, rng.uniform(0.5, 2.0))
        cw, ch = min(img.width, round(w / scale)), min(img.height, round(h / scale))
        x, y = rng.randint(0, img.width - cw), rng.randint(0, img.height - ch)
        return img.crop((x, y, x + cw, y + ch)).resize((w, h), Image.BILINEAR)


def perspective(img, rng, amount):
    """The plate seen off-axis: corners moved by up to `amount` of the size."""
    w, h = img.size
    j = lambda s: rng.uniform(-amount, amount) * s
    quad = (j(w), j(h), j(w), h + j(h), w + j(w), h + j(h), w + j(w), j(h))
    return img.transform((w, h), Image.QUAD, quad, Image.BICUBIC)


def synth_sample(rng, backgrounds):
    """(picture of the plate as the engine cuts it, key, number of lines)."""
    lines, kind = plate_text(rng)
    plate = draw_plate(lines, kind, rng)
    # drawn large for clean glyph edges, warped at half size: no plate reaches the reader above 60 px high
    plate = plate.resize((plate.width // 2, plate.height // 2), Image.BOX)
    w, h = plate.size
    # the engine's plate box has some margin; cameras give some more, at any side
    mx, my = round(w * rng.uniform(0.0, 0.15)), round(h * rng.uniform(0.0, 0.2))
    canvas = backgrounds.patch(w + 2 * mx + 20, h + 2 * my + 20, rng)
    canvas.paste(plate, (10 + mx, 10 + my))
    if rng.random() < 0.6:
        canvas = canvas.rotate(rng.uniform(-8, 8), resample=Image.BICUBIC, center=(canvas.width / 2, canvas.height / 2))
    if rng.random() < 0.5:
        canvas = perspective(canvas, rng, 0.06)
    dx, dy = rng.randint(-round(0.03 * w), round(0.03 * w)), rng.randint(-round(0.05 * h), round(0.05 * h))
    crop = canvas.crop((10 + dx, 10 + dy, 10 + w + 2 * mx + dx, 10 + h + 2 * my + dy))
    # roadside cameras and distant street plates: 16-60 px high before the reader enlarges them
    th = rng.choice([rng.randint(16, 32), rng.randint(20, 60)])
    crop = crop.resize((max(8, round(th * crop.width / crop.height)), th), Image.BILINEAR if rng.random() < 0.5 else Image.BOX)
    if rng.random() < 0.4:
        crop = crop.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 1.0)))
    if rng.random() < 0.3:
        crop = ImageEnhance.Color(crop).enhance(rng.uniform(0.0, 1.2))
    crop = ImageEnhance.Brightness(crop).enhance(rng.uniform(0.5, 1.4))
    crop = ImageEnhance.Contrast(crop).enhance(rng.uniform(0.5, 1.3))
    if rng.random() < 0.6:
        buf = io.BytesIO()
        crop.save(buf, 'JPEG', quality=rng.randint(20, 90))
        crop = Image.open(io.BytesIO(buf.getvalue())).convert('RGB')
    key = ''.join(c for c in ''.join(lines).replace('Đ', 'D') if c.isalnum())
    return crop, key, len(lines)


if __name__ == '__main__':
    import sys
    rng = random.Random(1)
    bg = Backgrounds(os.path.join(os.path.dirname(__file__), '../../../shared/datasets/vn-scenes/images'), 20)
    out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/synth'
    os.makedirs(out, exist_ok=True)
    for i in range(24):
        img, key, n = synth_sample(rng, bg)
        img.resize((img.width * 4, img.height * 4), Image.NEAREST).save(f'{out}/{i:02d}_{key}_{n}.png')

import { readFileSync } from 'node:fs';
import { decodeImage } from '../src/vision/image.js';
import { detectText } from '../src/vision/detector.js';
import { plateCandidates } from '../src/vision/candidates.js';
import { readLines } from '../src/vision/recogniser.js';
import { PLATE_ALPHABET } from '../src/vision/ctc.js';
for (const f of process.argv.slice(2)) {
  const d = await decodeImage(readFileSync('/work/shared/datasets/vn-plate-crops/images/' + f));
  const c = plateCandidates(await detectText(d.image, 384))[0]!;
  const pads = c.lines.map((b) => ({ x: b.x - b.height * 0.3, y: b.y - b.height * 0.08, width: b.width + 0.6 * b.height, height: b.height * 1.16 }));
  const r = await readLines(d.image, pads, 1.3);
  console.log(f, r.map((l) => l.chars.map((ch) => { const s = [...ch.probs].map((p, i) => [p, i]).sort((a, b) => b[0]! - a[0]!).slice(0, 2); return s.map(([p, i]) => PLATE_ALPHABET[i!] + p!.toFixed(2)).join('/'); }).join(' ')).join(' | '));
}

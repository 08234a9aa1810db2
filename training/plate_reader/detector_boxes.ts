/**
 * Training boxes for the VN reader from the plate detector: for each vn-scenes photo, the detector's boxes are
 * read by both whole-plate readers, and the box whose reading is nearest the label (within --max-edits
 * characters) is written out with the label. Unlike the engine's dump, this reaches the plates the engine
 * misses (small, blurred, side-on), which are what the reader most needs to learn. Boxes carry the margin the
 * engine's plate look gives them, so the reader trains on what it is shown at run time.
 *
 * usage: npx tsx training/plate_reader/detector_boxes.ts --out /tmp/det-boxes.jsonl [--max-edits 3]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage } from '../../src/vision/image.js';
import { detectPlates, plateLookRegion } from '../../src/vision/plate-detector.js';
import { readVnPlates } from '../../src/vision/vn-plate-reader.js';
import { readPlateCrops } from '../../src/vision/plate-reader.js';
import { plateKey } from '../../src/vision/plate-grammar.js';


const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: join(import.meta.dirname, '../../../shared/datasets') },
    out: { type: 'string' },
    'max-edits': { type: 'string', default: '3' },
  },
});
if (!values.out) throw new Error('--out is required');
const maxEdits = Number(values['max-edits']);

function editDistance(a: string, b: string): number {
  let d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(d[j]! + 1, next[j - 1]! + 1, d[j - 1]! + Number(a[i - 1] !== b[j - 1])));
    d = next;
  }
  return d[b.length]!;
}

const root = join(values.datasets!, 'vn-scenes');
const items = readFileSync(join(root, 'manifest.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { image: string; text: string; layout?: string; category?: string });
const out: string[] = [];
let kept = 0;
for (const item of items) {
  const { image } = await decodeImage(readFileSync(join(root, item.image)));
  const want = plateKey(item.text);
  const lines = item.layout === 'two-line' ? 2 : 1;
  const boxes = (await detectPlates(image, { limit: 3, threshold: 0.2 })).map((p) => plateLookRegion(p));
  const [vn, global] = await Promise.all([readVnPlates(image, boxes.map((box) => ({ box, lines }))), readPlateCrops(image, boxes)]);
  let best: { i: number; edits: number } | undefined;
  boxes.forEach((_, i) => {
    const edits = Math.min(editDistance(plateKey(vn[i]!.text), want), editDistance(plateKey(global[i]!.text), want));
    if (!best || edits < best.edits) best = { i, edits };
  });
  if (best && best.edits <= maxEdits) {
    const b = boxes[best.i]!;
    kept++;
    out.push(JSON.stringify({ image: item.image, want: item.text, category: item.category, edits: best.edits, top: { text: item.text, layout: lines === 2 ? 'two-line' : 'one-line', bbox: { x: b.x, y: b.y, width: b.width, height: b.height } } }));
  }
}
writeFileSync(values.out, out.join('\n') + '\n');
console.log(`${kept} of ${items.length} scenes have a detector box read within ${maxEdits} characters of the label`);

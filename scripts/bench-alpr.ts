import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createPlateEngine, normalisePlate, plateKey, type Profile } from '../src/vision/engine.js';

interface ManifestLine {
  image: string;
  text: string;
  lines?: string[];
}

/**
 * Labels that do not fit the VN grammar (e.g. "81-81" for an 81-B1 plate)
 * are mostly labelling slips; the accuracy on the others is reported
 * separately so tuning is not steered by label noise.
 */
function labelFitsGrammar(item: ManifestLine): boolean {
  const n = normalisePlate(item.text, 'vn', item.lines ? { lines: item.lines } : {});
  return n.valid && n.key === plateKey(item.text);
}

const { values } = parseArgs({
  options: {
    manifest: { type: 'string' },
    profile: { type: 'string', default: 'vn' },
    limit: { type: 'string' },
    'no-tesseract': { type: 'boolean', default: false },
  },
});
if (!values.manifest) {
  process.stderr.write('usage: bench-alpr --manifest <manifest.jsonl> [--profile vn|generic] [--limit n] [--no-tesseract]\n');
  process.exit(2);
}
const profile = values.profile as Profile;
if (profile !== 'vn' && profile !== 'generic') {
  process.stderr.write(`unknown profile ${profile}\n`);
  process.exit(2);
}
const base = dirname(resolve(values.manifest));
let items = readFileSync(values.manifest, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as ManifestLine);
if (values.limit) items = items.slice(0, Number(values.limit));

const engine = await createPlateEngine({ tesseract: !values['no-tesseract'] });
// One warm-up call so session initialisation is not billed to the first image.
if (items[0]) await engine.recognise(readFileSync(resolve(base, items[0].image)), { profile });

let ok = 0;
let fitting = 0;
let fittingOk = 0;
const times: number[] = [];
for (const item of items) {
  const buf = readFileSync(resolve(base, item.image));
  const t0 = performance.now();
  let got = '';
  let raw = '';
  try {
    const res = await engine.recognise(buf, { profile });
    got = res.plates[0]?.text ?? '';
    raw = res.plates[0]?.raw ?? '';
  } catch (err) {
    raw = `error: ${(err as Error).message}`;
  }
  times.push(performance.now() - t0);
  const correct = plateKey(got) === plateKey(item.text);
  if (correct) ok++;
  if (profile === 'vn' && labelFitsGrammar(item)) {
    fitting++;
    if (correct) fittingOk++;
  }
  if (!correct) process.stderr.write(`FAIL ${item.image} want=${item.text} got=${got} raw=${raw}\n`);
}
await engine.close();

times.sort((a, b) => a - b);
const pct = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
const n = items.length;
if (profile === 'vn') {
  process.stderr.write(`labels fitting the vn grammar: accuracy ${(fitting ? fittingOk / fitting : 0).toFixed(4)} (${fittingOk}/${fitting})\n`);
}
process.stdout.write(`accuracy ${(n ? ok / n : 0).toFixed(4)} (${ok}/${n}) median_ms ${pct(0.5).toFixed(1)} p95_ms ${pct(0.95).toFixed(1)}\n`);

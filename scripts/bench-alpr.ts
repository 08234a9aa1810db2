import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createPlateEngine, normalisePlate, plateKey, type Profile } from '../src/vision/engine.js';

interface ManifestLine {
  image: string;
  text: string;
  lines?: string[];
  category?: string;
}

/** One visually checked label: what the plate really shows, or null when it cannot be read. */
interface AuditLine {
  image: string;
  label: string;
  corrected: string | null;
  note: string;
}

/**
 * Reads an audit file and checks it against the manifest: an entry whose original label differs
 * from the manifest's refers to another version of the data set and is refused.
 */
function loadAudit(path: string, all: ManifestLine[], items: ManifestLine[]): Map<string, AuditLine> {
  const byImage = new Map(all.map((i) => [i.image, i]));
  const kept = new Set(items.map((i) => i.image));
  const audit = new Map<string, AuditLine>();
  for (const line of readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '')) {
    const entry = JSON.parse(line) as AuditLine;
    const item = byImage.get(entry.image);
    if (!item) throw new Error(`audit names ${entry.image}, which is not in the manifest`);
    if (item.text !== entry.label) throw new Error(`audit of ${entry.image} is for label ${JSON.stringify(entry.label)}, the manifest says ${JSON.stringify(item.text)}`);
    // --sample, --holdout and --limit measure a subset: the audit of the other images is checked, not used.
    if (kept.has(entry.image)) audit.set(entry.image, entry);
  }
  return audit;
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
    sample: { type: 'string' },
    dump: { type: 'string' },
    'no-tesseract': { type: 'boolean', default: false },
    audit: { type: 'string' },
    holdout: { type: 'boolean', default: false },
  },
});
if (!values.manifest) {
  process.stderr.write('usage: bench-alpr --manifest <manifest.jsonl> [--profile vn|generic] [--limit n] [--sample k] [--dump reads.jsonl] [--no-tesseract] [--audit <label-audit.jsonl>] [--holdout]\n');
  process.exit(2);
}
const profile = values.profile as Profile;
if (profile !== 'vn' && profile !== 'generic') {
  process.stderr.write(`unknown profile ${profile}\n`);
  process.exit(2);
}
const base = dirname(resolve(values.manifest));
const all = readFileSync(values.manifest, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as ManifestLine);
let items = all;
// --sample k keeps every k-th image: a quick figure spread over all categories, not the first few.
if (values.sample) items = items.filter((_, i) => i % Number(values.sample) === 0);
// --holdout keeps the fifth of the images that training/ never trains on (training/vn_data.py, held_out()).
if (values.holdout) items = items.filter((item) => createHash('sha1').update(basename(item.image)).digest()[0]! % 5 === 0);
if (values.limit) items = items.slice(0, Number(values.limit));
const audit = values.audit ? loadAudit(values.audit, all, items) : null;

const engine = await createPlateEngine({ tesseract: !values['no-tesseract'] });
// One warm-up call so session initialisation is not billed to the first image.
if (items[0]) await engine.recognise(readFileSync(resolve(base, items[0].image)), { profile });

let ok = 0;
let auditedOk = 0;
let excluded = 0;
let fitting = 0;
let fittingOk = 0;
const times: number[] = [];
/** Per category: images and correct top reads. */
const categories = new Map<string, { n: number; ok: number }>();
/** Top plates not flagged lowConfidence (would be fined without a person looking), and how many were right. */
let auto = 0;
let autoOk = 0;
const dump: string[] = [];
for (const item of items) {
  const buf = readFileSync(resolve(base, item.image));
  const t0 = performance.now();
  let got = '';
  let raw = '';
  let flagged = true;
  let top: unknown = null;
  try {
    const res = await engine.recognise(buf, { profile });
    got = res.plates[0]?.text ?? '';
    raw = res.plates[0]?.raw ?? '';
    flagged = res.plates[0]?.lowConfidence ?? true;
    top = res.plates[0] ?? null;
  } catch (err) {
    raw = `error: ${(err as Error).message}`;
  }
  times.push(performance.now() - t0);
  const correct = plateKey(got) === plateKey(item.text);
  if (correct) ok++;
  if (!flagged) {
    auto++;
    if (correct) autoOk++;
  }
  if (item.category) {
    const c = categories.get(item.category) ?? { n: 0, ok: 0 };
    c.n++;
    if (correct) c.ok++;
    categories.set(item.category, c);
  }
  if (values.dump) dump.push(JSON.stringify({ image: item.image, want: item.text, category: item.category, correct, top }));
  const checked = audit?.get(item.image);
  if (checked && checked.corrected === null) excluded++;
  else if (plateKey(got) === plateKey(checked?.corrected ?? item.text)) auditedOk++;
  if (profile === 'vn' && labelFitsGrammar(item)) {
    fitting++;
    if (correct) fittingOk++;
  }
  if (!correct) process.stderr.write(`FAIL ${item.image} want=${item.text} got=${got} raw=${raw}\n`);
}
await engine.close();
if (values.dump) writeFileSync(values.dump, dump.join('\n') + '\n');

times.sort((a, b) => a - b);
const pct = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
const n = items.length;
if (profile === 'vn') {
  process.stderr.write(`labels fitting the vn grammar: accuracy ${(fitting ? fittingOk / fitting : 0).toFixed(4)} (${fittingOk}/${fitting})\n`);
}
for (const [name, c] of [...categories].sort()) {
  process.stdout.write(`category ${name} accuracy ${(c.ok / c.n).toFixed(4)} (${c.ok}/${c.n})\n`);
}
// A wrong confident read becomes a notice to an innocent owner: precision_auto is the figure that guards them.
process.stdout.write(`precision_auto ${(auto ? autoOk / auto : 0).toFixed(4)} (${autoOk}/${auto}) auto_share ${(n ? auto / n : 0).toFixed(4)}\n`);
const timing = `median_ms ${pct(0.5).toFixed(1)} p95_ms ${pct(0.95).toFixed(1)}`;
if (audit) {
  // the last line scores against the audited labels; the raw-label figure stays on the line before
  const corrected = [...audit.values()].filter((a) => a.corrected !== null).length;
  process.stdout.write(`accuracy_raw ${(n ? ok / n : 0).toFixed(4)} (${ok}/${n})\n`);
  process.stdout.write(`audited_labels corrected ${corrected} excluded_unreadable ${excluded}\n`);
  const m = n - excluded;
  process.stdout.write(`accuracy ${(m ? auditedOk / m : 0).toFixed(4)} (${auditedOk}/${m}) ${timing}\n`);
} else {
  process.stdout.write(`accuracy ${(n ? ok / n : 0).toFixed(4)} (${ok}/${n}) ${timing}\n`);
}

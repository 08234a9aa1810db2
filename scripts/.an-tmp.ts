import { readFileSync } from 'node:fs';
import { normalisePlate, plateKey } from '../src/vision/plate-grammar.js';
const lines = readFileSync(process.argv[2]!, 'utf8').split('\n').filter((l) => l.startsWith('FAIL'));
let invalidLabel = 0, empty = 0, lenDiff = 0, oneChar = 0, other = 0;
const buckets: Record<string, string[]> = { invalidLabel: [], lenDiff: [], oneChar: [], other: [] };
for (const l of lines) {
  const m = /want=(.*) got=(.*) raw=(.*)$/.exec(l)!;
  const want = m[1]!, got = m[2]!;
  const n = normalisePlate(want, 'vn', { lines: want.includes(' ') ? want.split(' ') : undefined });
  const wk = plateKey(want), gk = plateKey(got);
  if (!n.valid || n.key !== wk) buckets.invalidLabel!.push(l);
  else if (wk.length !== gk.length) buckets.lenDiff!.push(l);
  else if ([...wk].filter((c, i) => c !== gk[i]).length === 1) buckets.oneChar!.push(l);
  else buckets.other!.push(l);
}
for (const [k, v] of Object.entries(buckets)) { console.log(k, v.length); if (k !== 'invalidLabel' || process.argv[3]) for (const l of v) console.log('  ', l.replace('FAIL images/', '')); }

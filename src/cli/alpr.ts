import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createPlateEngine, ImageError, type Profile } from '../vision/engine.js';

const usage = 'usage: alpr <image...> [--profile vn|generic] [--no-tesseract]\n';

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      profile: { type: 'string', default: 'vn' },
      'no-tesseract': { type: 'boolean', default: false },
    },
  });
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
const profile = values.profile as Profile;
if (positionals.length === 0 || (profile !== 'vn' && profile !== 'generic')) {
  process.stderr.write(usage);
  process.exit(2);
}

const engine = await createPlateEngine({ tesseract: !values['no-tesseract'] });
let failed = 0;
for (const image of positionals) {
  let line: object;
  try {
    const result = await engine.recognise(await readFile(image), { profile });
    line = { image, ...result, ms: Math.round(result.ms * 10) / 10 };
  } catch (err) {
    failed++;
    const code = err instanceof ImageError ? err.code : (err as NodeJS.ErrnoException).code ?? 'error';
    line = { image, error: { code, message: (err as Error).message } };
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
await engine.close();
process.exitCode = failed > 0 ? 1 : 0;

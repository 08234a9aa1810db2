import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renderScene } from './synthetic.js';

const run = promisify(execFile);

describe('alpr CLI', () => {
  it('prints one JSON line per image, errors included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alpr-cli-'));
    try {
      const good = join(dir, 'plate.png');
      const bad = join(dir, 'empty.jpg');
      writeFileSync(good, (await renderScene({ lines: ['29-B1', '678.90'] }, { seed: 3 })).image);
      writeFileSync(bad, '');
      const out = await run('npx', ['tsx', 'src/cli/alpr.ts', good, bad, '--profile', 'vn', '--no-tesseract'], { cwd: process.cwd() }).catch(
        (e: { stdout: string; code: number }) => e,
      );
      const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ image: good, width: 640, height: 480 });
      expect(lines[0].plates[0].text).toBe('29-B1 678.90');
      expect(lines[1]).toMatchObject({ image: bad, error: { code: 'empty' } });
      expect((out as { code?: number }).code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { describeConfig } from '../../src/config.js';

describe('README', () => {
  it('documents every configuration variable', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = describeConfig().map((c) => c.name).filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
  });

  it('names only npm scripts that exist', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const named = [...readme.matchAll(/npm run (?:--silent )?([a-z:-]+)/g)].map((m) => m[1]!);
    expect(named.filter((script) => !(script in pkg.scripts))).toEqual([]);
  });
});

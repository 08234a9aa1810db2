import { createHash } from 'node:crypto';
import { parseFontsPerPaper } from '../../src/notices/paper-fonts.js';

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The sha256 of each item rendered with its fonts parsed for its paper alone (nothing shared with earlier
 * papers): the reference a paper laid out with the thread's shared fonts must equal.
 */
export async function hashesWithFontsAlone<T>(items: T[], render: (item: T) => Promise<Buffer>): Promise<string[]> {
  parseFontsPerPaper(true);
  try {
    const out: string[] = [];
    for (const item of items) out.push(sha(await render(item)));
    return out;
  } finally {
    parseFontsPerPaper(false);
  }
}

import { describe, expect, it } from 'vitest';
import { fontsForNewPaper, type ParsedFont } from '../../src/notices/paper-fonts.js';
import { Paper } from '../../src/notices/pdf-layout.js';
import { hashesWithFontsAlone, sha } from './fonts-alone.js';
import { readPdf } from './pdf-text.js';

/**
 * Papers laid out one after the other in a thread share the words laid out in each font: a word the
 * thread has laid out before is not shaped again, and every paper has the bytes it would have alone.
 */

const LEGAL = 'Căn cứ Luật Xử lý vi phạm hành chính, Công an tỉnh thông báo để chủ phương tiện đến giải quyết vụ việc vi phạm.';

async function paper(name: string): Promise<Buffer> {
  const p = new Paper({ title: 'Thông báo', author: 'Công an', subject: 'Thông báo', createdAt: new Date('2026-11-01T03:00:00Z') });
  p.paragraph(LEGAL);
  p.row('Họ và tên', name, true);
  p.paragraph(`Đề nghị ông (bà) ${name} đến trụ sở. ${LEGAL}`, { bold: true });
  return p.end();
}

/** Counts the words the shared fonts shape from now on. */
function countShaping(): { count: () => number } {
  let n = 0;
  const { regular, bold } = fontsForNewPaper() as { regular: ParsedFont; bold: ParsedFont };
  for (const font of [regular, bold]) {
    const shape = font.layout.bind(font);
    font.layout = (text: string, ...rest: unknown[]) => { n++; return shape(text, ...rest); };
  }
  return { count: () => n };
}

describe('words shared between papers', () => {
  it('shapes a word once per thread, not once per paper', async () => {
    await paper('Phạm Thị Hoà');
    const shaping = countShaping();
    await paper('Phạm Thị Hoà');
    expect(shaping.count()).toBe(0);
    // a new name shapes only its new words: three in the row, and in the paragraph three more with what follows them ('Bảo. ')
    await paper('Trương Quốc Bảo');
    expect(shaping.count()).toBeGreaterThan(0);
    expect(shaping.count()).toBeLessThanOrEqual(8);
  });

  it('gives each paper the bytes and text it has when its fonts are parsed for it alone', async () => {
    const names = ['Đỗ Thị Yến', 'Nguyễn Văn Ánh'.normalize('NFD'), 'Đỗ Văn Yên', 'Trần Ánh'];
    const alone = await hashesWithFontsAlone(names, paper);
    const shared: Buffer[] = [];
    for (const name of names) shared.push(await paper(name));
    expect(shared.map(sha)).toEqual(alone);
    expect((await readPdf(shared[1]!)).text).toContain('Nguyễn Văn Ánh');
  });
});

import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvRecords, CsvSyntaxError, type CsvRecord } from '../../src/registry/csv-records.js';
import { createRng } from '../../src/registry/synthetic.js';

/** The text cut into pieces at the given offsets, as a file stream hands it over (bytes, cut anywhere). */
async function read(text: string, cuts: number[] = []): Promise<CsvRecord[]> {
  const bytes = Buffer.from(text, 'utf8');
  const pieces: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    pieces.push(bytes.subarray(at, cut));
    at = cut;
  }
  pieces.push(bytes.subarray(at));
  const out: CsvRecord[] = [];
  for await (const records of csvRecords(pieces)) out.push(...records);
  return out;
}

/** What the import read with before: csv-parse with the import's options. */
function csvParse(text: string): CsvRecord[] {
  const rows = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  return rows.map((r) => ({ fields: r.record, line: r.info.lines }));
}

describe('reading CSV records', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks, and names the line each record ends on', async () => {
    const text = '\ufeffplate,address\n 30A-123.45 ,"Số 1, ""Láng Hạ""\nHà Nội"\r\n\n  \n29-B1 678.90,\tTP HCM\u00a0\n';
    expect(await read(text)).toEqual([
      { fields: ['plate', 'address'], line: 1 },
      { fields: ['30A-123.45', 'Số 1, "Láng Hạ"\nHà Nội'], line: 3 },
      { fields: ['29-B1 678.90', 'TP HCM'], line: 6 },
    ]);
  });

  it('gives the same records wherever the input is cut, even inside a character or between CR and LF', async () => {
    const text = 'a,b\r\n"x\r\ny",ệ\r\n"q""",z';
    const whole = await read(text);
    expect(whole.map((r) => r.line)).toEqual([1, 3, 4]);
    const bytes = Buffer.byteLength(text);
    for (let cut = 1; cut < bytes; cut++) expect(await read(text, [cut])).toEqual(whole);
  });

  it('refuses a quote that is never closed, or that opens or closes in the middle of a cell', async () => {
    await expect(read('a,b\n"open,b\n')).rejects.toThrow(CsvSyntaxError);
    await expect(read('a,b\nab"c,d\n')).rejects.toThrow(/dòng 2/);
    await expect(read('a,b\n"x"z,y\n')).rejects.toThrow(CsvSyntaxError);
  });

  it('reads random text as csv-parse did: the same records (and lines, where it counted them right), or both refuse it', async () => {
    const rng = createRng(7);
    let compared = 0;
    for (let round = 0; round < 3000; round++) {
      // one kind of line end in a file, as an export writes it
      const eol = ['\n', '\r\n', '\r'][round % 3]!;
      const alphabet = ['a', 'b', '1', ' ', '\t', ',', ',', '"', '"', eol, eol, 'ệ'];
      let text = `plate,owner${eol}`;
      const length = Math.floor(rng() * 40);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(rng() * alphabet.length)];
      let expected: CsvRecord[] | 'refused';
      try {
        expected = csvParse(text);
      } catch {
        expected = 'refused';
      }
      const cut = Math.floor(rng() * (Buffer.byteLength(text) + 1));
      const got = await read(text, [cut]).catch((err: unknown) => {
        if (err instanceof CsvSyntaxError) return 'refused' as const;
        throw err;
      });
      // csv-parse counts a CRLF or CR inside quotes as two lines, and a line of nothing but spaces twice when a
      // quoted cell follows it: its line numbers are compared only where it counts right
      const countsRight = eol === '\n' && !/(^|\n)[ \t]+\n/.test(text);
      const comparable = (r: CsvRecord[] | 'refused') => (r === 'refused' || countsRight ? r : r.map((x) => x.fields));
      // csv-parse also takes a quoted cell, blanks, then another quoted cell ("a" "b") as one cell: refused here
      if (got === 'refused' && expected !== 'refused' && /"[ \t]+"/.test(text)) continue;
      expect({ text: JSON.stringify(text), got: comparable(got) }).toEqual({ text: JSON.stringify(text), got: comparable(expected) });
      if (expected !== 'refused') compared++;
    }
    expect(compared).toBeGreaterThan(500);
  });
});

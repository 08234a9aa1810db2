import { spreadsheetCsv } from '../csv/spreadsheet-csv.js';
import type { ReconciliationReport } from './statement.js';
import type { OutstandingItem, TotalsReport } from './reports.js';

/** Finance reports as CSV for spreadsheets: one header row, amounts in whole VND, times in ISO 8601 (UTC). */
const OUTSTANDING_COLUMNS = ['notice_number', 'plate', 'camera', 'rule', 'status', 'amount', 'outstanding', 'issued_at', 'due_at', 'age_days', 'aging_bucket'];

/** Rows of the outstanding list as CSV; the header only when asked (the first chunk of a streamed export). */
export function outstandingCsv(items: readonly OutstandingItem[], header = true): string {
  return spreadsheetCsv(items.map((i) => [i.noticeNumber, i.plate, i.cameraCode, i.rule, i.status, i.amount, i.outstanding, i.issuedAt, i.dueAt, i.ageDays, i.bucket]),
    { header, columns: OUTSTANDING_COLUMNS });
}

export function totalsCsv(report: TotalsReport): string {
  const rows = report.rows.map((r) => [r.key, r.issuedCount, r.issued, r.collectedCount, r.collected, r.outstanding]);
  const t = report.total;
  rows.push(['TOTAL', t.issuedCount, t.issued, t.collectedCount, t.collected, t.outstanding]);
  return spreadsheetCsv(rows, { header: true, columns: [report.group, 'issued_count', 'issued', 'collected_count', 'collected', 'outstanding'] });
}

export function reconciliationCsv(report: ReconciliationReport): string {
  return spreadsheetCsv(report.outcomes.map((o) => [o.line, o.status, o.status === 'unmatched' ? o.reason : '', o.noticeNumber ?? '', o.amount ?? '',
    o.reference ?? '', o.status === 'unmatched' ? o.message : '']),
  { header: true, columns: ['line', 'status', 'reason', 'notice_number', 'amount', 'reference', 'message'] });
}

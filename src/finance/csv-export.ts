import { spreadsheetCsv } from '../csv/spreadsheet-csv.js';
import { agingBucketLabel, noticeStatusLabel, ruleLabel, statementOutcomeLabel, unmatchedReasonLabel, vnDateTime } from '../csv/vietnamese-labels.js';
import type { ReconciliationReport } from './statement.js';
import type { OutstandingItem, TotalsReport } from './reports.js';

/** Finance reports as CSV for spreadsheets: Vietnamese headers and values, amounts in whole VND, times in Vietnam time. */
const OUTSTANDING_COLUMNS = ['Số thông báo', 'Biển số', 'Camera', 'Loại vi phạm', 'Trạng thái', 'Số tiền phạt (đồng)', 'Còn phải nộp (đồng)',
  'Ngày gửi thông báo (giờ Việt Nam)', 'Hạn giải quyết (giờ Việt Nam)', 'Số ngày từ khi gửi', 'Nhóm tuổi nợ'];

/** Rows of the outstanding list as CSV; the header only when asked (the first chunk of a streamed export). */
export function outstandingCsv(items: readonly OutstandingItem[], header = true): string {
  return spreadsheetCsv(items.map((i) => [i.noticeNumber, i.plate, i.cameraCode, ruleLabel(i.rule), noticeStatusLabel(i.status), i.amount, i.outstanding,
    vnDateTime(i.issuedAt), vnDateTime(i.dueAt), i.ageDays, agingBucketLabel(i.bucket)]),
  { header, columns: OUTSTANDING_COLUMNS });
}

const GROUP_HEADER: Record<TotalsReport['group'], string> = { month: 'Tháng', camera: 'Camera', rule: 'Loại vi phạm' };

export function totalsCsv(report: TotalsReport): string {
  const key = (k: string) => (report.group === 'rule' ? ruleLabel(k) : report.group === 'month' ? monthLabel(k) : k);
  const rows: Array<Array<string | number>> = report.rows.map((r) => [key(r.key), r.issuedCount, r.issued, r.collectedCount, r.collected, r.outstanding]);
  const t = report.total;
  rows.push(['Tổng cộng', t.issuedCount, t.issued, t.collectedCount, t.collected, t.outstanding]);
  return spreadsheetCsv(rows, { header: true, columns: [GROUP_HEADER[report.group], 'Số thông báo đã gửi', 'Tiền phạt đã ra (đồng)', 'Số khoản đã thu',
    'Đã thu (đồng)', 'Chưa thu (đồng)'] });
}

/** "2026-11" → "11/2026" (the way a month is written in Vietnam); anything else is left as it is. */
function monthLabel(key: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  return m ? `${m[2]}/${m[1]}` : key;
}

export function reconciliationCsv(report: ReconciliationReport): string {
  return spreadsheetCsv(report.outcomes.map((o) => [o.line, statementOutcomeLabel(o.status), o.status === 'unmatched' ? unmatchedReasonLabel(o.reason) : '',
    o.noticeNumber ?? '', o.amount ?? '', o.reference ?? '', o.status === 'unmatched' ? o.message : '']),
  { header: true, columns: ['Dòng', 'Kết quả', 'Lý do', 'Số quyết định / thông báo', 'Số tiền (đồng)', 'Mã giao dịch', 'Chi tiết'] });
}

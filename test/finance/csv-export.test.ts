import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { vnDateTime } from '../../src/csv/vietnamese-labels.js';
import { outstandingCsv, reconciliationCsv } from '../../src/finance/csv-export.js';

describe('finance CSV in Vietnamese', () => {
  it('writes instants as Vietnam wall-clock time (UTC+7), across the day boundary', () => {
    expect(vnDateTime('2026-01-01T17:30:05Z')).toBe('02/01/2026 00:30:05');
    expect(vnDateTime(new Date('2026-12-31T16:59:59Z'))).toBe('31/12/2026 23:59:59');
  });

  it('shows no internal code: an unknown rule or status gets a neutral Vietnamese label', () => {
    const csv = outstandingCsv([{ noticeNumber: 'PN-PC08-2026-000001', plate: '30A-123.45', cameraCode: 'HN-1',
      rule: 'some_future_rule', status: 'issued', amount: 1, outstanding: 1, issuedAt: '2026-01-01T00:00:00Z', dueAt: '2026-01-21T17:00:00Z', ageDays: 3, bucket: '0-20' }]);
    const [row] = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(row).toMatchObject({ 'Loại vi phạm': 'Vi phạm khác', 'Trạng thái': 'Đã gửi thông báo', 'Hạn giải quyết (giờ Việt Nam)': '22/01/2026 00:00:00',
      'Nhóm tuổi nợ': '0–20 ngày' });
    expect(csv).not.toMatch(/some_future_rule|issued|0-20/);
  });

  it('labels each reconciliation outcome and reason', () => {
    const csv = reconciliationCsv({ outcomes: [
      { line: 2, status: 'matched', noticeNumber: 'QD-PC08-2026-000001', paymentId: 1, amount: 100, reference: 'FT1' },
      { line: 3, status: 'unmatched', reason: 'amount_mismatch', message: 'Số tiền không khớp', noticeNumber: null, amount: 5, reference: 'FT2' },
    ] } as never);
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r['Kết quả'], r['Lý do']])).toEqual([['Khớp', ''], ['Không khớp', 'Số tiền không khớp']]);
  });
});

import { describe, expect, it } from 'vitest';
import { formatLocalDate, formatLocalDateTime, formatVnd, localMonth, localYear, maskIdNumber } from '../../src/notices/format.js';
import { fillTemplate, loadNoticeTemplate } from '../../src/notices/template.js';

describe('notice formatting', () => {
  it('writes VND amounts with dot grouping and the đ sign', () => {
    expect(formatVnd(5_000_000)).toBe('5.000.000 đ');
    expect(formatVnd(19_000_000)).toBe('19.000.000 đ');
    expect(formatVnd(800_000)).toBe('800.000 đ');
    expect(formatVnd(500)).toBe('500 đ');
  });

  it('shows times in Vietnam time whatever the server zone, and dates the year by Vietnam time', () => {
    const lateUtc = new Date('2026-12-31T17:30:00Z'); // 00:30 on 1 January 2027 in Hà Nội
    expect(formatLocalDateTime(lateUtc)).toBe('00:30:00 ngày 01/01/2027');
    expect(formatLocalDate(lateUtc)).toBe('01/01/2027');
    expect(localYear(lateUtc)).toBe(2027);
    expect(localMonth(lateUtc)).toBe('2027-01');
  });

  it('masks all but the first and last three digits of an ID number', () => {
    expect(maskIdNumber('001090123456')).toBe('001******456');
  });

  it('fills template placeholders and refuses an unknown one rather than print braces on a legal notice', () => {
    expect(fillTemplate('Số: {noticeNumber}', { noticeNumber: 'PN-HN-2026-000001' })).toBe('Số: PN-HN-2026-000001');
    expect(() => fillTemplate('trước ngày {dueDtae}', { dueDate: '01/01/2027' })).toThrow(/unknown placeholder \{dueDtae\}/);
  });

  it('ships a valid Vietnamese template naming form 01', () => {
    const t = loadNoticeTemplate('vi');
    expect(t.title).toBe('THÔNG BÁO');
    expect(t.subtitle).toContain('được phát hiện qua hệ thống giám sát');
    expect(t.vehicleTypes.car).toBe('Ô tô');
  });
});

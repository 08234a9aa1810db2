import { describe, expect, it } from 'vitest';
import { twelveMonthsAfter } from '../../src/points/ledger.js';
import { isTimeBarred, limitationLastDay, noticeDeadline } from '../../src/procedure/deadlines.js';

const vn = (s: string) => new Date(`${s}+07:00`);

describe('notice deadline: 10 days from detection, Vietnam calendar days', () => {
  const detected = vn('2026-11-01T23:30:00');
  it('is ok with 3 or more days left, warns below, and is overdue after the 10th day', () => {
    expect(noticeDeadline(detected, vn('2026-11-08T09:00:00'))).toMatchObject({ daysLeft: 3, state: 'ok' });
    expect(noticeDeadline(detected, vn('2026-11-09T00:00:00'))).toMatchObject({ daysLeft: 2, state: 'warning', message: 'Còn 2 ngày để gửi thông báo' });
    expect(noticeDeadline(detected, vn('2026-11-11T23:59:59'))).toMatchObject({ daysLeft: 0, state: 'warning', message: 'Hôm nay là ngày cuối gửi thông báo' });
    expect(noticeDeadline(detected, vn('2026-11-12T00:00:00'))).toMatchObject({ daysLeft: -1, state: 'overdue' });
    expect(noticeDeadline(detected, detected).deadline).toEqual(vn('2026-11-11T23:59:59.999'));
  });
});

describe('limitation: one calendar year', () => {
  it('runs to the end of the same date a year later, in Vietnam time', () => {
    const at = vn('2025-11-23T00:30:00'); // 22 November in UTC
    expect(limitationLastDay(at).label).toBe('23/11/2026');
    expect(isTimeBarred(at, vn('2026-11-23T23:59:59'))).toBe(false);
    expect(isTimeBarred(at, vn('2026-11-24T00:00:00'))).toBe(true);
  });
  it('takes 29 February to 28 February', () => {
    expect(limitationLastDay(vn('2028-02-29T12:00:00')).label).toBe('28/02/2029');
  });
});

describe('points restoration date', () => {
  it('is twelve calendar months after the last deduction', () => {
    expect(twelveMonthsAfter(new Date('2026-03-31T05:00:00Z')).toISOString()).toBe('2027-03-31T05:00:00.000Z');
    expect(twelveMonthsAfter(new Date('2028-02-29T05:00:00Z')).toISOString()).toBe('2029-02-28T05:00:00.000Z');
  });
});

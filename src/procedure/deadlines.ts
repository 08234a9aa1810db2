/**
 * Procedure deadlines counted in Vietnam calendar days. Shared by the review queue (notice deadline),
 * the evaluation of captures, records and decisions (limitation) so every part of the system counts days the same way.
 */

import { DAY_MS, VN_OFFSET_MS } from '../vietnam-time.js';

/** The Vietnam calendar day of `at` as days since 1970-01-01. */
export function vnDay(at: Date): number {
  return Math.floor((at.getTime() + VN_OFFSET_MS) / DAY_MS);
}

/** Start (00:00 Vietnam time) of the Vietnam day `day`. */
function startOfVnDay(day: number): Date {
  return new Date(day * DAY_MS - VN_OFFSET_MS);
}

/** The notice (form 01) is sent within 10 days of detection (TT 73/2024 Đ24.1). */
export const NOTICE_DAYS = 10;
/** The queue warns from this many days left. */
export const NOTICE_WARNING_DAYS = 3;

export interface NoticeDeadline {
  /** the last moment a notice can go out: the end of the 10th day after detection */
  deadline: Date;
  /** whole days left including today; 0 on the last day is still "today", negative once it has passed */
  daysLeft: number;
  state: 'ok' | 'warning' | 'overdue';
  /** for the officer, in Vietnamese */
  message: string;
}

export function noticeDeadline(occurredAt: Date, now: Date): NoticeDeadline {
  const lastDay = vnDay(occurredAt) + NOTICE_DAYS;
  const deadline = new Date(startOfVnDay(lastDay + 1).getTime() - 1);
  const daysLeft = lastDay - vnDay(now);
  if (daysLeft < 0) return { deadline, daysLeft, state: 'overdue', message: `Quá hạn gửi thông báo ${-daysLeft} ngày` };
  const message = daysLeft === 0 ? 'Hôm nay là ngày cuối gửi thông báo' : `Còn ${daysLeft} ngày để gửi thông báo`;
  return { deadline, daysLeft, state: daysLeft < NOTICE_WARNING_DAYS ? 'warning' : 'ok', message };
}

/**
 * The last Vietnam day on which a violation can still be sanctioned: one calendar year from the day of
 * the violation (Luật XLVPHC Đ6). 29 February runs to 28 February of the next year.
 */
export function limitationLastDay(occurredAt: Date): { day: number; label: string } {
  const local = new Date(occurredAt.getTime() + VN_OFFSET_MS);
  const y = local.getUTCFullYear() + 1;
  const m = local.getUTCMonth();
  const lastOfMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = Math.min(local.getUTCDate(), lastOfMonth);
  const day = Math.floor(Date.UTC(y, m, d) / DAY_MS);
  return { day, label: `${String(d).padStart(2, '0')}/${String(m + 1).padStart(2, '0')}/${y}` };
}

export function isTimeBarred(occurredAt: Date, now: Date): boolean {
  return vnDay(now) > limitationLastDay(occurredAt).day;
}

/** Vietnamese presentation of notice values: money, local time, masked identity numbers. */

const VN_TZ = 'Asia/Ho_Chi_Minh';

/** 5000000 → "5.000.000 đ" (Vietnamese grouping with dots). */
export function formatVnd(amount: number): string {
  const digits = Math.round(Math.abs(amount)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${amount < 0 ? '-' : ''}${digits} đ`;
}

// made once: building a formatter loads ICU's zone and locale data, far dearer than formatting with it
const VN_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: VN_TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function parts(at: Date): Record<string, string> {
  return Object.fromEntries(VN_PARTS.formatToParts(at).map((p) => [p.type, p.value]));
}

/** "14:05:09 ngày 01/11/2026" in Vietnam time, however the server's clock zone is set. */
export function formatLocalDateTime(at: Date): string {
  const p = parts(at);
  return `${p.hour}:${p.minute}:${p.second} ngày ${p.day}/${p.month}/${p.year}`;
}

/** "01/11/2026" in Vietnam time. */
export function formatLocalDate(at: Date): string {
  const p = parts(at);
  return `${p.day}/${p.month}/${p.year}`;
}

/** Calendar year in Vietnam time: a notice issued at 23:30 UTC on 31 December is already numbered in the new year. */
export function localYear(at: Date): number {
  return Number(parts(at).year);
}

/** "YYYY-MM" of the Vietnam-time month, the finance reports' period key. */
export function localMonth(at: Date): string {
  const p = parts(at);
  return `${p.year}-${p.month}`;
}

/**
 * A personal ID number printed on a mailed notice shows only its first and last three digits:
 * enough for the owner to recognise it, not enough to reuse it. Tax codes of organisations are public.
 */
export function maskIdNumber(id: string): string {
  if (id.length <= 6) return '*'.repeat(id.length);
  return `${id.slice(0, 3)}${'*'.repeat(id.length - 6)}${id.slice(-3)}`;
}

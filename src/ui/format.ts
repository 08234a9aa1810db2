import { currentLanguage } from './i18n.js';

const TZ = 'Asia/Ho_Chi_Minh';

/** 5000000 → "5.000.000 ₫" (Vietnamese grouping whatever the interface language). */
export function money(amount: number): string {
  return `${new Intl.NumberFormat('vi-VN').format(amount)} ₫`;
}

export function dateTime(iso: string): string {
  return new Intl.DateTimeFormat(currentLanguage() === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).format(new Date(iso));
}

export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

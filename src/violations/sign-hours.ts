import type { BanWindow } from './types.js';
import { DAY_MS, VN_OFFSET_MS } from '../vietnam-time.js';

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minutes since midnight in Vietnam. */
function vietnamMinutes(at: Date): number {
  return Math.floor((((at.getTime() + VN_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / 60_000);
}

/** "HH:MM" in Vietnam time, for reasons and details. */
export function vietnamClock(at: Date): string {
  const m = vietnamMinutes(at);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * The window of the sign in force at `at`, or null. A window includes its start minute and ends
 * before its end minute (06:00-09:00 bans 06:00 to 08:59); one ending before it starts runs past
 * midnight (22:00-05:00).
 */
export function activeWindow(windows: readonly BanWindow[], at: Date): BanWindow | null {
  const m = vietnamMinutes(at);
  return windows.find((w) => {
    const from = minutesOf(w.from);
    const to = minutesOf(w.to);
    return from < to ? m >= from && m < to : m >= from || m < to;
  }) ?? null;
}

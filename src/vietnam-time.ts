/**
 * Vietnam has kept UTC+7 without daylight saving since 1975: a Vietnam clock time or calendar day is a
 * fixed offset from UTC, with no time-zone database needed.
 */
export const VN_OFFSET_MS = 7 * 3_600_000;
export const DAY_MS = 86_400_000;

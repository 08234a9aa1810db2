import { Type, type Static } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { ANALYTICS_EVENTS, EVENT_NAMES, EVENT_SUBJECTS, EVENTS_WITH_SUBJECT, isAnalyticsEvent, type AnalyticsEvent, type EventSubject } from '../violations/analytics-events.js';
import { IngestRejection } from './errors.js';
import { DAY_MS } from '../vietnam-time.js';

/**
 * Capture metadata as cameras send it: multipart form fields, a sidecar JSON or tokens of a file
 * name. Values may arrive as strings; they are converted, then checked once here.
 */
export const CaptureMetadataSchema = Type.Object({
  captured_at: Type.String({ minLength: 1, description: 'ISO 8601 time with offset, e.g. 2025-03-14T08:15:22.120+07:00' }),
  speed_kmh: Type.Optional(Type.Number({ minimum: 0, maximum: 400, description: 'measured speed (decimal digits, e.g. 57.5)' })),
  signal_phase: Type.Optional(Type.Union([Type.Literal('green'), Type.Literal('amber'), Type.Literal('red')])),
  red_elapsed_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'time since the light turned red' })),
  amber_elapsed_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000,
    description: 'time from the light turning amber to the vehicle crossing the stop line (signal_phase=amber)' })),
  lane: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  direction: Type.Optional(Type.Union([Type.Literal('forward'), Type.Literal('reverse')])),
  // checked below against the known events, so an unknown one is refused with the list of known ones
  event: Type.Optional(Type.String({ maxLength: 64, description: `analytics cameras: the event their analytics saw, one of ${ANALYTICS_EVENTS.join(', ')}` })),
  subject: Type.Optional(Type.String({ maxLength: 64, description: 'who broke the rule, driver or passenger: required with no_helmet and no_seat_belt, refused with any other event' })),
}, { additionalProperties: false });

export type RawCaptureMetadata = Static<typeof CaptureMetadataSchema>;

export interface CaptureMetadata {
  capturedAt: Date;
  speedKmh: number | null;
  signalPhase: 'green' | 'amber' | 'red' | null;
  redElapsedMs: number | null;
  amberElapsedMs: number | null;
  lane: number | null;
  direction: 'forward' | 'reverse' | null;
  /** the analytics event the camera reports (analytics cameras only) */
  event?: AnalyticsEvent | null;
  eventSubject?: EventSubject | null;
  /** why the measured speed cannot be trusted as it stands (Vietnamese, shown to the reviewer); null when plausible */
  speedWarning?: string | null;
}

// an offset is required: a camera clock without a zone is ambiguous by hours
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Captures older than the limitation period (1 year) can no longer be fined. */
const MAX_AGE_MS = 366 * DAY_MS;

/**
 * Default for MAX_PLAUSIBLE_SPEED_KMH: no road vehicle a traffic camera watches goes this fast. A reading
 * above it is most likely a radar fault (reflection, double count): the capture is kept as evidence,
 * but its case is flagged and cannot be approved without the officer confirming the reading.
 */
export const MAX_PLAUSIBLE_SPEED_KMH = 250;

const kmh = (n: number) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 3 }).format(n);

/** The reviewer's reason for a reading above `limitKmh`, or null when it is plausible. */
export function speedWarning(speedKmh: number | null, limitKmh: number): string | null {
  if (speedKmh === null || speedKmh <= limitKmh) return null;
  return `Tốc độ đo được bất thường (${kmh(speedKmh)} km/h, vượt ngưỡng hợp lý ${kmh(limitKmh)} km/h): cần kiểm tra thiết bị đo trước khi xử phạt`;
}

// numbers as cameras write them: plain decimal digits. Value.Convert alone would turn `0x50` into 80,
// `true` into 1 and `1e2` into 100, and a rounding integer check would hide `2.5` lanes.
const DECIMAL = /^\d{1,6}(\.\d{1,3})?$/;
const INTEGER = /^\d{1,9}$/;
const NUMERIC_FIELDS: Record<string, RegExp> = { speed_kmh: DECIMAL, red_elapsed_ms: INTEGER, amber_elapsed_ms: INTEGER, lane: INTEGER };

function refuseLooseValues(fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.includes('\0')) throw new IngestRejection(400, 'invalid_field', `${key} contains a NUL byte`);
    const format = NUMERIC_FIELDS[key];
    if (!format) continue;
    const ok = typeof value === 'number' ? Number.isFinite(value) && format.test(String(value)) : typeof value === 'string' && format.test(value);
    if (!ok) {
      throw new IngestRejection(400, 'invalid_field', `${key}: expected ${format === DECIMAL ? 'a decimal number such as 57.5' : 'a whole number'}, got ${JSON.stringify(value)}`);
    }
  }
}

/**
 * Checks and converts metadata; throws IngestRejection (400) naming the first bad field.
 * `now` and `maxFutureS` bound the capture time: a camera clock running ahead is refused. A speed
 * above `maxPlausibleSpeedKmh` is kept, with a warning for review (a camera's evidence is not thrown away).
 */
export function parseCaptureMetadata(input: Record<string, unknown>, now: Date, maxFutureS: number,
  maxPlausibleSpeedKmh = MAX_PLAUSIBLE_SPEED_KMH): CaptureMetadata {
  const cleaned: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === '' || value === null || value === undefined) continue;
    cleaned[key] = value;
  }
  if (cleaned.captured_at === undefined) throw new IngestRejection(400, 'missing_field', 'captured_at is required');
  refuseLooseValues(cleaned);
  const converted = Value.Convert(CaptureMetadataSchema, cleaned);
  const first = [...Value.Errors(CaptureMetadataSchema, converted)][0];
  if (first) {
    const field = first.path.replace(/^\//, '') || 'metadata';
    const unknownField = first.type === ValueErrorType.ObjectAdditionalProperties;
    throw new IngestRejection(400, unknownField ? 'unknown_field' : 'invalid_field',
      unknownField ? `unknown metadata field(s): ${Object.keys(cleaned).filter((k) => !(k in CaptureMetadataSchema.properties)).join(', ')}`
        : `${field}: ${first.message}`);
  }
  const meta = converted as RawCaptureMetadata;
  if (!ISO_WITH_ZONE.test(meta.captured_at)) {
    throw new IngestRejection(400, 'invalid_field', 'captured_at must be ISO 8601 with a time zone offset, e.g. 2025-03-14T08:15:22+07:00');
  }
  const capturedAt = new Date(meta.captured_at);
  if (Number.isNaN(capturedAt.getTime()) || !isCalendarTime(meta.captured_at)) throw new IngestRejection(400, 'invalid_field', `captured_at is not a real time: ${meta.captured_at}`);
  if (capturedAt.getTime() > now.getTime() + maxFutureS * 1000) {
    throw new IngestRejection(400, 'captured_in_future', `captured_at ${capturedAt.toISOString()} is in the future (server time ${now.toISOString()}); check the camera clock`);
  }
  if (capturedAt.getTime() < now.getTime() - MAX_AGE_MS) {
    throw new IngestRejection(400, 'captured_too_old', `captured_at ${capturedAt.toISOString()} is past the one-year limitation period`);
  }
  if (meta.red_elapsed_ms !== undefined && meta.signal_phase !== 'red') {
    throw new IngestRejection(400, 'invalid_field', 'red_elapsed_ms only makes sense with signal_phase=red');
  }
  if (meta.amber_elapsed_ms !== undefined && meta.signal_phase !== 'amber') {
    throw new IngestRejection(400, 'invalid_field', 'amber_elapsed_ms chỉ dùng cùng signal_phase=amber (thời gian từ lúc đèn chuyển vàng đến khi xe qua vạch dừng).');
  }
  const { event, subject } = analyticsEvent(meta.event, meta.subject);
  return {
    capturedAt,
    event,
    eventSubject: subject,
    speedKmh: meta.speed_kmh ?? null,
    signalPhase: meta.signal_phase ?? null,
    redElapsedMs: meta.red_elapsed_ms ?? null,
    amberElapsedMs: meta.amber_elapsed_ms ?? null,
    lane: meta.lane ?? null,
    direction: meta.direction ?? null,
    speedWarning: speedWarning(meta.speed_kmh ?? null, maxPlausibleSpeedKmh),
  };
}

/** The event and its subject, each known and only where it belongs; IngestRejection (400) in Vietnamese otherwise. */
function analyticsEvent(event: string | undefined, subject: string | undefined): { event: AnalyticsEvent | null; subject: EventSubject | null } {
  if (event === undefined) {
    if (subject !== undefined) throw new IngestRejection(400, 'invalid_field', 'Trường subject chỉ dùng cùng trường event (sự kiện do camera phân tích báo).');
    return { event: null, subject: null };
  }
  if (!isAnalyticsEvent(event)) {
    throw new IngestRejection(400, 'unknown_event', `Sự kiện "${event}" không có trong danh sách sự kiện được xử lý: `
      + `${ANALYTICS_EVENTS.map((e) => `${e} (${EVENT_NAMES[e]})`).join(', ')}.`);
  }
  if (!EVENTS_WITH_SUBJECT.includes(event)) {
    if (subject !== undefined) throw new IngestRejection(400, 'invalid_field', `Sự kiện ${event} không có trường subject (chỉ ${EVENTS_WITH_SUBJECT.join(', ')} cần cho biết người vi phạm).`);
    return { event, subject: null };
  }
  if (subject === undefined) {
    throw new IngestRejection(400, 'missing_field', `Sự kiện ${event} (${EVENT_NAMES[event]}) cần trường subject: driver (người điều khiển) hoặc passenger (người ngồi trên xe), vì mức phạt theo từng điểm khác nhau.`);
  }
  if (!(EVENT_SUBJECTS as readonly string[]).includes(subject)) {
    throw new IngestRejection(400, 'invalid_field', `subject phải là driver (người điều khiển) hoặc passenger (người ngồi trên xe), không phải "${subject}".`);
  }
  return { event, subject: subject as EventSubject };
}

/** Date rolls 2025-02-30 over to March; a camera sending that has a broken clock, not a date. */
function isCalendarTime(iso: string): boolean {
  const [y, mo, d, h, mi, s] = iso.slice(0, 19).split(/[-T:]/).map(Number) as [number, number, number, number, number, number?];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d && h <= 23 && mi <= 59 && (s ?? 0) <= 59;
}

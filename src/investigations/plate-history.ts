import type { Queryable } from '../db/pool.js';
import { appendAudit, type Actor } from '../audit/audit-log.js';
import { DAY_MS } from '../vietnam-time.js';

/** One time a camera read the plate. */
export interface Sighting {
  readId: number;
  captureId: number;
  capturedAt: Date;
  plateText: string;
  confidence: number;
  camera: { id: number; code: string; name: string; address: string; province: string };
}

export interface PlateHistoryQuery {
  plateKey: string;
  /** how far back from `now` */
  days: number;
  limit: number;
  /** the position after the last sighting of the previous page */
  after?: SightingCursor;
  now?: Date;
}

/**
 * Keyset position: sightings are ordered newest first, the read id breaking ties. The time is kept in
 * microseconds (PostgreSQL's precision): a cursor rounded to milliseconds would skip reads taken
 * within the same millisecond.
 */
export interface SightingCursor {
  capturedAtUs: bigint;
  readId: number;
}

export interface PlateHistoryPage {
  sightings: Sighting[];
  next: SightingCursor | null;
}

/**
 * Every read of a plate in the last `days` days, newest first, one keyset page at a time: an index-only range
 * scan of plate_reads_sightings (migration 252), which carries the read's camera and what a sighting shows,
 * however many reads the province holds. The page is taken before the cameras are joined, so a plate read
 * thousands of times in the window still costs one page of the index. Reads of captures already purged by the
 * retention policy are gone and do not show.
 */
export async function plateHistory(db: Queryable, q: PlateHistoryQuery): Promise<PlateHistoryPage> {
  const now = q.now ?? new Date();
  const since = new Date(now.getTime() - q.days * DAY_MS);
  const { rows } = await db.query<{ read_id: number; capture_id: number; captured_at: Date; at_us: string; plate_text: string; confidence: number;
    camera_id: number; code: string; name: string; address: string; province: string }>({
    // named: planned once per connection, not for every lookup over every monthly partition
    name: 'plate-history-page',
    text: `WITH page AS MATERIALIZED (
         SELECT r.id, r.capture_id, r.captured_at, r.plate_text, r.confidence, r.camera_id
         FROM plate_reads r
         WHERE r.plate_key = $1 AND r.captured_at >= $2 AND r.captured_at <= $3
           AND ($4::bigint IS NULL OR (r.captured_at, r.id) < ('epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5::bigint))
         ORDER BY r.captured_at DESC, r.id DESC
         LIMIT $6)
       SELECT p.id AS read_id, p.capture_id, p.captured_at, p.plate_text, p.confidence,
              ((extract(epoch FROM p.captured_at) * 1000000)::numeric(20, 0))::text AS at_us,
              cam.id AS camera_id, cam.code, cam.name, cam.address, cam.province
       FROM page p JOIN cameras cam ON cam.id = p.camera_id
       ORDER BY p.captured_at DESC, p.id DESC`,
    values: [q.plateKey, since, now, q.after?.capturedAtUs.toString() ?? null, q.after?.readId ?? null, q.limit + 1],
  });
  const shown = rows.slice(0, q.limit);
  const page = shown.map((r) => ({
    readId: r.read_id, captureId: r.capture_id, capturedAt: r.captured_at, plateText: r.plate_text, confidence: r.confidence,
    camera: { id: r.camera_id, code: r.code, name: r.name, address: r.address, province: r.province },
  }));
  const last = shown.at(-1);
  return { sightings: page, next: rows.length > q.limit && last ? { capturedAtUs: BigInt(last.at_us), readId: last.read_id } : null };
}

/**
 * The lookup and its audit row in one transaction (pass the transaction's client): who looked up which
 * plate, how far back, and how much they were shown. A lookup that cannot be audited is not answered.
 */
export async function auditedPlateHistory(tx: Queryable, actor: Actor, q: PlateHistoryQuery): Promise<PlateHistoryPage> {
  const page = await plateHistory(tx, q);
  await appendAudit(tx, {
    actorId: actor.id, actor: actor.username, action: 'plate.history_viewed', entityType: 'plate', entityId: q.plateKey,
    details: { days: q.days, limit: q.limit, ...(q.after ? { after: encodeCursor(q.after) } : {}),
      sightings: page.sightings.length },
  });
  return page;
}

/** Cursor as an opaque URL-safe string: `<epoch microseconds>.<read id>`. */
export function encodeCursor(c: SightingCursor): string {
  return `${c.capturedAtUs}.${c.readId}`;
}

export function decodeCursor(text: string): SightingCursor | null {
  const m = /^(\d{1,17})\.(\d{1,15})$/.exec(text);
  if (!m) return null;
  const readId = Number(m[2]);
  return Number.isSafeInteger(readId) && readId > 0 ? { capturedAtUs: BigInt(m[1]!), readId } : null;
}

import type { Queryable } from '../db/pool.js';

/**
 * Read-only view of a case's evidence: captures and plate reads belong to ingest and the
 * pipeline; review only ever reads them, and only through these queries.
 */

export interface Bbox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EvidencePlateRead {
  id: number;
  rank: number;
  plateText: string;
  rawText: string;
  confidence: number;
  bbox: Bbox;
  layout: 'one-line' | 'two-line';
  colour: string;
  valid: boolean;
  lowConfidence: boolean;
}

/** A further frame or the video clip of a capture (seq 1..; the capture's own image is frame 0). */
export interface EvidenceMedia {
  seq: number;
  kind: 'frame' | 'clip';
  sha256: string;
  contentType: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

export interface EvidenceItem {
  captureId: number;
  capturedAt: Date;
  imageSha256: string;
  contentType: string;
  width: number;
  height: number;
  measuredSpeedKmh: number | null;
  signalPhase: string | null;
  redElapsedMs: number | null;
  amberElapsedMs: number | null;
  lane: number | null;
  direction: string | null;
  addedAt: Date;
  plateRead: EvidencePlateRead | null;
  /** the capture's further frames in order, then its clip if any */
  media: EvidenceMedia[];
}

interface EvidenceRow {
  capture_id: number;
  captured_at: Date;
  image_sha256: string;
  content_type: string;
  image_width: number;
  image_height: number;
  measured_speed_kmh: number | null;
  signal_phase: string | null;
  red_elapsed_ms: number | null;
  amber_elapsed_ms: number | null;
  lane: number | null;
  direction: string | null;
  added_at: Date;
  pr_id: number | null;
  rank: number | null;
  plate_text: string | null;
  raw_text: string | null;
  confidence: number | null;
  bbox_x: number | null;
  bbox_y: number | null;
  bbox_width: number | null;
  bbox_height: number | null;
  layout: 'one-line' | 'two-line' | null;
  colour: string | null;
  valid: boolean | null;
  low_confidence: boolean | null;
}

/** The photos of a violation, oldest first, each with the plate read that tied it to the case. */
export async function evidenceForViolation(db: Queryable, violationId: number): Promise<EvidenceItem[]> {
  // prepared: read for every notice a batch renders; planning the joins over the monthly partitions costs more than running them
  const { rows } = await db.query<EvidenceRow>({
    name: 'violation-evidence',
    text: `SELECT c.id AS capture_id, c.captured_at, c.image_sha256, c.content_type, c.image_width, c.image_height,
            c.measured_speed_kmh, c.signal_phase, c.red_elapsed_ms, c.amber_elapsed_ms, c.lane, c.direction, e.added_at,
            p.id AS pr_id, p.rank, p.plate_text, p.raw_text, p.confidence, p.bbox_x, p.bbox_y, p.bbox_width, p.bbox_height,
            p.layout, p.colour, p.valid, p.low_confidence
     FROM violation_evidence e
     JOIN captures c ON c.id = e.capture_id AND c.captured_at = e.captured_at
     LEFT JOIN plate_reads p ON p.id = e.plate_read_id AND p.captured_at = e.plate_read_captured_at
     WHERE e.violation_id = $1
     ORDER BY c.captured_at, c.id`,
    values: [violationId],
  });
  const media = await mediaOfCaptures(db, rows.map((r) => r.capture_id));
  return rows.map((r) => ({
    captureId: r.capture_id,
    capturedAt: r.captured_at,
    imageSha256: r.image_sha256,
    contentType: r.content_type,
    width: r.image_width,
    height: r.image_height,
    measuredSpeedKmh: r.measured_speed_kmh,
    signalPhase: r.signal_phase,
    redElapsedMs: r.red_elapsed_ms,
    amberElapsedMs: r.amber_elapsed_ms,
    lane: r.lane,
    direction: r.direction,
    addedAt: r.added_at,
    plateRead: r.pr_id === null ? null : {
      id: r.pr_id,
      rank: r.rank!,
      plateText: r.plate_text!,
      rawText: r.raw_text!,
      confidence: r.confidence!,
      bbox: { x: r.bbox_x!, y: r.bbox_y!, width: r.bbox_width!, height: r.bbox_height! },
      layout: r.layout!,
      colour: r.colour!,
      valid: r.valid!,
      lowConfidence: r.low_confidence!,
    },
    media: media.get(r.capture_id) ?? [],
  }));
}

interface MediaRow { capture_id: number; seq: number; kind: 'frame' | 'clip'; sha256: string; content_type: string; bytes: number; width: number | null; height: number | null }
const toMedia = (m: MediaRow): EvidenceMedia =>
  ({ seq: m.seq, kind: m.kind, sha256: m.sha256, contentType: m.content_type, bytes: m.bytes, width: m.width, height: m.height });

async function mediaOfCaptures(db: Queryable, captureIds: number[]): Promise<Map<number, EvidenceMedia[]>> {
  const out = new Map<number, EvidenceMedia[]>();
  if (captureIds.length === 0) return out;
  const { rows } = await db.query<MediaRow>({
    name: 'capture-media',
    text: `SELECT capture_id, seq, kind, sha256, content_type, bytes, width, height FROM capture_media
     WHERE capture_id = ANY($1::bigint[]) ORDER BY capture_id, kind = 'clip', seq`,
    values: [captureIds],
  });
  for (const m of rows) out.set(m.capture_id, [...(out.get(m.capture_id) ?? []), toMedia(m)]);
  return out;
}

/** One further frame (seq ≥ 1) or the clip of a capture, or null. */
export async function captureMediaItem(db: Queryable, captureId: number, which: { seq: number } | 'clip'): Promise<EvidenceMedia | null> {
  const { rows } = await db.query<MediaRow>(
    `SELECT capture_id, seq, kind, sha256, content_type, bytes, width, height FROM capture_media
     WHERE capture_id = $1 AND ${which === 'clip' ? `kind = 'clip'` : `kind = 'frame' AND seq = $2`}`,
    which === 'clip' ? [captureId] : [captureId, which.seq],
  );
  return rows[0] ? toMedia(rows[0]) : null;
}

export interface CaptureImage {
  captureId: number;
  sha256: string;
  contentType: string;
  width: number;
  height: number;
}

export async function captureImage(db: Queryable, captureId: number): Promise<CaptureImage | null> {
  const { rows } = await db.query<{ id: number; image_sha256: string; content_type: string; image_width: number; image_height: number }>(
    'SELECT id, image_sha256, content_type, image_width, image_height FROM captures WHERE id = $1',
    [captureId],
  );
  const r = rows[0];
  return r ? { captureId: r.id, sha256: r.image_sha256, contentType: r.content_type, width: r.image_width, height: r.image_height } : null;
}

/** The box of the plate read ranked `rank` on a capture (0 = the engine's best). */
export async function plateReadBox(db: Queryable, captureId: number, rank: number): Promise<Bbox | null> {
  const { rows } = await db.query<{ bbox_x: number; bbox_y: number; bbox_width: number; bbox_height: number }>(
    'SELECT bbox_x, bbox_y, bbox_width, bbox_height FROM plate_reads WHERE capture_id = $1 AND rank = $2',
    [captureId, rank],
  );
  const r = rows[0];
  return r ? { x: r.bbox_x, y: r.bbox_y, width: r.bbox_width, height: r.bbox_height } : null;
}

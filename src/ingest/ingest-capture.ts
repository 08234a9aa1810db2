import { withTransaction, type Pool, type Queryable } from '../db/pool.js';
import type { PipelineQueues } from '../queue/queues.js';
import { within } from '../queue/queue-errors.js';
import { holdBlobForReference } from '../storage/blob-references.js';
import type { BlobStore } from '../storage/blob-store.js';
import { IngestRejection } from './errors.js';
import type { CaptureMetadata } from './metadata.js';
import { EVENT_NAMES, type AnalyticsEvent } from '../violations/analytics-events.js';
import { probeClip } from './probe-clip.js';
import { probeImage, type ProbedImage } from './probe-image.js';

/** Frames a capture may carry besides its main image (before, at and after the stop line, ...). */
export const MAX_EXTRA_FRAMES = 5;

export interface IngestDeps {
  pool: Pool;
  storage: BlobStore;
  queues: Pick<PipelineQueues, 'enqueue'>;
  limits: { maxPixels: number; maxBytes: number };
  /** how long to wait for Redis to take the job before throwing QueueUnavailableError (default 5 s) */
  enqueueTimeoutMs?: number;
}

export interface IngestInput {
  /** the camera the image comes from: by id (authenticated by API key) or by code (drop folder) */
  camera: { id: number } | { code: string };
  image: Buffer;
  /** further frames of the same event, in order; the plate is read from `image` */
  frames?: Buffer[];
  /** a short video clip of the event (MP4 or WebM) */
  clip?: Buffer | null;
  metadata: CaptureMetadata;
  source: 'http' | 'drop_folder';
  sourceName?: string | null;
}

export interface IngestResult {
  captureId: number;
  cameraCode: string;
  imageSha256: string;
  status: 'queued' | 'processing' | 'processed' | 'dead_lettered';
  /** true when this camera already sent exactly these bytes: the existing capture is returned */
  duplicate: boolean;
}

/**
 * The one way a capture enters the system: check, store the original, record, enqueue.
 * Each step is idempotent, so a crash between them is repaired by sending the same image again:
 * the blob is stored once by its hash, the row once per (camera, hash), and the job once per capture
 * id. A capture still waiting is re-enqueued on every repeat (a no-op while its job exists).
 * When Redis does not take the job in time the capture stays stored as 'queued' and
 * QueueUnavailableError is thrown: the reconciler queues it later, and a retry by the camera finds it.
 */
export async function ingestCapture(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  const camera = await findCamera(deps.pool, input.camera);
  checkEventFits(camera, input.metadata);
  const probed = await probeImage(input.image, deps.limits);
  const extra = input.frames ?? [];
  if (extra.length > MAX_EXTRA_FRAMES) throw new IngestRejection(400, 'too_many_frames', `Mỗi lần ghi hình gửi tối đa ${MAX_EXTRA_FRAMES} khung hình (frame) ngoài ảnh chính.`);
  const media: Array<{ kind: 'frame' | 'clip'; bytes: Buffer; contentType: string; size: ProbedImage | null }> = [];
  for (const frame of extra) {
    const p = await probeImage(frame, deps.limits);
    media.push({ kind: 'frame', bytes: frame, contentType: p.contentType, size: p });
  }
  if (input.clip) media.push({ kind: 'clip', bytes: input.clip, contentType: probeClip(input.clip, deps.limits.maxBytes).contentType, size: null });
  const sha = await deps.storage.put(input.image);
  const mediaShas: string[] = [];
  for (const item of media) mediaShas.push(await deps.storage.put(item.bytes));
  const m = input.metadata;
  let row = await withTransaction(deps.pool, async (tx) => {
    // the same bytes may belong to a capture the retention job is deleting right now
    await holdBlobForReference(tx, deps.storage, sha, input.image);
    const row = await insertCaptureOnce(tx, [camera.id, sha, probed.bytes, probed.width, probed.height, probed.contentType, m.capturedAt, input.source,
      input.sourceName?.slice(0, 255) || null, m.speedKmh, m.signalPhase, m.redElapsedMs, m.amberElapsedMs, m.lane, m.direction, m.speedWarning ?? null,
      m.event ?? null, m.eventSubject ?? null]);
    // a repeated upload is the existing capture: its frames were recorded with it
    if (row) {
      for (const [i, item] of media.entries()) {
        await holdBlobForReference(tx, deps.storage, mediaShas[i]!, item.bytes);
        // the capture's time is part of its key (captures are partitioned by it, migration 180)
        await tx.query(
          `INSERT INTO capture_media (capture_id, captured_at, seq, kind, sha256, bytes, content_type, width, height) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [row.id, m.capturedAt, i + 1, item.kind, mediaShas[i], item.bytes.length, item.contentType, item.size?.width ?? null, item.size?.height ?? null]);
      }
    }
    return row;
  });
  const duplicate = !row;
  if (!row) {
    // the key names the capture with its time: one partition is read
    const existing = await deps.pool.query<CaptureRow>(
      `SELECT c.id, c.status FROM capture_keys k JOIN captures c ON c.id = k.capture_id AND c.captured_at = k.captured_at
       WHERE k.camera_id = $1 AND k.image_sha256 = $2`, [camera.id, sha]);
    row = existing.rows[0] ?? null;
    if (!row) throw new Error(`capture of camera ${camera.id} with image ${sha} vanished after a conflicting insert`);
  }
  if (row.status === 'queued') await within(deps.queues.enqueue('recognise', row.id), deps.enqueueTimeoutMs ?? 5000, `capture ${row.id}`);
  return { captureId: row.id, cameraCode: camera.code, imageSha256: sha, status: row.status, duplicate };
}

type CaptureRow = { id: number; status: IngestResult['status'] };

/**
 * Inserts the capture unless this camera already sent these bytes; null then. "Once per camera and
 * image" is capture_keys' primary key, filled by a trigger on captures (migration 180): captures are
 * partitioned by time, so no key of their own can span every month. A concurrent upload of the same
 * bytes waits on the first one's key and is refused once it commits; the savepoint keeps the caller's
 * transaction (and its blob lock) usable either way.
 */
async function insertCaptureOnce(tx: Queryable, values: unknown[]): Promise<CaptureRow | null> {
  await tx.query('SAVEPOINT capture_once');
  try {
    const { rows } = await tx.query<CaptureRow>(
      `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source,
         source_name, measured_speed_kmh, signal_phase, red_elapsed_ms, amber_elapsed_ms, lane, direction, speed_warning, analytics_event, event_subject)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       RETURNING id, status`, values);
    await tx.query('RELEASE SAVEPOINT capture_once');
    return rows[0]!;
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code !== '23505' || e.constraint !== 'capture_keys_pkey') throw err;
    await tx.query('ROLLBACK TO SAVEPOINT capture_once');
    return null;
  }
}

interface IngestCamera { id: number; code: string; cameraType: string; expressway: boolean; analyticsEvents: AnalyticsEvent[] }

async function findCamera(pool: Pool, ref: IngestInput['camera']): Promise<IngestCamera> {
  const byId = 'id' in ref;
  const { rows } = await pool.query<{ id: number; code: string; enabled: boolean; camera_type: string; expressway: boolean; analytics_events: AnalyticsEvent[] }>(
    `SELECT id, code, enabled, camera_type, expressway, analytics_events FROM cameras WHERE ${byId ? 'id' : 'code'} = $1`, [byId ? ref.id : ref.code]);
  const camera = rows[0];
  if (!camera) throw new IngestRejection(404, 'unknown_camera', `no camera ${byId ? `#${ref.id}` : ref.code} is registered`);
  if (!camera.enabled) throw new IngestRejection(403, 'camera_disabled', `camera ${camera.code} is disabled; its images are not accepted`);
  return { id: camera.id, code: camera.code, cameraType: camera.camera_type, expressway: camera.expressway, analyticsEvents: camera.analytics_events };
}

/**
 * An analytics camera's capture is its event: without one there is nothing to judge. Any other camera
 * judges by its own rule, so an event it sends would be silently ignored: refused instead.
 */
function checkEventFits(camera: IngestCamera, m: CaptureMetadata): void {
  if (camera.cameraType === 'analytics' && !m.event) {
    throw new IngestRejection(400, 'missing_field', `Camera ${camera.code} là camera phân tích sự kiện: mỗi ảnh phải kèm trường event (sự kiện camera phát hiện).`);
  }
  if (camera.cameraType !== 'analytics' && m.event) {
    throw new IngestRejection(400, 'event_not_expected', `Camera ${camera.code} không phải camera phân tích sự kiện: không nhận trường event. Đổi loại camera thành "analytics" nếu camera tự báo sự kiện.`);
  }
  // a camera set up for some events that reports another is misconfigured or spoofed: its word is not evidence
  if (m.event && camera.analyticsEvents.length > 0 && !camera.analyticsEvents.includes(m.event)) {
    throw new IngestRejection(400, 'event_not_expected', `Camera ${camera.code} không được cài đặt để báo sự kiện "${EVENT_NAMES[m.event]}"; `
      + `camera chỉ báo: ${camera.analyticsEvents.map((e) => EVENT_NAMES[e]).join('; ')}. Nếu camera đã được cài thêm sự kiện này, bổ sung vào cài đặt của camera.`);
  }
  // the emergency lane is an expressway's (6.5.d): elsewhere the event names a lane the road does not have
  if (m.event === 'emergency_lane' && !camera.expressway) {
    throw new IngestRejection(400, 'event_not_expected', `Camera ${camera.code} không đặt trên đường cao tốc: không nhận sự kiện "${EVENT_NAMES.emergency_lane}" (làn dừng xe khẩn cấp chỉ có trên đường cao tốc). Nếu camera đặt trên đường cao tốc, bật cài đặt "Đặt trên đường cao tốc" của camera.`);
  }
}

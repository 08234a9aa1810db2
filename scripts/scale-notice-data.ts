import sharp from 'sharp';
import type { Pool } from '../src/db/pool.js';
import type { BlobStore } from '../src/storage/blob-store.js';

/** Where the plate sits in every generated camera frame (pixels of the 1920x1080 frame). */
const PLATE = { x: 900, y: 760, width: 190, height: 48 };

/**
 * A 1920x1080 camera frame as a roadside camera sends it: a grainy scene (so the JPEG is the size of a real
 * one, about 500 kB, and as costly to decode), a light plate box, and a marker placed by `seed` so every
 * frame has its own bytes.
 */
async function cameraFrame(seed: number, width = 1920, height = 1080): Promise<Buffer> {
  const plate = await sharp({ create: { width: PLATE.width, height: PLATE.height, channels: 3, background: { r: 245, g: 245, b: 240 } } }).png().toBuffer();
  const marker = await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 255, g: 200, b: 0 } } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: { r: 70, g: 74, b: 80 }, noise: { type: 'gaussian', mean: 90, sigma: 12 } } })
    .composite([{ input: plate, left: Math.min(PLATE.x, width - PLATE.width), top: Math.min(PLATE.y, height - PLATE.height) },
      { input: marker, left: (seed * 37) % (width - 24), top: (seed * 11) % 200 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * `total` noticed violations ready to render, as the pipeline and an officer's approval leave them: each a
 * registered car and its owner, a capture of one of `cameras` red-light cameras with its frame in `storage`,
 * the plate read, the evidence link and two further frames of the same event (before and after the stop
 * line), and the notice without a PDF. Frames are shared between cameras (a camera never sends the same
 * frame twice), so only about total / cameras distinct frames are made.
 */
export async function generateRenderableNotices(db: Pool, storage: BlobStore, opts: { total: number; cameras: number; officerId: number;
  log?: (msg: string) => void }): Promise<void> {
  // plates 99LD-000.01 onwards: a two-letter series the registry generator never makes, five digits
  if (opts.total > 99_999) throw new RangeError('at most 99 999 renderable notices');
  const frames = Math.ceil(opts.total / opts.cameras);
  const main: string[] = [];
  const before: string[] = [];
  const after: string[] = [];
  for (let i = 0; i < frames; i++) {
    main.push(await storage.put(await cameraFrame(3 * i)));
    before.push(await storage.put(await cameraFrame(3 * i + 1, 1280, 720)));
    after.push(await storage.put(await cameraFrame(3 * i + 2, 1280, 720)));
  }
  opts.log?.(`  ${frames * 3} evidence frames stored`);
  const cameraIds = (await db.query<{ id: number }>(
    `INSERT INTO cameras (code, name, province, address, camera_type)
     SELECT 'RENDER-' || i, 'Camera ' || i, 'Tỉnh Bắc Ninh', 'Quốc lộ 1A, Km ' || (100 + i), 'red_light' FROM generate_series(1, $1) i RETURNING id`,
    [opts.cameras])).rows.map((r) => r.id);
  await db.query(
    `WITH o AS (
       INSERT INTO owners (kind, national_id, full_name, address, province)
       SELECT 'person', '001' || (2 + i % 2)::text || lpad((90 - i % 60)::text, 2, '0') || lpad(i::text, 6, '0'),
              'Nguyễn Văn Thử ' || i, 'Số ' || i || ' đường Lý Thái Tổ, Phường Kinh Bắc', 'Tỉnh Bắc Ninh'
       FROM generate_series(1, $1) i RETURNING id, substr(national_id, 7)::int AS i),
     ve AS (
       INSERT INTO vehicles (plate, plate_key, plate_colour, vehicle_type, make, model, registered_at)
       SELECT '99LD-' || substr(lpad(o.i::text, 5, '0'), 1, 3) || '.' || right(lpad(o.i::text, 5, '0'), 2),
              '99LD' || lpad(o.i::text, 5, '0'), 'white', 'car', 'Toyota', 'Vios', date '2020-01-01'
       FROM o RETURNING id, plate, plate_key)
     INSERT INTO vehicle_ownerships (vehicle_id, owner_id, valid_from, basis)
     SELECT ve.id, o.id, date '2020-01-01', 'registration' FROM ve JOIN o ON '99LD' || lpad(o.i::text, 5, '0') = ve.plate_key`,
    [opts.total]);
  await db.query(
    `WITH src AS (
       SELECT i, ve.id AS vehicle_id, vo.owner_id, ve.plate, ve.plate_key, ($2::bigint[])[1 + (i - 1) % array_length($2::bigint[], 1)] AS camera_id,
              ($3::text[])[1 + (i - 1) / array_length($2::bigint[], 1)] AS sha, now() - make_interval(days => 2, secs => i) AS t
       FROM generate_series(1, $1) i
       JOIN vehicles ve ON ve.plate_key = '99LD' || lpad(i::text, 5, '0')
       JOIN vehicle_ownerships vo ON vo.vehicle_id = ve.id),
     c AS (
       INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source,
                             signal_phase, red_elapsed_ms, status, processed_at, recognised_at)
       SELECT camera_id, sha, 1000000, 1920, 1080, 'image/jpeg', t, 'http', 'red', 2300, 'processed', t, t FROM src
       RETURNING id, camera_id, image_sha256, captured_at)
     INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences,
                              bbox_x, bbox_y, bbox_width, bbox_height, layout, colour, valid, low_confidence, captured_at, camera_id)
     SELECT c.id, 0, src.plate, src.plate_key, src.plate_key, 0.95, ARRAY[0.95::real], $4, $5, $6, $7, 'one-line', 'white', true, false, c.captured_at,
            c.camera_id
     FROM c JOIN src ON src.camera_id = c.camera_id AND src.sha = c.image_sha256`,
    [opts.total, cameraIds, main, PLATE.x, PLATE.y, PLATE.width, PLATE.height]);
  await db.query(
    `INSERT INTO capture_media (capture_id, captured_at, seq, kind, sha256, bytes, content_type, width, height)
     SELECT c.id, c.captured_at, m.seq, 'frame', m.sha, 400000, 'image/jpeg', 1280, 720
     FROM captures c JOIN cameras k ON k.id = c.camera_id AND k.code LIKE 'RENDER-%'
     CROSS JOIN LATERAL (SELECT array_position($1::text[], c.image_sha256::text) AS f) x
     CROSS JOIN LATERAL (VALUES (1, ($2::text[])[x.f]), (2, ($3::text[])[x.f])) m(seq, sha)`,
    [main, before, after]);
  await db.query(
    `WITH src AS (
       SELECT c.id AS capture_id, c.camera_id, c.captured_at, p.id AS read_id, p.plate_text, p.plate_key, ve.id AS vehicle_id, vo.owner_id
       FROM captures c JOIN cameras k ON k.id = c.camera_id AND k.code LIKE 'RENDER-%'
       JOIN plate_reads p ON p.capture_id = c.id AND p.captured_at = c.captured_at
       JOIN vehicles ve ON ve.plate_key = p.plate_key JOIN vehicle_ownerships vo ON vo.vehicle_id = ve.id),
     v AS (
       INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at, plate_text, plate_key,
                               plate_colour, vehicle_id, owner_id, match_status, schedule_version, fine_min, fine_max, fine_amount, points,
                               details, read_confidence, status, decided_by, decided_at)
       SELECT camera_id, 'red_light', '16824.6.9.b.01', 'Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP',
              'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông', 'car', captured_at, plate_text, plate_key, 'white', vehicle_id, owner_id,
              'exact', 'nd168-2024', 18000000, 20000000, 19000000, 4, '{"offence": "red_light", "plateLayout": "one-line"}', 0.95, 'noticed', $1, now()
       FROM src RETURNING id, camera_id, occurred_at, owner_id, fine_amount),
     e AS (
       INSERT INTO violation_evidence (violation_id, capture_id, captured_at, plate_read_id, plate_read_captured_at)
       SELECT v.id, src.capture_id, src.captured_at, src.read_id, src.captured_at FROM v JOIN src ON src.camera_id = v.camera_id AND src.captured_at = v.occurred_at
       RETURNING violation_id)
     INSERT INTO notices (violation_id, notice_number, owner_id, amount, issued_at, due_at)
     SELECT v.id, 'PN-PC08-2026-' || lpad(v.id::text, 6, '0'), v.owner_id, v.fine_amount, now(), now() + interval '20 days'
     FROM v JOIN e ON e.violation_id = v.id`,
    [opts.officerId]);
  opts.log?.(`  ${opts.total} notices to render`);
}

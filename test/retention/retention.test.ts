import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/pool.js';
import { ensureMonthPartitions } from '../../src/maintenance/month-partitions.js';
import { resolveNotice } from '../../src/notices/resolve.js';
import { createRetentionMetrics } from '../../src/retention/retention-metrics.js';
import type { RetentionPolicy } from '../../src/retention/retention-policy.js';
import { runRetention } from '../../src/retention/run-retention.js';
import { holdBlobForReference } from '../../src/storage/blob-references.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sceneJpeg, seedApprovedViolation, seedCamera, seedNotice, staffWithSession, type TestStaff } from '../helpers/fixtures.js';

const POLICY: RetentionPolicy = { noViolationDays: 30, appealDays: 90, archiveYears: 10, batchSize: 2 };
const NOW = new Date('2027-06-15T03:00:00+07:00');
const DAY = 86_400_000;
const daysBefore = (days: number, from = NOW) => new Date(from.getTime() - days * DAY);

let db: TestDatabase;
let storage: LocalBlobStore;
let storageDir: string;
let cameraId: number;
let officer: TestStaff;
beforeEach(async () => {
  db = await createTestDatabase();
  storageDir = await mkdtemp(path.join(os.tmpdir(), 'phat-retention-'));
  storage = new LocalBlobStore(storageDir);
  cameraId = (await seedCamera(db.pool, { cameraType: 'no_parking' })).id;
  officer = await staffWithSession(db.pool, 'officer');
});
afterEach(async () => {
  await db.drop();
  await rm(storageDir, { recursive: true, force: true });
});

/** A processed capture with one plate read and a parking sighting, as the pipeline leaves a passing vehicle. */
async function passingCapture(capturedAt: Date, image?: Buffer, camera = cameraId): Promise<{ captureId: number; sha: string }> {
  const bytes = image ?? await sceneJpeg();
  const sha = await storage.put(bytes);
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source, status, processed_at, recognised_at)
     VALUES ($1, $2, $3, 640, 480, 'image/jpeg', $4, 'http', 'processed', $4, $4) RETURNING id`, [camera, sha, bytes.length, capturedAt]);
  const captureId = rows[0]!.id;
  await db.pool.query(
    `INSERT INTO plate_reads (capture_id, rank, plate_text, plate_key, raw_text, confidence, char_confidences, bbox_x, bbox_y, bbox_width, bbox_height, layout, colour, valid, low_confidence, captured_at)
     VALUES ($1, 0, '30A-123.45', '30A12345', '30A12345', 0.9, ARRAY[0.9::real], 1, 1, 10, 10, 'one-line', 'white', true, false, $2)`, [captureId, capturedAt]);
  await db.pool.query(`INSERT INTO parking_sightings (capture_id, camera_id, plate_key, seen_at) VALUES ($1, $2, '30A12345', $3)`, [captureId, camera, capturedAt]);
  return { captureId, sha };
}

async function exists(table: 'captures' | 'violations' | 'notices', id: number): Promise<boolean> {
  return (await db.pool.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount === 1;
}

async function rejectedViolation(occurredAt: Date): Promise<{ violationId: number; captureId: number; imageSha256: string }> {
  const v = await seedApprovedViolation(db.pool, storage, { cameraId, plate: '30A-222.33', vehicleId: null, ownerId: null, status: 'pending_review', occurredAt });
  await db.pool.query(`UPDATE violations SET status = 'rejected', reject_reason = 'duplicate', decided_by = $2, decided_at = $3 WHERE id = $1`,
    [v.violationId, officer.id, occurredAt]);
  return v;
}

const run = (opts: { now?: Date; dryRun?: boolean } = {}, metrics?: ReturnType<typeof createRetentionMetrics>) =>
  runRetention({ pool: db.pool, storage, metrics }, POLICY, { now: NOW, ...opts });

describe('retention of captures that produced no violation', () => {
  it('deletes image, plate reads and sightings once the configured days have passed, and keeps younger ones', async () => {
    const old = await passingCapture(new Date(daysBefore(30).getTime() - 60_000));
    const young = await passingCapture(new Date(daysBefore(30).getTime() + 60_000));
    const report = await run();
    expect(report.deleted).toMatchObject({ captures: 1, plateReads: 1, sightings: 1, blobs: 1 });
    expect(await exists('captures', old.captureId)).toBe(false);
    expect(await storage.has(old.sha)).toBe(false);
    expect(await exists('captures', young.captureId)).toBe(true);
    expect(await storage.has(young.sha)).toBe(true);
    const reads = await db.pool.query('SELECT capture_id FROM plate_reads UNION ALL SELECT capture_id FROM parking_sightings');
    expect(reads.rows.map((r) => r.capture_id)).toEqual([young.captureId, young.captureId]);
  });

  it('deletes captures across monthly partitions, times in microseconds included, and frees their camera-and-image key', async () => {
    await ensureMonthPartitions(db.pool, daysBefore(150), 8);
    const image = await sceneJpeg();
    const months = [await passingCapture(daysBefore(40), image), await passingCapture(daysBefore(75)), await passingCapture(daysBefore(130))];
    // a time the client cannot hold (JavaScript dates stop at the millisecond), last of its batch, is still within the batch's span
    await db.pool.query(`UPDATE captures SET captured_at = captured_at + interval '999 microseconds' WHERE id = $1`, [months[0]!.captureId]);
    const parts = await db.pool.query<{ part: string }>('SELECT tableoid::regclass::text AS part FROM captures ORDER BY captured_at');
    expect(new Set(parts.rows.map((r) => r.part)).size).toBe(3);
    const report = await run();
    expect(report.deleted).toMatchObject({ captures: 3, plateReads: 3, sightings: 3 });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM captures')).rows[0].n).toBe(0);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM capture_keys')).rows[0].n).toBe(0);
    // the camera sending those bytes again is a new capture, not the deleted one
    const again = await passingCapture(daysBefore(1), image);
    expect(again.captureId).toBeGreaterThan(months[0]!.captureId);
  });

  it('keeps a capture still in the pipeline, however old', async () => {
    const { captureId } = await passingCapture(daysBefore(90));
    await db.pool.query(`UPDATE captures SET status = 'queued', processed_at = NULL, recognised_at = NULL WHERE id = $1`, [captureId]);
    await run();
    expect(await exists('captures', captureId)).toBe(true);
  });

  it('a dry run reports what would go and deletes nothing', async () => {
    const captures = await Promise.all([passingCapture(daysBefore(40)), passingCapture(daysBefore(41)), passingCapture(daysBefore(42))]);
    const rejected = await rejectedViolation(daysBefore(400));
    const dry = await run({ dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.deleted).toEqual({ captures: 4, plateReads: 4, sightings: 3, evidenceLinks: 1, violations: 0, notices: 0, payments: 0,
      ownerResponses: 0, violationRecords: 0, decisions: 0, decisionItems: 0, pointDeductions: 0, blobs: 4,
      // the test database's own months (created at migration, all empty and past the horizon)
      partitions: dry.partitions.dropped.length });
    for (const c of captures) {
      expect(await exists('captures', c.captureId)).toBe(true);
      expect(await storage.has(c.sha)).toBe(true);
    }
    expect(await exists('captures', rejected.captureId)).toBe(true);
    expect((await db.pool.query('SELECT 1 FROM audit_log WHERE action = $1', ['retention.purged'])).rowCount).toBe(0);
    // the real run deletes exactly what the dry run announced
    expect((await run()).deleted).toEqual(dry.deleted);
  });
});

describe('retention of violation evidence', () => {
  it('keeps the evidence of an open case after the limitation period', async () => {
    const pending = await seedApprovedViolation(db.pool, storage, { cameraId, plate: '30A-111.22', vehicleId: null, ownerId: null, status: 'pending_review', occurredAt: daysBefore(800) });
    const noticed = await seedNotice(db.pool, storage, { cameraId, officer, occurredAt: daysBefore(800) });
    const report = await run();
    expect(report.deleted.evidenceLinks).toBe(0);
    expect(await exists('captures', pending.captureId)).toBe(true);
    const evidence = await db.pool.query('SELECT violation_id FROM violation_evidence ORDER BY violation_id');
    expect(evidence.rows.map((r) => r.violation_id)).toEqual([pending.violationId, noticed.violationId]);
  });

  it('removes the evidence of a closed case once one calendar year from the violation has passed, keeping the case record', async () => {
    // NOW is 2027-06-15 03:00 in Vietnam. A violation of 2026-06-15 can be sanctioned to the end of 2027-06-15, even
    // one at 02:00 (a year to the hour has passed, the last day has not); one of 2026-06-14 23:00 no longer can
    const withinYear = await rejectedViolation(new Date('2026-06-15T02:00:00+07:00'));
    const pastYear = await rejectedViolation(new Date('2026-06-14T23:00:00+07:00'));
    await run();
    expect(await exists('captures', withinYear.captureId)).toBe(true);
    expect(await storage.has(withinYear.imageSha256)).toBe(true);
    expect(await exists('captures', pastYear.captureId)).toBe(false);
    expect(await storage.has(pastYear.imageSha256)).toBe(false);
    expect(await exists('violations', pastYear.violationId)).toBe(true);
    expect((await db.pool.query('SELECT 1 FROM violation_evidence WHERE violation_id = $1', [pastYear.violationId])).rowCount).toBe(0);
  });

  it('keeps the evidence of a resolved case until the appeal time after resolution has also passed', async () => {
    const notice = await seedNotice(db.pool, storage, { cameraId, officer, occurredAt: daysBefore(500) });
    await withTransaction(db.pool, (tx) => resolveNotice(tx, notice.noticeId, officer, { via: 'test' }));
    await db.pool.query('UPDATE notices SET resolved_at = $2 WHERE id = $1', [notice.noticeId, daysBefore(89)]);
    const capture = (await db.pool.query<{ capture_id: number }>('SELECT capture_id FROM violation_evidence WHERE violation_id = $1', [notice.violationId])).rows[0]!.capture_id;
    await run();
    expect(await exists('captures', capture)).toBe(true);
    await run({ now: new Date(NOW.getTime() + 2 * DAY) });
    expect(await exists('captures', capture)).toBe(false);
    expect(await exists('notices', notice.noticeId)).toBe(true);
  });

  it('deletes a blob shared by two captures only when neither needs it any more', async () => {
    const image = await sceneJpeg();
    const other = await seedCamera(db.pool);
    const stale = await passingCapture(daysBefore(60), image);
    const fresh = await passingCapture(daysBefore(5), image, other.id);
    expect(stale.sha).toBe(fresh.sha);
    const first = await run();
    expect(first.deleted).toMatchObject({ captures: 1, blobs: 0 });
    expect(await exists('captures', stale.captureId)).toBe(false);
    expect(await storage.has(fresh.sha)).toBe(true);
    const second = await run({ now: new Date(NOW.getTime() + 30 * DAY) });
    expect(second.deleted).toMatchObject({ captures: 1, blobs: 1 });
    expect(await storage.has(fresh.sha)).toBe(false);
  });
});

describe('archive period', () => {
  it('deletes a resolved case with its notice, payment and PDF once the archive period has passed', async () => {
    const notice = await seedNotice(db.pool, storage, { cameraId, officer, occurredAt: new Date('2015-03-01T08:00:00+07:00') });
    const pdf = await storage.put(Buffer.from('%PDF-1.7 notice'));
    await db.pool.query('UPDATE notices SET pdf_sha256 = $2, pdf_rendered_at = issued_at WHERE id = $1', [notice.noticeId, pdf]);
    await withTransaction(db.pool, async (tx) => {
      await tx.query(`INSERT INTO payments (notice_id, amount, paid_at, method, reference, source) VALUES ($1, 1000000, '2017-01-01', 'cash', 'R-1', 'manual')`, [notice.noticeId]);
      await resolveNotice(tx, notice.noticeId, officer, { via: 'test' });
    });
    await db.pool.query(`UPDATE notices SET issued_at = '2015-03-02', due_at = '2015-03-25', resolved_at = '2017-01-01' WHERE id = $1`, [notice.noticeId]);
    await db.pool.query('UPDATE violations SET decided_at = occurred_at WHERE id = $1', [notice.violationId]);
    // 10 years after the last payment (2017-01-01): kept on 2026-12-31, gone on 2027-01-02
    await run({ now: new Date('2026-12-31T00:00:00Z') });
    expect(await exists('notices', notice.noticeId)).toBe(true);
    const report = await run({ now: new Date('2027-01-02T00:00:00Z') });
    expect(report.deleted).toMatchObject({ violations: 1, notices: 1, payments: 1 });
    expect(await exists('violations', notice.violationId)).toBe(false);
    expect(await storage.has(pdf)).toBe(false);
  });
});

describe('accounting for a run', () => {
  it('writes one audit entry per run with the counts, and counts deletions in metrics', async () => {
    for (let i = 0; i < 5; i++) await passingCapture(daysBefore(31 + i));
    const registry = new Registry();
    const metrics = createRetentionMetrics(registry);
    await run({}, metrics);
    const audit = await db.pool.query<{ actor: string; details: { deleted: Record<string, number>; completed: boolean } }>(
      `SELECT actor, details FROM audit_log WHERE action = 'retention.purged'`);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.details).toMatchObject({ completed: true, deleted: { captures: 5, plateReads: 5, sightings: 5, blobs: 5 } });
    const counter = (await registry.getSingleMetric('phat_retention_deleted_total')!.get()).values;
    expect(counter.find((v) => v.labels.kind === 'captures')?.value).toBe(5);
    expect(counter.find((v) => v.labels.kind === 'blobs')?.value).toBe(5);
  });
});

describe('emptied monthly partitions', () => {
  const partitionsNow = async () => new Set((await db.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent IN ('captures'::regclass, 'plate_reads'::regclass, 'parking_sightings'::regclass)`)).rows.map((r) => r.name));
  const month = (m: string) => [`captures_p${m}`, `plate_reads_p${m}`, `parking_sightings_p${m}`];

  /** January to June 2027 partitioned; NOW (June 15th) puts the no-violation horizon on May 16th */
  async function months(): Promise<{ passing: number; evidence: number }> {
    await ensureMonthPartitions(db.pool, new Date('2027-01-10T00:00:00+07:00'), 5);
    const passing = await passingCapture(new Date('2027-02-10T08:00:00+07:00'));
    // a case still awaiting review: its evidence is kept however old
    const evidence = await seedApprovedViolation(db.pool, storage, { cameraId, plate: '30A-111.22', vehicleId: null, ownerId: null, status: 'pending_review',
      occurredAt: new Date('2027-03-10T08:00:00+07:00') });
    // due (older than 30 days) but in a month that ends after the horizon
    await passingCapture(new Date('2027-05-10T08:00:00+07:00'));
    return { passing: passing.captureId, evidence: evidence.captureId };
  }

  it('drops the months that ended before the horizon once the run has emptied them, and keeps a month holding evidence', async () => {
    const { evidence } = await months();
    const registry = new Registry();
    const report = await run({}, createRetentionMetrics(registry));
    expect(report.deleted.captures).toBe(2);
    // February emptied by this run, January and April never held anything
    for (const m of ['202701', '202702', '202704']) expect(report.partitions.dropped).toEqual(expect.arrayContaining(month(m)));
    const left = await partitionsNow();
    for (const m of ['202701', '202702', '202704']) for (const p of month(m)) expect(left.has(p)).toBe(false);
    // March holds the evidence of an open case; May ends after the horizon; June is the current month
    for (const m of ['202703', '202705', '202706']) for (const p of month(m)) expect(left.has(p)).toBe(true);
    for (const p of ['captures_default', 'plate_reads_default', 'parking_sightings_default']) expect(left.has(p)).toBe(true);
    expect(await exists('captures', evidence)).toBe(true);
    expect(report.partitions.busy).toEqual([]);
    expect(report.deleted.partitions).toBe(report.partitions.dropped.length);
    const counter = (await registry.getSingleMetric('phat_retention_deleted_total')!.get()).values;
    expect(counter.find((v) => v.labels.kind === 'partitions')?.value).toBe(report.partitions.dropped.length);
    const audit = await db.pool.query<{ details: { deleted: { partitions: number }; partitions: { dropped: string[] } } }>(
      `SELECT details FROM audit_log WHERE action = 'retention.purged'`);
    expect(audit.rows[0]!.details.deleted.partitions).toBe(report.partitions.dropped.length);
    expect(audit.rows[0]!.details.partitions.dropped).toEqual(report.partitions.dropped);
    // a capture stamped in a dropped month that arrives late still has a place (and retention deletes it from there)
    const late = await passingCapture(new Date('2027-02-11T08:00:00+07:00'));
    const where = await db.pool.query('SELECT tableoid::regclass::text AS part FROM captures WHERE id = $1', [late.captureId]);
    expect(where.rows).toEqual([{ part: 'captures_default' }]);
    expect((await run()).deleted).toMatchObject({ captures: 1, partitions: 0 });
  });

  it('a month goes once its last evidence has gone', async () => {
    const { evidence } = await months();
    await run();
    expect((await partitionsNow()).has('captures_p202703')).toBe(true);
    await db.pool.query(`UPDATE violations SET status = 'rejected', reject_reason = 'duplicate', decided_by = $1, decided_at = occurred_at`, [officer.id]);
    // a year after the violation (2027-03-10), in Vietnam time
    const report = await run({ now: new Date('2028-03-11T00:00:00+07:00') });
    expect(report.deleted.evidenceLinks).toBe(1);
    expect(report.partitions.dropped).toEqual(expect.arrayContaining(month('202703')));
    expect(await exists('captures', evidence)).toBe(false);
  });

  it('a dry run names the partitions a run would drop, and drops none', async () => {
    await months();
    const before = await partitionsNow();
    const dry = await run({ dryRun: true });
    expect(dry.partitions.dropped).toEqual(expect.arrayContaining([...month('202701'), ...month('202702'), ...month('202704')]));
    expect(dry.partitions.dropped).not.toContain('captures_p202703');
    expect(await partitionsNow()).toEqual(before);
    const real = await run();
    expect(real.partitions.dropped.sort()).toEqual(dry.partitions.dropped.sort());
    expect(real.deleted).toEqual(dry.deleted);
  });

  it('leaves the months for the next run when a transaction holds the tables, without failing the run', async () => {
    await months();
    const reader = await db.pool.connect();
    try {
      // a long reading transaction: its lock on captures conflicts with detaching a partition
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM captures');
      const report = await runRetention({ pool: db.pool, storage }, POLICY, { now: NOW, lockTimeoutMs: 100 });
      expect(report.partitions.dropped).toEqual([]);
      expect(report.partitions.busy).toEqual(expect.arrayContaining(month('202702')));
      expect(report.deleted.captures).toBe(2);
      await reader.query('COMMIT');
    } finally {
      reader.release();
    }
    const audit = await db.pool.query(`SELECT details->'completed' AS completed FROM audit_log WHERE action = 'retention.purged'`);
    expect(audit.rows).toEqual([{ completed: true }]);
    expect((await run()).partitions.dropped).toEqual(expect.arrayContaining(month('202702')));
  });
});

describe('blob references and ingest', () => {
  it('a writer stores the bytes again when the blob was removed after its put', async () => {
    const image = await sceneJpeg();
    const sha = await storage.put(image);
    await storage.delete(sha);
    await withTransaction(db.pool, (tx) => holdBlobForReference(tx, storage, sha, image));
    expect(await storage.get(sha)).toEqual(image);
  });

  it('the remover waits for a writer holding the blob, then sees its row and keeps the blob', async () => {
    const image = await sceneJpeg();
    const stale = await passingCapture(daysBefore(60), image);
    const other = await seedCamera(db.pool);
    const writer = await db.pool.connect();
    try {
      await writer.query('BEGIN');
      await holdBlobForReference(writer, storage, stale.sha, image);
      const retention = run();
      await new Promise((r) => setTimeout(r, 300));
      await writer.query(`INSERT INTO captures (camera_id, image_sha256, image_bytes, image_width, image_height, content_type, captured_at, source)
                          VALUES ($1, $2, $3, 640, 480, 'image/jpeg', $4, 'http')`, [other.id, stale.sha, image.length, NOW]);
      await writer.query('COMMIT');
      expect((await retention).deleted).toMatchObject({ captures: 1, blobs: 0 });
    } finally {
      writer.release();
    }
    expect(await storage.has(stale.sha)).toBe(true);
  });
});

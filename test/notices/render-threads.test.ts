import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { loadConfig, type Config } from '../../src/config.js';
import { renderPendingNotices } from '../../src/notices/batch.js';
import { loadNoticeDocument } from '../../src/notices/document.js';
import { layoutNotice } from '../../src/notices/layout.js';
import { prepareNoticeRender, renderNoticePdf } from '../../src/notices/render.js';
import { NoticeRenderPool } from '../../src/notices/render-pool.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seedCamera, seedNotice, staffWithSession, type SeededNotice, type TestStaff } from '../helpers/fixtures.js';
import { hashesWithFontsAlone, sha } from './fonts-alone.js';
import { readPdf } from './pdf-text.js';

/**
 * Batch rendering lays PDFs out in worker threads (NoticeRenderPool), with fonts and shaped words shared
 * across notices. The documents must be exactly those a render in the calling thread makes, a notice that
 * cannot be rendered must fail alone with its reason and leave nothing behind, and the evidence must be
 * verified on every render.
 */

let db: TestDatabase;
let dir: string;
let storage: LocalBlobStore;
let config: Config;
let officer: TestStaff;
let cameraId: number;
const deps = () => ({ pool: db.pool, storage, config });
const blobPath = (hash: string) => path.join(dir, hash.slice(0, 2), hash.slice(2, 4), hash);

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'phat-render-threads-'));
  storage = new LocalBlobStore(dir);
  config = loadConfig({ DATABASE_URL: db.url, STORAGE_DIR: dir, PUBLIC_BASE_URL: 'https://phatnguoi.example.vn' });
  officer = await staffWithSession(db.pool, 'officer');
  cameraId = (await seedCamera(db.pool, { address: 'Quốc lộ 1A, Xã Lạng Giang' })).id;
});

afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Leaves only `keep` without a PDF, so a batch run renders exactly those. */
async function onlyPending(keep: SeededNotice[]): Promise<void> {
  await db.pool.query(`UPDATE notices SET pdf_sha256 = repeat('0', 64), pdf_rendered_at = now() WHERE pdf_sha256 IS NULL AND NOT (id = ANY($1))`, [keep.map((n) => n.noticeId)]);
}

const storedHashes = async (notices: SeededNotice[]) => (await db.pool.query<{ id: number; pdf_sha256: string | null }>(
  'SELECT id, pdf_sha256 FROM notices WHERE id = ANY($1) ORDER BY id', [notices.map((n) => n.noticeId)])).rows;

describe('rendering notices in worker threads', () => {
  it('stores, for every notice, exactly the PDF a render in this thread makes', async () => {
    const notices: SeededNotice[] = [];
    for (let i = 0; i < 6; i++) notices.push(await seedNotice(db.pool, storage, { cameraId, officer, ownerName: `Nguyễn Thị Thu ${i}` }));
    const expected = new Map<number, string>();
    for (const n of notices) expected.set(n.noticeId, sha(await renderNoticePdf(deps(), (await loadNoticeDocument(db.pool, n.noticeId))!)));
    await onlyPending(notices);

    const report = await renderPendingNotices(deps(), { threads: 2 });
    expect(report).toMatchObject({ total: 6, rendered: 6, failed: [] });
    expect(report.perSecond).toBeGreaterThan(0);
    const stored = await storedHashes(notices);
    expect(stored.map((r) => r.pdf_sha256)).toEqual(notices.map((n) => expected.get(n.noticeId)));
    // what is stored is a whole, readable notice, and each is audited once
    const { text } = await readPdf((await storage.get(stored[3]!.pdf_sha256!))!);
    expect(text).toContain('Nguyễn Thị Thu 3');
    const audited = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'notice.rendered' AND entity_id = ANY($1)`, [notices.map((n) => String(n.noticeId))]);
    expect(audited.rows[0]!.n).toBe(6);
  });

  it('lays a notice out the same in a fresh thread as in a thread that has laid out many others (shared fonts change nothing)', async () => {
    const n = await seedNotice(db.pool, storage, { cameraId, officer, ownerName: 'Lê Văn Đức' });
    const job = await prepareNoticeRender(deps(), (await loadNoticeDocument(db.pool, n.noticeId))!);
    const pool = new NoticeRenderPool(1);
    try {
      const cold = await pool.layout(job);
      for (let i = 0; i < 5; i++) await pool.layout(job);
      const warm = await pool.layout(job);
      expect(sha(warm)).toBe(sha(cold));
      expect(sha(cold)).toBe(sha(await renderNoticePdf(deps(), (await loadNoticeDocument(db.pool, n.noticeId))!)));
    } finally {
      await pool.close();
    }
  });

  it('makes, paper after paper, the bytes pdfkit makes parsing the fonts for each paper, with the text layer intact', async () => {
    const names = ['Phạm Thị Hoà', 'Nguyễn Văn Ánh'.normalize('NFD'), 'Trương Quốc Bảo', 'Đỗ Thị Yến'];
    const jobs = [];
    for (const ownerName of names) {
      const n = await seedNotice(db.pool, storage, { cameraId, officer, ownerName });
      jobs.push(await prepareNoticeRender(deps(), (await loadNoticeDocument(db.pool, n.noticeId))!));
    }
    const reference = await hashesWithFontsAlone(jobs, layoutNotice);
    const shared: Buffer[] = [];
    for (const job of [...jobs].reverse()) shared.unshift(await layoutNotice(job));
    expect(shared.map(sha)).toEqual(reference);
    const pool = new NoticeRenderPool(1);
    try {
      const threaded: string[] = [];
      for (const job of jobs) threaded.push(sha(await pool.layout(job)));
      expect(threaded).toEqual(reference);
    } finally {
      await pool.close();
    }
    // a letter embedded as part of an accented one in an earlier paper keeps its place in the next paper's text
    for (const [i, pdf] of shared.entries()) {
      const { text } = await readPdf(pdf);
      expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
      expect(text).toContain(names[i]!.normalize('NFC'));
    }
  });

  it('fails a notice whose evidence cannot be decoded alone, with its number and reason, storing and recording nothing for it', async () => {
    const good = await seedNotice(db.pool, storage, { cameraId, officer });
    const bad = await seedNotice(db.pool, storage, { cameraId, officer });
    const alsoGood = await seedNotice(db.pool, storage, { cameraId, officer });
    // a photo cut short: its sha256 is right (stored as such), but no decoder can read it
    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
    const broken = await storage.put(photo.subarray(0, 300));
    await db.pool.query(`UPDATE captures SET image_sha256 = $2 WHERE id = (SELECT capture_id FROM violation_evidence WHERE violation_id = $1)`,
      [bad.violationId, broken]);
    await onlyPending([good, bad, alsoGood]);
    const blobsBefore = await countBlobs();

    const report = await renderPendingNotices(deps(), { threads: 2 });
    expect(report).toMatchObject({ total: 3, rendered: 2 });
    expect(report.failed).toEqual([{ noticeId: bad.noticeId,
      error: expect.stringMatching(new RegExp(`^Thông báo ${bad.noticeNumber}: không dựng được tệp PDF \\(.+\\)$`)) }]);
    const stored = await storedHashes([good, bad, alsoGood]);
    expect(stored.map((r) => r.pdf_sha256 !== null)).toEqual([true, false, true]);
    expect((await db.pool.query(`SELECT 1 FROM audit_log WHERE action = 'notice.rendered' AND entity_id = $1`, [String(bad.noticeId)])).rows).toEqual([]);
    expect(await countBlobs()).toBe(blobsBefore + 2);

    // a run after the cause is fixed renders only what is still missing
    await db.pool.query(`UPDATE captures SET image_sha256 = $2 WHERE id = (SELECT capture_id FROM violation_evidence WHERE violation_id = $1)`,
      [bad.violationId, await storage.put(photo)]);
    expect(await renderPendingNotices(deps(), { threads: 2 })).toMatchObject({ total: 1, rendered: 1, failed: [] });
  });

  it('verifies the evidence on every render: an altered photo fails its notice and is put on record as tampering', async () => {
    const n = await seedNotice(db.pool, storage, { cameraId, officer });
    const { rows } = await db.pool.query<{ image_sha256: string }>(
      'SELECT c.image_sha256 FROM violation_evidence e JOIN captures c ON c.id = e.capture_id WHERE e.violation_id = $1', [n.violationId]);
    const hash = rows[0]!.image_sha256;
    await writeFile(blobPath(hash), await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 0, g: 0, b: 0 } } }).jpeg().toBuffer());
    await onlyPending([n]);

    const report = await renderPendingNotices(deps(), { threads: 2 });
    expect(report).toMatchObject({ total: 1, rendered: 0 });
    expect(report.failed[0]!.noticeId).toBe(n.noticeId);
    expect((await storedHashes([n]))[0]!.pdf_sha256).toBeNull();
    const tampering = await db.pool.query<{ entity_id: string }>(`SELECT entity_id FROM audit_log WHERE action = 'evidence.integrity_failed'`);
    expect(tampering.rows.map((r) => r.entity_id)).toContain(hash);
  });

  it('fails a notice that cannot be handed to a thread with the reason, carries on with the next, and refuses work once closed', async () => {
    const n = await seedNotice(db.pool, storage, { cameraId, officer });
    const job = await prepareNoticeRender(deps(), (await loadNoticeDocument(db.pool, n.noticeId))!);
    const pool = new NoticeRenderPool(2);
    try {
      // a job the thread cannot be sent (a function is not data): the notice fails with the reason, the pool carries on
      await expect(pool.layout({ ...job, doc: { ...job.doc, toString: () => '' } as never })).rejects.toMatchObject({ code: 'render_failed' });
      expect(sha(await pool.layout(job))).toBe(sha(await renderNoticePdf(deps(), job.doc)));
    } finally {
      await pool.close();
    }
    await expect(pool.layout(job)).rejects.toThrow(/bộ dựng PDF đã đóng/);
  });
});

async function countBlobs(): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  return files.filter((f) => f.isFile() && !f.name.endsWith('.tmp')).length;
}

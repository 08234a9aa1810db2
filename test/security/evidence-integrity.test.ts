import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPendingNotices } from '../../src/notices/batch.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { sceneJpeg, seedCamera, seedNotice, staffWithSession, type TestStaff } from '../helpers/fixtures.js';

/** Attack: evidence overwritten on disk after it was stored. It must never be served, rendered or exported as genuine. */
let t: TestApp;
let officer: TestStaff;
beforeAll(async () => {
  t = await createTestApp();
  officer = await staffWithSession(t.db.pool, 'officer');
});
afterAll(async () => { await t.close(); });

const blobPath = (sha: string) => path.join(t.config.STORAGE_DIR, sha.slice(0, 2), sha.slice(2, 4), sha);

async function overwrite(sha: string) {
  await writeFile(blobPath(sha), await sceneJpeg(42));
}

async function integrityAudits(sha: string) {
  const { rows } = await t.db.pool.query<{ details: { where: string } }>(
    `SELECT details FROM audit_log WHERE action = 'evidence.integrity_failed' AND entity_id = $1 ORDER BY id`, [sha]);
  return rows.map((r) => r.details.where);
}

async function noticeWithPhoto() {
  const camera = await seedCamera(t.db.pool);
  const notice = await seedNotice(t.db.pool, t.app.deps.storage, { cameraId: camera.id, officer });
  const { rows } = await t.db.pool.query<{ capture_id: number; image_sha256: string }>(
    `SELECT c.id AS capture_id, c.image_sha256 FROM violation_evidence e JOIN captures c ON c.id = e.capture_id WHERE e.violation_id = $1`,
    [notice.violationId]);
  return { ...notice, captureId: rows[0]!.capture_id, imageSha: rows[0]!.image_sha256 };
}

describe('evidence tampering', () => {
  it('a photo overwritten on disk is refused when served, logged and audited', async () => {
    const n = await noticeWithPhoto();
    const genuine = await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${n.captureId}/image`, headers: officer.headers });
    expect(genuine.statusCode).toBe(200);
    await overwrite(n.imageSha);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${n.captureId}/image`, headers: officer.headers });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ error: 'evidence_integrity_failed' });
    expect(res.headers['content-type']).toMatch(/json/);
    const crop = await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${n.captureId}/plate/0`, headers: officer.headers });
    expect(crop.json()).toMatchObject({ error: 'evidence_integrity_failed' });
    expect(await integrityAudits(n.imageSha)).toEqual(['GET /api/v1/evidence/:captureId/image', 'GET /api/v1/evidence/:captureId/plate/:rank']);
  });

  it('an overwritten photo never reaches a notice PDF: rendering fails and is audited', async () => {
    const n = await noticeWithPhoto();
    await overwrite(n.imageSha);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/notices/${n.noticeNumber}/render`, headers: officer.headers });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ error: 'evidence_integrity_failed' });
    const report = await renderPendingNotices({ pool: t.db.pool, storage: t.app.deps.storage, config: t.config }, { limit: 50 });
    expect(report.failed.map((f) => f.noticeId)).toContain(n.noticeId);
    const { rows } = await t.db.pool.query('SELECT pdf_sha256 FROM notices WHERE id = $1', [n.noticeId]);
    expect(rows[0].pdf_sha256).toBeNull();
    expect((await integrityAudits(n.imageSha)).every((w) => w === `notice ${n.noticeNumber}`)).toBe(true);
    expect(await integrityAudits(n.imageSha)).toHaveLength(2);
  });

  it('a notice PDF overwritten on disk is refused when downloaded', async () => {
    const n = await noticeWithPhoto();
    const rendered = await t.app.inject({ method: 'POST', url: `/api/v1/notices/${n.noticeNumber}/render`, headers: officer.headers });
    const pdfSha = rendered.json().sha256 as string;
    await writeFile(blobPath(pdfSha), Buffer.from('%PDF-1.4 forged notice'));
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/notices/${n.noticeNumber}/pdf`, headers: officer.headers });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('forged');
    expect(await integrityAudits(pdfSha)).toHaveLength(1);
  });

  it('the blob store itself refuses bytes that do not match their key', async () => {
    const store = new LocalBlobStore(t.config.STORAGE_DIR);
    const sha = await store.put(Buffer.from('original evidence'));
    await writeFile(blobPath(sha), 'altered evidence');
    await expect(store.get(sha)).rejects.toThrow(/fails its integrity check/);
  });
});

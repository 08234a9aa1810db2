import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/pool.js';
import { createLogger } from '../../src/logger.js';
import { claimViolation } from '../../src/review/claims.js';
import type { ReviewCollaborators } from '../../src/review/collaborators.js';
import { approveViolation } from '../../src/review/decisions.js';
import { defaultReviewCollaborators } from '../../src/review/default-collaborators.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { auditActions, createCamera, registerCar, seedCase, staffMember, type Staff } from './fixtures.js';

/** How approval behaves when the notice step after it fails: review's own guarantees, whatever notices does. */

let t: TestApp;
let officer: Staff;
let cameraId: number;
let real: ReviewCollaborators;
beforeAll(async () => {
  t = await createTestApp();
  officer = await staffMember(t, 'officer.tx', 'officer');
  cameraId = await createCamera(t.db.pool, 'HN-TX-01');
  real = defaultReviewCollaborators({ pool: t.db.pool, storage: new LocalBlobStore(t.config.STORAGE_DIR), config: t.config });
});
afterAll(async () => { await t.close(); });

async function claimedIdentifiedCase(plate: string) {
  const car = await registerCar(t.db.pool, plate);
  const c = await seedCase(t, { cameraId, plateText: plate, matchStatus: 'exact', vehicleId: car.vehicleId, ownerId: car.ownerId });
  await withTransaction(t.db.pool, (tx) => claimViolation(tx, c.violationId, officer, 10));
  return c.violationId;
}

const deps = (collaborators: ReviewCollaborators) => ({ pool: t.db.pool, collaborators, logger: createLogger('silent', 'test') });

describe('approval transaction', () => {
  it('when issuing the notice fails, the approval and its audit row roll back and the officer keeps the claim', async () => {
    const id = await claimedIdentifiedCase('30A-777.01');
    const failing: ReviewCollaborators = { ...real, issueNotice: async () => { throw new Error('notice counter unavailable'); } };
    await expect(approveViolation(deps(failing), id, officer)).rejects.toThrow('notice counter unavailable');
    const row = (await t.db.pool.query('SELECT status, decided_by, claimed_by FROM violations WHERE id = $1', [id])).rows[0];
    expect(row).toEqual({ status: 'pending_review', decided_by: null, claimed_by: officer.id });
    expect(await auditActions(t.db.pool, 'violation', id)).toEqual(['violation.claimed']);
  });

  it('when rendering the PDF fails after commit, the approval and notice stand and the PDF is reported missing', async () => {
    const id = await claimedIdentifiedCase('30A-777.02');
    const noPdf: ReviewCollaborators = { ...real, renderNotice: async () => { throw new Error('font missing'); } };
    const result = await approveViolation(deps(noPdf), id, officer);
    expect(result.pdfSha256).toBeNull();
    expect(result.noticeId).toBeGreaterThan(0);
    const row = (await t.db.pool.query('SELECT status FROM violations WHERE id = $1', [id])).rows[0];
    expect(row.status).toBe('noticed');
    expect(await auditActions(t.db.pool, 'violation', id)).toContain('violation.approved');
  });
});

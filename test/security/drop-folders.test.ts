import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestDropFile, type DropFolderOptions } from '../../src/ingest/drop-folder.js';
import type { IngestDeps } from '../../src/ingest/ingest-capture.js';
import { createLogger } from '../../src/logger.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { registerCamera, staffWithSession, type TestStaff } from '../helpers/fixtures.js';
import { syntheticJpeg } from '../ingest/fixtures.js';

/** Attacks through camera drop folders: escaping the drop root, symlinks to system files, oversized files. */
let t: TestApp;
let dropRoot: string;
let folder: string;
let operator: TestStaff;
let deps: IngestDeps;
let opts: DropFolderOptions;

beforeAll(async () => {
  dropRoot = await mkdtemp(path.join(os.tmpdir(), 'phat-droproot-'));
  folder = path.join(dropRoot, 'cam-1');
  await mkdir(folder);
  t = await createTestApp({ DROP_FOLDER_ROOT: dropRoot });
  operator = await staffWithSession(t.db.pool, 'operator');
  await registerCamera(t.app, operator.headers, { code: 'SEC-FTP-1', name: 'ftp', province: 'Hà Nội', address: 'x', cameraType: 'red_light', dropFolder: folder });
  deps = { pool: t.db.pool, storage: new LocalBlobStore(t.config.STORAGE_DIR), queues: t.app.deps.queues!, limits: { maxPixels: 4e7, maxBytes: 200_000 } };
  opts = { cameraCode: 'SEC-FTP-1', folder, maxFutureS: 120, logger: createLogger('silent', 'test') };
});
afterAll(async () => {
  await t.close();
  await rm(dropRoot, { recursive: true, force: true });
});

const setFolder = (dropFolder: string) => t.app.inject({ method: 'PATCH', url: '/api/v1/cameras/SEC-FTP-1', headers: operator.headers, payload: { dropFolder } });

describe('drop-folder attacks', () => {
  it('an operator cannot point a drop folder outside the configured root, through "..", or through a symlink', async () => {
    for (const bad of ['/etc', `${dropRoot}/../etc`, `${dropRoot}/cam-1/../../tmp`, dropRoot]) {
      const res = await setFolder(bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error).toBe('bad_drop_folder');
    }
    await symlink('/etc', path.join(dropRoot, 'link-to-etc'));
    expect((await setFolder(path.join(dropRoot, 'link-to-etc'))).statusCode).toBe(400);
    expect((await setFolder(path.join(dropRoot, 'cam-2'))).statusCode).toBe(200);
  });

  it('a sidecar symlinked to /etc/passwd is refused without reading it: nothing of it reaches the reason file', async () => {
    await writeFile(path.join(folder, 'leak.jpg'), await syntheticJpeg());
    await symlink('/etc/passwd', path.join(folder, 'leak.json'));
    const outcome = await ingestDropFile(deps, opts, path.join(folder, 'leak.jpg'));
    expect(outcome).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^symlink_refused/) });
    const reason = await readFile(path.join(folder, 'rejected', 'leak.jpg.reason.txt'), 'utf8');
    expect(reason).not.toMatch(/root|:x:/);
  });

  it('an image symlinked to a file elsewhere is refused, not ingested', async () => {
    const outside = path.join(os.tmpdir(), `outside-${Date.now()}.jpg`);
    await writeFile(outside, await syntheticJpeg());
    await symlink(outside, path.join(folder, '20261101T081530000Z.jpg'));
    expect(await ingestDropFile(deps, opts, path.join(folder, '20261101T081530000Z.jpg')))
      .toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^symlink_refused/) });
    await rm(outside);
  });

  it('an oversized sidecar or image is refused without being read whole', async () => {
    await writeFile(path.join(folder, 'big.jpg'), await syntheticJpeg());
    await writeFile(path.join(folder, 'big.json'), `{"pad":"${'x'.repeat(100_000)}"}`);
    expect(await ingestDropFile(deps, opts, path.join(folder, 'big.jpg'))).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^too_large/) });
    await writeFile(path.join(folder, '20261101T081531000Z.jpg'), Buffer.alloc(300_000, 0xff));
    expect(await ingestDropFile(deps, opts, path.join(folder, '20261101T081531000Z.jpg'))).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^too_large/) });
    expect(await readdir(path.join(folder, 'rejected'))).toContain('big.json');
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase } from '../src/db/create-database.js';

export interface Scratch {
  runId: string;
  databaseUrl: string;
  storageDir: string;
  /** drops the database and removes the storage folder */
  remove(): Promise<void>;
}

/** A benchmark's own database (next to `baseUrl`, on the same server) and storage folder, created empty. */
export async function createScratch(baseUrl: string, label: string): Promise<Scratch> {
  const runId = `${Date.now()}_${randomBytes(3).toString('hex')}`;
  const url = new URL(baseUrl);
  const name = `phat_${label}_${runId}`;
  url.pathname = `/${name}`;
  const storageDir = await mkdtemp(path.join(os.tmpdir(), `phat-${label}-`));
  await ensureDatabase(url.toString());
  return {
    runId, databaseUrl: url.toString(), storageDir,
    async remove() {
      const admin = new URL(url);
      admin.pathname = '/postgres';
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

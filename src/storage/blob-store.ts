import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, statfs, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { classifyWriteError, StorageUnavailableError, type StorageStatus } from './storage-errors.js';

/**
 * Content-addressed storage of originals (camera images, notice PDFs). Keyed by sha256 so the same
 * bytes stored twice are one object and evidence can be verified against its key. Local disk
 * (below) or S3-compatible object storage (s3-blob-store.ts); see create-blob-store.ts.
 */
export interface BlobStore {
  /** Stores the bytes (idempotent) and returns their sha256 hex. Throws StorageUnavailableError when storage is full or read-only. */
  put(data: Buffer): Promise<string>;
  /**
   * The bytes for a sha256, or null if absent. The bytes are re-hashed on every read: bytes that no
   * longer match their key (overwritten on disk) throw BlobIntegrityError and are never returned.
   */
  get(sha256: string): Promise<Buffer | null>;
  has(sha256: string): Promise<boolean>;
  /** Whether a write would succeed now (a real write and delete of a probe object). */
  check(): Promise<StorageStatus>;
  /** Removes the object (absent is fine). Callers decide it is unreferenced: see blob-references.ts. */
  delete(sha256: string): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Stored bytes whose hash is not their key: evidence altered after it was stored. */
export class BlobIntegrityError extends Error {
  override readonly name = 'BlobIntegrityError';
  /** set once logged and audited, so a failure passing through several layers is recorded once */
  reported = false;
  constructor(readonly expectedSha256: string, readonly actualSha256: string) {
    super(`stored object ${expectedSha256} fails its integrity check (its bytes hash to ${actualSha256})`);
  }
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function assertSha256(sha256: string): void {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathFor(sha256: string): string {
    assertSha256(sha256);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(data: Buffer): Promise<string> {
    const sha256 = sha256Hex(data);
    const target = this.pathFor(sha256);
    if (await this.has(sha256)) return sha256;
    // write then rename: a crash mid-write never leaves a truncated object under the real key
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(temp, data);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      const classified = classifyWriteError(err, this.root);
      if (classified instanceof StorageUnavailableError) throw classified;
      // some file systems report a read-only mount on mkdir -p as ENOENT: a probe write tells
      const status = await this.check();
      if (!status.writable) throw new StorageUnavailableError('read_only', status.reason ?? `storage at ${this.root} is not writable`, { cause: err });
      throw err;
    }
    return sha256;
  }

  async get(sha256: string): Promise<Buffer | null> {
    let data: Buffer;
    try {
      data = await readFile(this.pathFor(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const actual = sha256Hex(data);
    if (actual !== sha256) throw new BlobIntegrityError(sha256, actual);
    return data;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathFor(sha256));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async check(): Promise<StorageStatus> {
    let freeBytes: number | undefined;
    const probe = path.join(this.root, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(this.root, { recursive: true });
      const fs = await statfs(this.root);
      freeBytes = fs.bavail * fs.bsize;
      // a small real write: a read-only remount or a full disk shows here, not in statfs alone
      await writeFile(probe, randomBytes(512));
      await rm(probe, { force: true });
      return { writable: true, freeBytes };
    } catch (err) {
      await rm(probe, { force: true }).catch(() => undefined);
      const classified = classifyWriteError(err, this.root);
      return { writable: false, reason: (classified as Error).message, ...(freeBytes === undefined ? {} : { freeBytes }) };
    }
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathFor(sha256), { force: true });
  }
}

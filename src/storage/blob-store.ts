import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Content-addressed storage of originals (camera images, notice PDFs). Keyed by sha256 so the same
 * bytes stored twice are one object and evidence can be verified against its key. Local disk now;
 * an object-storage implementation only has to honour this interface.
 */
export interface BlobStore {
  /** Stores the bytes (idempotent) and returns their sha256 hex. */
  put(data: Buffer): Promise<string>;
  /**
   * The bytes for a sha256, or null if absent. The bytes are re-hashed on every read: bytes that no
   * longer match their key (overwritten on disk) throw BlobIntegrityError and are never returned.
   */
  get(sha256: string): Promise<Buffer | null>;
  has(sha256: string): Promise<boolean>;
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

export function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathFor(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(data: Buffer): Promise<string> {
    const sha256 = sha256Of(data);
    const target = this.pathFor(sha256);
    if (await this.has(sha256)) return sha256;
    await mkdir(path.dirname(target), { recursive: true });
    // write then rename: a crash mid-write never leaves a truncated object under the real key
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, data);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
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
    const actual = sha256Of(data);
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
}

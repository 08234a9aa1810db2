import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { assertSha256, BlobIntegrityError, sha256Hex, type BlobStore } from './blob-store.js';
import { StorageUnavailableError, type StorageStatus } from './storage-errors.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** key prefix inside the bucket ('' or ending in '/') */
  prefix: string;
  region: string;
  /** empty = AWS's own endpoint for the region */
  endpoint: string;
  forcePathStyle: boolean;
  /** both empty = the SDK's default credential chain (env, instance profile...) */
  accessKeyId: string;
  secretAccessKey: string;
  /** per-request limit, so an unreachable store fails a request instead of hanging it */
  requestTimeoutMs?: number;
}

/**
 * Originals on S3-compatible object storage (MinIO, Ceph RGW, cloud S3), for installations with
 * more than one machine. Same keys as the local store (sha256 of the bytes, fanned out by its first
 * characters); every upload carries its SHA-256 so the server refuses bytes damaged on the way, and
 * every download is hashed again and refused if it does not match its key.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(private readonly opts: S3BlobStoreOptions) {
    this.client = new S3Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      forcePathStyle: opts.forcePathStyle,
      ...(opts.accessKeyId ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } } : {}),
      // only the checksum we send ourselves: some S3-compatible servers reject the SDK's default CRC32 trailers
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      requestHandler: { requestTimeout: opts.requestTimeoutMs ?? 10_000, connectionTimeout: Math.min(opts.requestTimeoutMs ?? 10_000, 5000) },
    });
  }

  private keyFor(sha256: string): string {
    assertSha256(sha256);
    return `${this.opts.prefix}${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  async put(data: Buffer): Promise<string> {
    const sha256 = sha256Hex(data);
    if (await this.has(sha256)) return sha256;
    await this.send(new PutObjectCommand({
      Bucket: this.opts.bucket, Key: this.keyFor(sha256), Body: data, ContentLength: data.length,
      ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
    }));
    return sha256;
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.keyFor(sha256) }));
      if (!res.Body) return null;
      const data = Buffer.from(await res.Body.transformToByteArray());
      const actual = sha256Hex(data);
      if (actual !== sha256) throw new BlobIntegrityError(sha256, actual);
      return data;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw classifyS3Error(err, this.opts.bucket);
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.keyFor(sha256) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw classifyS3Error(err, this.opts.bucket);
    }
  }

  /** Removes the object (absent is fine, as S3 itself treats it). Callers decide it is unreferenced. */
  async delete(sha256: string): Promise<void> {
    assertSha256(sha256);
    try {
      await this.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.keyFor(sha256) }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw classifyS3Error(err, this.opts.bucket);
    }
  }

  async check(): Promise<StorageStatus> {
    const key = `${this.opts.prefix}.probe/${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await this.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: Buffer.from('probe'), ContentLength: 5 }));
      await this.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      return { writable: true };
    } catch (err) {
      return { writable: false, reason: (err as Error).message };
    }
  }

  close(): void {
    this.client.destroy();
  }

  private async send(command: PutObjectCommand | DeleteObjectCommand): Promise<void> {
    try {
      await this.client.send(command as PutObjectCommand);
    } catch (err) {
      throw classifyS3Error(err, this.opts.bucket);
    }
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound');
}

function classifyS3Error(err: unknown, bucket: string): unknown {
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode ?? 0;
    if (status === 507 || /StorageFull|QuotaExceeded|InsufficientStorage/i.test(err.name)) {
      return new StorageUnavailableError('full', `bucket ${bucket} is full (${err.name})`, { cause: err });
    }
    if (status === 403) return new StorageUnavailableError('read_only', `bucket ${bucket} refuses writes (${err.name})`, { cause: err });
    if (status === 503 || status === 500) return new StorageUnavailableError('unreachable', `bucket ${bucket} is unavailable (${err.name})`, { cause: err });
    return err;
  }
  const code = (err as { code?: string; name?: string } | null)?.code ?? (err as { name?: string } | null)?.name;
  if (code && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|TimeoutError|RequestTimeout/.test(code)) {
    return new StorageUnavailableError('unreachable', `object storage for bucket ${bucket} does not answer (${code})`, { cause: err });
  }
  return err;
}

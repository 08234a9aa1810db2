import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createBlobStore } from '../../src/storage/create-blob-store.js';
import { BlobIntegrityError } from '../../src/storage/blob-store.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { StorageUnavailableError } from '../../src/storage/storage-errors.js';

/**
 * No MinIO or other S3 server is installable on the CI machine (no Docker, no package), so the store
 * talks real HTTP through the AWS SDK to this in-process stand-in. It keeps objects in memory,
 * path-style (/bucket/key), and checks x-amz-checksum-sha256 against the body as S3 does (BadDigest).
 * It does not verify request signatures.
 */
class FakeS3 {
  readonly objects = new Map<string, Buffer>();
  readonly requests: Array<{ method: string; key: string }> = [];
  failWith: number | null = null;
  private server = http.createServer((req, res) => { void this.handle(req, res); });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const key = decodeURIComponent(new URL(req.url!, 'http://x').pathname.slice(1));
    this.requests.push({ method: req.method!, key });
    const error = (status: number, code: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' }).end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
    };
    if (this.failWith) return error(this.failWith, this.failWith === 507 ? 'XMinioStorageFull' : 'AccessDenied');
    if (req.method === 'PUT') {
      const sent = req.headers['x-amz-checksum-sha256'];
      if (sent && sent !== createHash('sha256').update(body).digest('base64')) return error(400, 'BadDigest');
      this.objects.set(key, body);
      res.writeHead(200, { etag: '"x"' }).end();
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      const object = this.objects.get(key);
      if (!object) return req.method === 'HEAD' ? void res.writeHead(404).end() : error(404, 'NoSuchKey');
      res.writeHead(200, { 'content-length': object.length, 'content-type': 'application/octet-stream' }).end(req.method === 'GET' ? object : undefined);
    } else if (req.method === 'DELETE') {
      this.objects.delete(key);
      res.writeHead(204).end();
    } else {
      error(405, 'MethodNotAllowed');
    }
  }
}

let fake: FakeS3;
let store: S3BlobStore;
beforeAll(async () => {
  fake = new FakeS3();
  const endpoint = await fake.start();
  const config = loadConfig({ BLOB_STORE: 's3', S3_ENDPOINT: endpoint, S3_BUCKET: 'evidence', S3_PREFIX: 'phat/', S3_ACCESS_KEY_ID: 'test', S3_SECRET_ACCESS_KEY: 'test-secret' });
  store = createBlobStore(config) as S3BlobStore;
  expect(store).toBeInstanceOf(S3BlobStore);
});
afterAll(async () => { store.close(); await fake.stop(); });

describe('S3-compatible blob store', () => {
  it('stores by sha256 with the checksum for the server to verify, once, and reads the bytes back', async () => {
    const data = Buffer.from('ảnh camera 30A-123.45');
    const sha = createHash('sha256').update(data).digest('hex');
    expect(await store.put(data)).toBe(sha);
    expect(fake.objects.get(`evidence/phat/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`)).toEqual(data);
    const puts = () => fake.requests.filter((r) => r.method === 'PUT').length;
    const before = puts();
    expect(await store.put(data)).toBe(sha);
    expect(puts()).toBe(before); // already there: not sent again
    expect(await store.get(sha)).toEqual(data);
    expect(await store.has(sha)).toBe(true);
  });

  it('answers null for an absent object and refuses one whose bytes no longer match their key', async () => {
    const missing = 'f'.repeat(64);
    expect(await store.get(missing)).toBeNull();
    expect(await store.has(missing)).toBe(false);
    const sha = await store.put(Buffer.from('original evidence'));
    fake.objects.set(`evidence/phat/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`, Buffer.from('tampered evidence'));
    const refused = store.get(sha);
    await expect(refused).rejects.toBeInstanceOf(BlobIntegrityError);
    await expect(refused).rejects.toThrow(/fails its integrity check/);
  });

  it('turns a full or refusing bucket and an unreachable server into StorageUnavailableError, and check() says so', async () => {
    expect(await store.check()).toEqual({ writable: true });
    fake.failWith = 507;
    await expect(store.put(Buffer.from('x1'))).rejects.toMatchObject({ kind: 'full' });
    fake.failWith = 403;
    await expect(store.put(Buffer.from('x2'))).rejects.toMatchObject({ kind: 'read_only' });
    expect(await store.check()).toMatchObject({ writable: false });
    fake.failWith = null;

    const dead = new S3BlobStore({ bucket: 'b', prefix: '', region: 'us-east-1', endpoint: 'http://127.0.0.1:1', forcePathStyle: true,
      accessKeyId: 'a', secretAccessKey: 'b', requestTimeoutMs: 1000 });
    try {
      const err = await dead.put(Buffer.from('x3')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect(err).toMatchObject({ kind: 'unreachable' });
    } finally {
      dead.close();
    }
  });

  it('needs a bucket when selected', () => {
    expect(() => loadConfig({ BLOB_STORE: 's3' })).toThrow(/S3_BUCKET/);
  });
});

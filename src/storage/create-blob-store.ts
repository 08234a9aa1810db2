import type { Config } from '../config.js';
import { LocalBlobStore, type BlobStore } from './blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

/** The store BLOB_STORE selects: the local STORAGE_DIR or an S3-compatible bucket. */
export function createBlobStore(config: Config): BlobStore {
  if (config.BLOB_STORE === 's3') {
    return new S3BlobStore({
      bucket: config.S3_BUCKET, prefix: config.S3_PREFIX, region: config.S3_REGION, endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE, accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    });
  }
  return new LocalBlobStore(config.STORAGE_DIR);
}

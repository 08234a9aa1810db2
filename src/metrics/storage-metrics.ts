import { Gauge, Registry } from 'prom-client';
import type { BlobStore } from '../storage/blob-store.js';

/** Prometheus text about the blob store, measured now: whether it takes a write, and free bytes (local disk). */
export async function storageMetricsText(storage: BlobStore): Promise<string> {
  const registry = new Registry();
  const writable = new Gauge({ name: 'phat_storage_writable', help: '1 when the blob store takes a write, 0 when it is full, read-only or unreachable', registers: [registry] });
  const free = new Gauge({ name: 'phat_storage_free_bytes', help: 'free bytes on the file system of the local blob store (absent for object storage)', registers: [registry] });
  const status = await storage.check();
  writable.set(status.writable ? 1 : 0);
  if (status.freeBytes !== undefined) free.set(status.freeBytes);
  else registry.removeSingleMetric('phat_storage_free_bytes');
  return registry.metrics();
}

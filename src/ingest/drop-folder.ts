import { lstat, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../logger.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import { MAX_SIDECAR_BYTES, readDroppedFile } from './confined-files.js';
import { IngestRejection } from './errors.js';
import { metadataFromFileName } from './file-name-metadata.js';
import { ingestCapture, type IngestDeps } from './ingest-capture.js';
import { parseCaptureMetadata } from './metadata.js';

const IMAGE_EXT = /\.(jpe?g|png|webp)$/i;
export const DONE_DIR = 'done';
export const REJECTED_DIR = 'rejected';

export interface DropFolderOptions {
  cameraCode: string;
  folder: string;
  maxFutureS: number;
  /** MAX_PLAUSIBLE_SPEED_KMH: faster readings are kept, flagged for review */
  maxPlausibleSpeedKmh?: number;
  /** poll instead of file-system events (network and FTP mounts often deliver no events) */
  usePolling?: boolean;
  /** how long a file must stop growing before it is read (an FTP upload in progress) */
  stableMs?: number;
  /** how long to wait for a sidecar JSON when the file name carries no metadata */
  sidecarWaitMs?: number;
  logger: Logger;
  metrics?: PipelineMetrics;
}

export type DropOutcome = { kind: 'ingested'; captureId: number; duplicate: boolean } | { kind: 'rejected'; reason: string } | { kind: 'deferred'; reason: string };

/**
 * Ingests one image file of a camera's drop folder. Metadata comes from `<name>.json` beside it, or
 * else from the file name. Ingested files (and their sidecar) move to done/, refused ones to
 * rejected/ with `<name>.reason.txt`; a failure that is not the file's fault (database down) leaves
 * the file where it is, to be tried again.
 */
export async function ingestDropFile(deps: IngestDeps, opts: DropFolderOptions, file: string): Promise<DropOutcome> {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const sidecar = path.join(dir, `${name.replace(/\.[^.]+$/, '')}.json`);
  const hasSidecar = await exists(sidecar);
  try {
    let fields: Record<string, unknown> | null;
    if (hasSidecar) {
      const text = (await readDroppedFile(sidecar, MAX_SIDECAR_BYTES, 'sidecar')).toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
      // the parser's message quotes the file: it must not reach a reason file
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new IngestRejection(400, 'bad_sidecar', `sidecar ${path.basename(sidecar)} is not a JSON object`);
      }
      fields = parsed as Record<string, unknown>;
    } else {
      fields = metadataFromFileName(name);
      if (!fields) {
        throw new IngestRejection(400, 'missing_metadata', `no sidecar ${path.basename(sidecar)} and the file name does not follow yyyyMMddTHHmmss[mmm][±hhmm][_speed57.5][_lane2]...`);
      }
    }
    const { camera: code, ...meta } = fields;
    if (code !== undefined && code !== opts.cameraCode) {
      throw new IngestRejection(400, 'camera_mismatch', `sidecar names camera ${String(code)}, but this is the folder of ${opts.cameraCode}`);
    }
    const metadata = parseCaptureMetadata(meta, new Date(), opts.maxFutureS, opts.maxPlausibleSpeedKmh);
    const image = await readDroppedFile(file, deps.limits.maxBytes, 'image');
    const result = await ingestCapture(deps, { camera: { code: opts.cameraCode }, image, metadata, source: 'drop_folder', sourceName: name });
    opts.metrics?.capturesIngested.inc({ source: 'drop_folder', outcome: result.duplicate ? 'duplicate' : 'created' });
    await moveInto(dir, DONE_DIR, file);
    if (hasSidecar) await moveInto(dir, DONE_DIR, sidecar);
    return { kind: 'ingested', captureId: result.captureId, duplicate: result.duplicate };
  } catch (err) {
    if (!(err instanceof IngestRejection)) return { kind: 'deferred', reason: (err as Error).message };
    opts.metrics?.capturesIngested.inc({ source: 'drop_folder', outcome: 'rejected' });
    const reason = `${err.code}: ${err.message}`;
    const moved = await moveInto(dir, REJECTED_DIR, file);
    if (hasSidecar) await moveInto(dir, REJECTED_DIR, sidecar);
    await writeFile(`${moved}.reason.txt`, `${reason}\n`);
    return { kind: 'rejected', reason };
  }
}

/**
 * Watches one camera's drop folder. Files already there at start are ingested too (they arrived
 * while the watcher was down). Deferred files are retried with a growing delay.
 */
export function watchDropFolder(deps: IngestDeps, opts: DropFolderOptions): { close(): Promise<void>; idle(): Promise<void> } {
  const pending = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<string>();
  let closed = false;
  const sidecarWaitMs = opts.sidecarWaitMs ?? 10_000;

  const handle = (file: string, attempt: number, firstSeen: number) => {
    if (closed || inFlight.has(file)) return;
    inFlight.add(file);
    const work = (async () => {
      const name = path.basename(file);
      const sidecar = path.join(path.dirname(file), `${name.replace(/\.[^.]+$/, '')}.json`);
      // the sidecar may be uploaded after the image: wait for it unless the file name already says everything
      if (!metadataFromFileName(name) && !(await exists(sidecar)) && Date.now() - firstSeen < sidecarWaitMs) {
        return { kind: 'deferred', reason: 'waiting for the sidecar JSON' } as const;
      }
      return ingestDropFile(deps, opts, file);
    })().then((outcome) => {
      if (outcome.kind === 'ingested') opts.logger.info({ camera: opts.cameraCode, file, ...outcome }, 'drop-folder image ingested');
      if (outcome.kind === 'rejected') opts.logger.warn({ camera: opts.cameraCode, file, reason: outcome.reason }, 'drop-folder image rejected');
      if (outcome.kind === 'deferred') {
        if (attempt > 0 && outcome.reason !== 'waiting for the sidecar JSON') opts.logger.warn({ camera: opts.cameraCode, file, reason: outcome.reason }, 'drop-folder image deferred');
        const delay = outcome.reason === 'waiting for the sidecar JSON' ? 500 : Math.min(60_000, 1000 * 2 ** attempt);
        const timer = setTimeout(() => { timers.delete(timer); handle(file, attempt + 1, firstSeen); }, delay);
        timers.add(timer);
      }
    }, (err: unknown) => opts.logger.error({ err, file }, 'drop-folder handler failed')).finally(() => {
      inFlight.delete(file);
      pending.delete(work);
    });
    pending.add(work);
  };

  const watcher: FSWatcher = watch(opts.folder, {
    depth: 0,
    ignoreInitial: false,
    usePolling: opts.usePolling ?? false,
    interval: 1000,
    awaitWriteFinish: { stabilityThreshold: opts.stableMs ?? 1000, pollInterval: 100 },
    ignored: (p: string) => {
      const rel = path.relative(opts.folder, p);
      return rel.startsWith(DONE_DIR) || rel.startsWith(REJECTED_DIR);
    },
  });
  watcher.on('add', (file: string) => { if (IMAGE_EXT.test(file)) handle(file, 0, Date.now()); });
  watcher.on('error', (err: unknown) => opts.logger.error({ err, folder: opts.folder }, 'drop-folder watcher error'));

  return {
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await watcher.close();
      await Promise.allSettled([...pending]);
    },
    /** resolves when nothing is being ingested right now (tests) */
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

async function exists(file: string): Promise<boolean> {
  // lstat: a dangling or planted link still counts as there (and is then refused), never followed
  return lstat(file).then(() => true, () => false);
}

/** Moves `file` into `dir/sub/`, adding a suffix when a file of that name is already there; returns the new path. */
async function moveInto(dir: string, sub: string, file: string): Promise<string> {
  const target = path.join(dir, sub);
  await mkdir(target, { recursive: true });
  const name = path.basename(file);
  let dest = path.join(target, name);
  for (let i = 1; await exists(dest); i++) dest = path.join(target, `${name.replace(/(\.[^.]+)?$/, `.${i}$1`)}`);
  await rename(file, dest);
  return dest;
}

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { ModelError } from './errors.js';

export type ModelId = 'det' | 'rec' | 'recKeys' | 'tesseractEng' | 'plateReader' | 'vnReader' | 'plateDetector';
const MODEL_IDS: readonly ModelId[] = ['det', 'rec', 'recKeys', 'tesseractEng', 'plateReader', 'vnReader', 'plateDetector'];

/** A file shipped inside an npm package, or (`package` absent) committed under models/. */
interface ManifestEntry {
  package?: string;
  file: string;
  sha256: string;
}

const manifestPath = fileURLToPath(new URL('../../models/manifest.json', import.meta.url));

function readManifest(): Record<ModelId, ManifestEntry> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (cause) {
    throw new ModelError('manifest_invalid', `cannot read ${manifestPath}`, { cause });
  }
  const models = (parsed as { models?: Record<string, Partial<ManifestEntry>> }).models ?? {};
  const out: Partial<Record<ModelId, ManifestEntry>> = {};
  for (const id of MODEL_IDS) {
    const e = models[id];
    const badPackage = e?.package !== undefined && typeof e.package !== 'string';
    if (!e || badPackage || typeof e.file !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256 ?? '')) {
      throw new ModelError('manifest_invalid', `manifest entry "${id}" needs file and sha256 (and package when it ships in one)`);
    }
    // A committed file must stay inside models/: the manifest is data, not a licence to read anywhere.
    if (e.package === undefined && (e.file.includes('..') || e.file.startsWith('/'))) {
      throw new ModelError('manifest_invalid', `manifest entry "${id}" names a file outside models/`);
    }
    out[id] = { ...(e.package !== undefined ? { package: e.package } : {}), file: e.file, sha256: e.sha256 as string };
  }
  return out as Record<ModelId, ManifestEntry>;
}

/**
 * Packages with an `exports` map hide package.json from require.resolve, so we
 * walk up node_modules folders the way Node itself would.
 */
function packageDir(pkg: string): string {
  let dir = dirname(manifestPath);
  for (;;) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new ModelError('missing_file', `package ${pkg} is not installed`);
    dir = parent;
  }
}

let manifest: Record<ModelId, ManifestEntry> | undefined;
const verified = new Map<ModelId, string>();

/** Absolute path of a model file, checked against its pinned hash once per process. */
export function modelPath(id: ModelId): string {
  const done = verified.get(id);
  if (done) return done;
  manifest ??= readManifest();
  const entry = manifest[id];
  const path = join(entry.package === undefined ? dirname(manifestPath) : packageDir(entry.package), entry.file);
  verifySha256(path, entry.sha256);
  verified.set(id, path);
  return path;
}

/** Throws a ModelError unless the file exists and has exactly this sha256. */
export function verifySha256(path: string, expected: string): void {
  if (!existsSync(path)) throw new ModelError('missing_file', `${path} not found`);
  const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
  if (actual !== expected) {
    throw new ModelError('hash_mismatch', `${path}: sha256 ${actual} does not match manifest ${expected}`);
  }
}

const sessions = new Map<ModelId, Promise<ort.InferenceSession>>();

/** One session per model per process: sessions are thread-safe for concurrent run() calls. */
/** The models that run in onnxruntime (the others are data files). */
export type OnnxModelId = Exclude<ModelId, 'recKeys' | 'tesseractEng'>;

export function onnxSession(id: OnnxModelId): Promise<ort.InferenceSession> {
  let s = sessions.get(id);
  if (!s) {
    s = (async () => {
      const path = modelPath(id);
      try {
        return await ort.InferenceSession.create(path, {
          intraOpNumThreads: Number(process.env.ALPR_THREADS ?? 2),
          interOpNumThreads: 1,
          graphOptimizationLevel: 'all',
          // Spinning workers fight the JS thread (and other workers) for the
          // two cores; measured here it nearly doubles det and rec latency.
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        });
      } catch (cause) {
        throw new ModelError('load_failed', `onnxruntime could not load ${path}`, { cause });
      }
    })();
    s.catch(() => sessions.delete(id));
    sessions.set(id, s);
  }
  return s;
}

/**
 * Runs a model whose input is a batch of uint8 RGB pictures `[N, height, width, 3]`, given as each
 * picture's raw pixels, and returns its first output.
 */
export async function runPixelBatch(id: OnnxModelId, pixels: readonly Uint8Array[], height: number, width: number): Promise<ort.Tensor> {
  const session = await onnxSession(id);
  const size = height * width * 3;
  const batch = new Uint8Array(pixels.length * size);
  pixels.forEach((p, i) => batch.set(p, i * size));
  const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('uint8', batch, [pixels.length, height, width, 3]) });
  return result[session.outputNames[0]!]!;
}

export { ort };

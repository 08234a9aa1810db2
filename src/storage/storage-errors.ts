/**
 * Storage that cannot take a write: full (507 Insufficient Storage) or read-only / unreachable (503).
 * Raised by blob stores so callers answer with the reason instead of a bare 500.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  constructor(readonly kind: 'full' | 'read_only' | 'unreachable', message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM']);
const UNREACHABLE = new Set(['EIO', 'ENOTCONN', 'ESTALE', 'ETIMEDOUT', 'EHOSTDOWN']);

/** Turns a file-system error of a write into StorageUnavailableError when it is one; other errors pass through. */
export function classifyWriteError(err: unknown, where: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (!code) return err;
  if (FULL.has(code)) return new StorageUnavailableError('full', `storage at ${where} is full (${code})`, { cause: err });
  if (READ_ONLY.has(code)) return new StorageUnavailableError('read_only', `storage at ${where} is not writable (${code})`, { cause: err });
  if (UNREACHABLE.has(code)) return new StorageUnavailableError('unreachable', `storage at ${where} does not answer (${code})`, { cause: err });
  return err;
}

/** What /health and /metrics report about a store. */
export interface StorageStatus {
  writable: boolean;
  /** why not writable, in one line */
  reason?: string;
  /** free bytes where the store can tell (local disk); absent for object storage */
  freeBytes?: number;
}

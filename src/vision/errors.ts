export type ImageErrorCode = 'empty' | 'not_image' | 'truncated' | 'too_large' | 'bad_roi' | 'decode_failed';

/** Raised for caller-supplied input problems; the HTTP layer maps these to 4xx. */
export class ImageError extends Error {
  override readonly name = 'ImageError';
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ModelErrorCode = 'manifest_invalid' | 'missing_file' | 'hash_mismatch' | 'load_failed';

/** Raised when the installation is broken (a 5xx, never the caller's fault). */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

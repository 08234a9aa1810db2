/**
 * Why a capture was refused. `status` is the HTTP status the API answers with; the drop-folder
 * watcher writes `code: message` into the rejected file's .reason.txt. Nothing is stored when
 * one of these is thrown.
 */
export class IngestRejection extends Error {
  override readonly name = 'IngestRejection';
  constructor(
    readonly status: 400 | 403 | 404 | 413 | 415 | 422,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

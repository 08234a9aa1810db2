export type NoticeErrorCode =
  | 'violation_not_found'
  | 'violation_not_approved'
  | 'owner_unidentified'
  | 'notice_not_found'
  | 'evidence_missing'
  /** the PDF could not be laid out (an evidence image the decoder refuses, a render thread that stopped) */
  | 'render_failed'
  | 'counter_exhausted';

/** A notice operation refused for a reason the caller can act on; routes map it to 4xx. */
export class NoticeError extends Error {
  override readonly name = 'NoticeError';
  constructor(readonly code: NoticeErrorCode, message: string) {
    super(message);
  }
}

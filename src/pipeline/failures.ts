/**
 * A failure no retry can fix (unreadable image, image missing from storage, disabled camera):
 * the capture is dead-lettered at once with this reason instead of burning its attempts.
 */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
  /** `message` is the Vietnamese reason operators read; `detail` the technical cause for the audit entry. */
  constructor(message: string, readonly detail?: string) {
    super(message);
  }
}

/**
 * A failure no retry can fix (unreadable image, image missing from storage, disabled camera):
 * the capture is dead-lettered at once with this reason instead of burning its attempts.
 */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
}

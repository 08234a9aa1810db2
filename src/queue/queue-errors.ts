/** Redis did not take a job in time: the caller should answer 503 and let the client retry later. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
}

/**
 * Waits at most `ms` for `work` (an enqueue); on timeout throws QueueUnavailableError. The command
 * itself stays in the client's offline queue and may still land when Redis is back, which is harmless:
 * job ids are per capture, so a later enqueue of the same capture is a no-op.
 */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new QueueUnavailableError(`${what}: Redis did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

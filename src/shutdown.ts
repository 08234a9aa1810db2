import type { Logger } from './logger.js';

/**
 * Resolves after SIGTERM/SIGINT once `close` has finished, or after `graceMs` if it hangs.
 * A second signal skips the wait: an operator pressing Ctrl-C twice means it.
 */
export function onShutdown(logger: Logger, graceMs: number, close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal, graceMs }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error('shutdown grace period over; exiting with work unfinished');
        process.exit(1);
      }, graceMs);
      timer.unref();
      close().then(
        () => { logger.info('shut down cleanly'); resolve(); },
        (err: unknown) => { logger.error({ err }, 'error during shutdown'); resolve(); },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

import { ConfigError } from '../config.js';

/** Runs a command-line entry point: prints a clear error and exits non-zero instead of a stack dump for config errors. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
      if (err instanceof ConfigError) console.error(err.message);
      else console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
}

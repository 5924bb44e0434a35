/** A command line, variable or config file that cannot work: reported in one line, exit code 64. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Exit code for a usage error (sysexits' EX_USAGE), apart from `send`'s 1 (rejected) and 2 (failed). */
export const USAGE_EXIT = 64

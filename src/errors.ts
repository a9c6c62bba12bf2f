// One error type for every failure the user should read: a one-line message and an exit code.
// Anything else that escapes a command is a bug, shown with a stack trace only under -v.

export const EXIT_OK = 0;
/** The operation failed: API errors, unreachable cluster, findings with errors, failed hooks. */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong: unknown flags, invalid flag values. */
export const EXIT_USAGE = 2;

export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

export class UsageError extends UserError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

/**
 * UserError by shape, not by class: dist/kube.cjs carries its own copy of this module, so an error
 * made there is not an instance of the main bundle's class.
 */
export function isUserError(e: unknown): e is UserError {
  return (
    e instanceof Error && (e.name === 'UserError' || e.name === 'UsageError') && typeof (e as { exitCode?: unknown }).exitCode === 'number'
  );
}

/** First line of a message, trimmed: error output is always one line. */
export function oneLine(message: string): string {
  return message
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ')
    .slice(0, 2000);
}

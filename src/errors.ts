/**
 * Exit codes, decided here and nowhere else: README "Exit codes", row for row (a test keeps the
 * two equal). A throw site says what failed; its class says which code that is.
 */
export const EXIT = {
  /** Everything found was imported (or was already). */
  ok: 0,
  /** Some sources or files failed (listed, retried by the next run), or an internal error. */
  failed: 1,
  /** A usage or configuration error. */
  usage: 2,
  /** The state file is unusable, or the logs dir or an index cannot be written. */
  archive: 3,
  /** Another import holds the lock on this logs dir. */
  locked: 75,
  /** Stopped by SIGINT: 128 + 2. */
  interrupted: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  terminated: 143,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with its exit code and its message, without a stack trace. */
export abstract class CliError extends Error {
  abstract readonly exitCode: ExitCode;
}

/** A bad flag, command or environment value, or a flag naming something that is not there. */
export class UsageError extends CliError {
  readonly exitCode = EXIT.usage;
}

/** The state file, the logs dir, an index or the server's archive cannot be used as it is. */
export class ArchiveError extends CliError {
  readonly exitCode = EXIT.archive;
}

/** Another import holds the lock (or took it over from this run). */
export class LockedError extends CliError {
  readonly exitCode = EXIT.locked;
}

/** What the command was asked for could not be done now (files not written or not readable, a server not reached). */
export class FailedError extends CliError {
  readonly exitCode = EXIT.failed;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * SIGINT and SIGTERM during an import. The first asks the run to stop at its next safe point: it
 * then publishes what it converted, saves a consistent checkpoint, releases its lock and exits
 * 128 + the signal's number (130, 143). A second one exits at once, after removing this process's
 * temp files and releasing its locks: every file on disk is then still whole (files are only ever
 * renamed into place), and the next run redoes what was not saved.
 */
import { EXIT } from '../errors.js';
import { releaseHeldLocks } from '../importer/lock.js';
import { discardLiveTemps } from '../writer/atomic-file.js';

/** The exit code after each signal: 128 + its number. */
const EXIT_AFTER = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated } as const;
type StopSignal = keyof typeof EXIT_AFTER;

export interface StopOnSignals {
  /** Aborted, with the signal's name as reason, by the first signal. */
  signal: AbortSignal;
  /** The exit code after the signal received, or null when none was. */
  exitCode(): number | null;
}

export function stopOnSignals(): StopOnSignals {
  const stop = new AbortController();
  const codeOf = (name: StopSignal) => EXIT_AFTER[name];
  const onSignal = (name: StopSignal) => {
    if (!stop.signal.aborted) {
      stop.abort(name);
      return;
    }
    discardLiveTemps();
    releaseHeldLocks();
    process.exit(codeOf(stop.signal.reason as StopSignal));
  };
  for (const name of Object.keys(EXIT_AFTER) as StopSignal[]) process.on(name, onSignal);
  return {
    signal: stop.signal,
    exitCode: () => (stop.signal.aborted ? codeOf(stop.signal.reason as StopSignal) : null),
  };
}

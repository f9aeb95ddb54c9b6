/**
 * SIGINT and SIGTERM during an import. The first asks the run to stop at its next safe point: it
 * then publishes what it converted, saves a consistent checkpoint, releases its lock and exits
 * 128 + the signal's number (130, 143). A second one exits at once, after removing this process's
 * temp files and releasing its locks: every file on disk is then still whole (files are only ever
 * renamed into place), and the next run redoes what was not saved.
 */
import { constants } from 'node:os';
import { releaseHeldLocks } from '../importer/lock.js';
import { discardLiveTemps } from '../writer/atomic-file.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface StopOnSignals {
  /** Aborted, with the signal's name as reason, by the first signal. */
  signal: AbortSignal;
  /** 128 + the number of the signal received, or null when none was. */
  exitCode(): number | null;
}

export function stopOnSignals(): StopOnSignals {
  const stop = new AbortController();
  const codeOf = (name: NodeJS.Signals) => 128 + constants.signals[name];
  const onSignal = (name: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      stop.abort(name);
      return;
    }
    discardLiveTemps();
    releaseHeldLocks();
    process.exit(codeOf(stop.signal.reason as NodeJS.Signals));
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: stop.signal,
    exitCode: () => (stop.signal.aborted ? codeOf(stop.signal.reason as NodeJS.Signals) : null),
  };
}

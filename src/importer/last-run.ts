/**
 * The record of the last runs, `last_run.json` in the logs dir: per provider, when a run last
 * scanned its sources and which sources failed then. `doctor` reads it to show failures and to
 * compare the time since the last import with the provider's retention window. It is a small file
 * of its own, written by every run, so that a run that changed nothing never rewrites the state.
 * Older versions kept it in the state (`last_run`): that record is read until this file exists.
 */
import { readFileSync } from 'node:fs';
import { lastRunPath } from '../archive/layout.js';
import { errorMessage } from '../errors.js';
import { MAX_RECORDED_FAILURES, isLastRuns } from '../model/state-check.js';
import type { BackfillState, ProviderRun } from '../model/state.js';
import { writeWholeFile } from '../writer/atomic-file.js';

/** Per provider id, its last run. */
export type LastRuns = Record<string, ProviderRun>;

/** The record in the logs dir, else the one an older state holds; an unreadable file counts as none. */
export function readLastRuns(logsDir: string, state: BackfillState | null): LastRuns {
  try {
    const raw: unknown = JSON.parse(readFileSync(lastRunPath(logsDir), 'utf8'));
    if (isLastRuns(raw)) return raw;
  } catch {
    // missing or damaged: the next run writes it again
  }
  return { ...(state?.last_run ?? {}) };
}

/** `previous` with the providers a run scanned set to this run, finished `now`. */
export function nextLastRuns(
  previous: LastRuns,
  providers: Iterable<string>,
  errors: readonly { provider: string; path: string; message: string }[],
  now: Date,
): LastRuns {
  const next: LastRuns = { ...previous };
  for (const provider of providers) {
    const failures = errors
      .filter((e) => e.provider === provider)
      .map(({ path, message }) => ({ path, message }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    next[provider] = {
      finished_at: now.toISOString(),
      failed_count: failures.length,
      failed: failures.slice(0, MAX_RECORDED_FAILURES),
    };
  }
  return Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Saves the record, every run, without an fsync (a run that changed nothing would wait for the
 * disk; a crash that takes the record back costs only what `doctor` shows of that run). A failure
 * (a full disk) is a warning: the archive and state are complete, and `doctor` shows the run
 * before this one.
 */
export async function writeLastRuns(logsDir: string, runs: LastRuns): Promise<string | null> {
  const path = lastRunPath(logsDir);
  try {
    await writeWholeFile(path, `${JSON.stringify(runs, null, 2)}\n`, false);
    return null;
  } catch (err) {
    return `${path} cannot be written (${errorMessage(err)}): doctor shows the run before this one`;
  }
}

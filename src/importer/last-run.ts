/**
 * The `last_run` record of the state: per provider, when a run last scanned its sources and which
 * sources failed then. `doctor` reads it to show failures and to compare the time since the last
 * import with the provider's retention window. A run that changed nothing rewrites the state only
 * when the failures changed or the record is older than REFRESH_MS, so cron runs stay cheap.
 */
import { MAX_RECORDED_FAILURES } from '../model/state-check.js';
import type { BackfillState, ProviderRun } from '../model/state.js';

export const REFRESH_MS = 3600_000;

/** Updates `state.last_run` for the providers a run scanned; true when the state must be saved. */
export function recordLastRun(
  state: BackfillState,
  providers: Iterable<string>,
  errors: readonly { provider: string; path: string; message: string }[],
  now: Date,
): boolean {
  const record = (state.last_run ??= {});
  let changed = false;
  for (const provider of providers) {
    const failures = errors
      .filter((e) => e.provider === provider)
      .map(({ path, message }) => ({ path, message }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const next: ProviderRun = {
      finished_at: now.toISOString(),
      failed_count: failures.length,
      failed: failures.slice(0, MAX_RECORDED_FAILURES),
    };
    const previous = record[provider];
    const stale = previous === undefined || now.getTime() - Date.parse(previous.finished_at) >= REFRESH_MS;
    const sameFailures =
      previous !== undefined &&
      previous.failed_count === next.failed_count &&
      JSON.stringify(previous.failed) === JSON.stringify(next.failed);
    if (stale || !sameFailures) changed = true;
    record[provider] = next;
  }
  return changed;
}

/**
 * `import-logs doctor`: per provider, where its files are and what chose that place, what was
 * found and imported, what failed and why, and whether the provider deletes history faster than
 * it is imported. Reads stats, index files and the state; never a transcript; writes nothing.
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { Adapter, HomeEnvironment } from '../../adapters/types.js';
import { readLogsIndex } from '../archive/read.js';
import { CliError, EXIT, errorMessage } from '../errors.js';
import { resolveLocations, type Locations } from '../importer/locations.js';
import { lockHolder } from '../importer/lock.js';
import { looseModeWarning, looseModes, ownedPaths } from '../importer/modes.js';
import { planImport } from '../importer/plan.js';
import type { ProviderSummary } from '../model/reports.js';
import { REDACTION_RULES_VERSION, recordedRedaction, redactionOf } from '../importer/redaction.js';
import { statePath } from '../archive/layout.js';
import { loadState } from '../archive/state-file.js';
import { readLastRuns, type LastRuns } from '../importer/last-run.js';
import { driftWarning, versionDrift } from '../importer/version-drift.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import type { DoctorProvider, DoctorReport } from '../model/reports.js';
import type { BackfillState } from '../model/state.js';
import { emptyState } from '../model/state-check.js';
import { formatDoctor } from './doctor-format.js';
import { homeFlagValues, selectAdapters } from './select-adapters.js';

export interface DoctorArgs {
  root?: string | undefined;
  store?: string | undefined;
  out?: string | undefined;
  provider?: string[] | undefined;
  json: boolean;
  [flag: string]: unknown;
}

const DAY_MS = 86400_000;
const MAX_REASONS = 5;

interface StateCheck {
  report: DoctorReport['state'];
  /** Null when the state is unusable (nothing is known about past imports); empty when missing. */
  state: BackfillState | null;
}

async function checkState(logsDir: string): Promise<StateCheck> {
  const path = statePath(logsDir);
  try {
    await stat(path);
  } catch {
    return { report: { path, status: 'missing', message: 'no import into this logs dir yet' }, state: emptyState() };
  }
  try {
    const { state, migratedFrom } = await loadState(path);
    const message =
      migratedFrom === null
        ? null
        : `version ${migratedFrom}: the next import migrates it and converts every session again`;
    return { report: { path, status: 'ok', message }, state };
  } catch (err) {
    return { report: { path, status: 'unusable', message: errorMessage(err) }, state: null };
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) for (const k of key(item)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

async function providerReport(
  adapter: Adapter,
  found: ProviderSummary,
  /** Directories and files discovery could not list or stat. */
  failures: readonly string[],
  planned: boolean,
  sessions: readonly SessionLogIndexEntry[],
  state: BackfillState | null,
  lastRuns: LastRuns,
  environment: HomeEnvironment,
  now: number,
): Promise<DoctorProvider> {
  const mine = sessions.filter((s) => s.provider === adapter.id);
  const newest = mine.reduce<SessionLogIndexEntry | null>(
    (best, s) => (best === null || s.started_at > best.started_at ? s : best),
    null,
  );
  const run = lastRuns[adapter.id];
  const warnings: string[] = [...failures];

  const retention: DoctorProvider['retention'] = [];
  for (const home of found.homes.filter((h) => h.found)) {
    try {
      const r = await adapter.retention?.(home.path, environment);
      if (r) retention.push({ home: home.path, days: r.days, source: r.source });
    } catch (err) {
      warnings.push(`could not read ${adapter.title}'s retention setting in ${home.path}: ${errorMessage(err)}`);
    }
  }
  const shortest = retention.reduce<DoctorProvider['retention'][number] | null>(
    (a, r) => (a === null || r.days < a.days ? r : a),
    null,
  );
  if (shortest !== null && found.sources > 0) {
    const deletes = `${adapter.title} deletes sessions after ${shortest.days} days`;
    const schedule = '(README: "Use it from cron")';
    if (run === undefined) {
      if (state !== null)
        warnings.push(
          `${deletes} and this logs dir has no import of it yet: run \`import-logs\` now, then on a schedule ${schedule}`,
        );
    } else if (now - Date.parse(run.finished_at) > shortest.days * DAY_MS) {
      const days = Math.floor((now - Date.parse(run.finished_at)) / DAY_MS);
      warnings.push(
        `the last import was ${days} days ago, but ${deletes}: some may have been deleted before they were imported; run \`import-logs\` on a schedule ${schedule}`,
      );
    }
  }
  const drift = versionDrift(adapter, mine);
  if (drift) warnings.push(driftWarning(adapter.title, drift));
  if (run && run.failed_count > 0) {
    warnings.push(
      `${run.failed_count} source${run.failed_count === 1 ? '' : 's'} failed in the last import (listed); they are retried on every run`,
    );
  }
  return {
    id: adapter.id,
    title: adapter.title,
    env: adapter.home.env,
    flag: `--${adapter.home.flag}`,
    homes: found.homes,
    sources: found.sources,
    source_bytes: found.source_bytes,
    pending_sources: planned ? found.pending_units : null,
    removed_at_source: found.removed_at_source,
    retained: mine
      .filter((s) => s.retained_events > 0)
      .map((s) => ({ id: s.wrapper_session_id, events: s.retained_events }))
      .sort((a, b) => b.events - a.events || (a.id < b.id ? -1 : 1)),
    sessions: mine.length,
    completeness: {
      full: mine.filter((s) => s.completeness === 'full').length,
      partial: mine.filter((s) => s.completeness === 'partial').length,
      metadata_only: mine.filter((s) => s.completeness === 'metadata_only').length,
    },
    formats: Object.fromEntries(countBy(mine, (s) => [s.format])),
    completeness_reasons: countBy(mine, (s) => s.completeness_reasons)
      .slice(0, MAX_REASONS)
      .map(([reason, n]) => ({ reason, sessions: n })),
    newest_session: newest && { id: newest.wrapper_session_id, started_at: newest.started_at },
    last_import: run?.finished_at ?? null,
    failed_count: run?.failed_count ?? 0,
    failed: run?.failed ?? [],
    retention,
    version_drift: drift,
    warnings,
  };
}

/** The report over `adapters` for the logs dir of `locations` (reads stats, indexes and the state only). */
export async function doctorReport(
  locations: Locations,
  adapters: readonly Adapter[],
  homeFlags: Record<string, string | undefined>,
  environment: HomeEnvironment,
  now: number,
): Promise<DoctorReport> {
  const warnings: string[] = [];
  const { report: stateReport, state } = await checkState(locations.logsDir);
  if (stateReport.status === 'unusable') warnings.push(stateReport.message ?? 'the state file is unusable');
  for (const loose of looseModes(ownedPaths(locations))) {
    const mine = loose.uid === process.getuid?.();
    warnings.push(
      looseModeWarning(
        loose,
        mine
          ? 'the next import makes it so'
          : `it belongs to another user (uid ${loose.uid}), so imports cannot change it`,
      ),
    );
  }
  let sessions: SessionLogIndexEntry[] | null = null;
  try {
    sessions = await readLogsIndex(locations.logsDir);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    warnings.push(err.message);
  }
  // The plan an import would follow; without a usable state, what discovery finds (nothing is known to be pending).
  const planned = state !== null;
  const found = planImport(
    {
      adapters,
      homeFlags,
      environment,
      since: null,
      force: false,
      redactRules: state === null ? 0 : redactionOf(state, undefined),
      logsDir: locations.logsDir,
    },
    state ?? emptyState(),
  );
  warnings.push(...found.warnings);
  const lastRuns = readLastRuns(locations.logsDir, state);
  const providers: DoctorProvider[] = [];
  for (const adapter of adapters) {
    const failures = found.failures.filter((f) => f.provider === adapter.id).map((f) => f.message);
    const p = await providerReport(
      adapter,
      found.providers[adapter.id]!,
      failures,
      planned,
      sessions ?? [],
      state,
      lastRuns,
      environment,
      now,
    );
    providers.push(p);
    warnings.push(...p.warnings.map((w) => `${p.id}: ${w}`));
  }
  const masked = state === null ? 0 : recordedRedaction(state);
  return {
    logs_dir: locations.logsDir,
    store: locations.storeDir,
    state: stateReport,
    redaction:
      state === null
        ? null
        : {
            enabled: masked > 0,
            rules_version: masked > 0 ? masked : null,
            current_rules_version: REDACTION_RULES_VERSION,
          },
    index_sessions: sessions === null ? null : sessions.length,
    import_running: lockHolder(locations.logsDir),
    providers,
    warnings,
  };
}

export async function doctorCommand(args: DoctorArgs): Promise<number> {
  const env = process.env;
  const home = homedir();
  const locations = resolveLocations(args, env, home);
  const now = Date.now();
  const report = await doctorReport(
    locations,
    selectAdapters(args.provider),
    homeFlagValues(args),
    { env, homedir: home },
    now,
  );
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report, now, home));
  if (report.state.status === 'unusable') return EXIT.archive;
  return report.warnings.length > 0 ? EXIT.failed : EXIT.ok;
}

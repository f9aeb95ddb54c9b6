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
import { stateJournalPath, statePath } from '../archive/layout.js';
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
  // A first import killed before it wrote the state file left what it did in the journal.
  const found = await Promise.any([stat(path), stat(stateJournalPath(logsDir))]).catch(() => null);
  if (found === null)
    return { report: { path, status: 'missing', message: 'no import into this logs dir yet' }, state: emptyState() };
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

/** What every provider's report reads besides its own discovery. */
interface ReportContext {
  /** Whether an import plan was made (a usable state): else nothing is known to be pending. */
  planned: boolean;
  sessions: readonly SessionLogIndexEntry[];
  state: BackfillState | null;
  lastRuns: LastRuns;
  environment: HomeEnvironment;
  now: number;
}

type LastRun = NonNullable<BackfillState['last_run']>[string];
type Retention = DoctorProvider['retention'];

/** The retention setting of each home found, and what could not be read. */
async function readRetention(
  adapter: Adapter,
  found: ProviderSummary,
  environment: HomeEnvironment,
): Promise<{ retention: Retention; failures: string[] }> {
  const retention: Retention = [];
  const failures: string[] = [];
  for (const home of found.homes.filter((h) => h.found)) {
    try {
      const r = await adapter.retention?.(home.path, environment);
      if (r) retention.push({ home: home.path, days: r.days, source: r.source });
    } catch (err) {
      failures.push(`could not read ${adapter.title}'s retention setting in ${home.path}: ${errorMessage(err)}`);
    }
  }
  return { retention, failures };
}

/** Sessions the provider deletes before they are imported: no import yet, or the last one too long ago. */
function retentionWarning(
  adapter: Adapter,
  found: ProviderSummary,
  retention: Retention,
  run: LastRun | undefined,
  ctx: ReportContext,
): string | null {
  const shortest = retention.reduce<Retention[number] | null>((a, r) => (a === null || r.days < a.days ? r : a), null);
  if (shortest === null || found.sources === 0) return null;
  const deletes = `${adapter.title} deletes sessions after ${shortest.days} days`;
  const schedule = '(README: "Use it from cron")';
  if (run === undefined) {
    return ctx.state === null
      ? null
      : `${deletes} and this logs dir has no import of it yet: run \`import-logs\` now, then on a schedule ${schedule}`;
  }
  if (ctx.now - Date.parse(run.finished_at) <= shortest.days * DAY_MS) return null;
  const days = Math.floor((ctx.now - Date.parse(run.finished_at)) / DAY_MS);
  return `the last import was ${days} days ago, but ${deletes}: some may have been deleted before they were imported; run \`import-logs\` on a schedule ${schedule}`;
}

/** What the index says of one provider's sessions. */
function archivedSessions(mine: readonly SessionLogIndexEntry[]) {
  const newest = mine.reduce<SessionLogIndexEntry | null>(
    (best, s) => (best === null || s.started_at > best.started_at ? s : best),
    null,
  );
  return {
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
  };
}

async function providerReport(
  adapter: Adapter,
  found: ProviderSummary,
  /** Directories and files discovery could not list or stat. */
  failures: readonly string[],
  ctx: ReportContext,
): Promise<DoctorProvider> {
  const mine = ctx.sessions.filter((s) => s.provider === adapter.id);
  const run = ctx.lastRuns[adapter.id];
  const { retention, failures: retentionFailures } = await readRetention(adapter, found, ctx.environment);
  const drift = versionDrift(adapter, mine);
  const warnings = [
    ...failures,
    ...retentionFailures,
    retentionWarning(adapter, found, retention, run, ctx),
    drift && driftWarning(adapter.title, drift),
    run && run.failed_count > 0
      ? `${run.failed_count} source${run.failed_count === 1 ? '' : 's'} failed in the last import (listed); they are retried on every run`
      : null,
  ].filter((w): w is string => typeof w === 'string');
  return {
    id: adapter.id,
    title: adapter.title,
    env: adapter.home.env,
    flag: `--${adapter.home.flag}`,
    homes: found.homes,
    sources: found.sources,
    source_bytes: found.source_bytes,
    pending_sources: ctx.planned ? found.pending_units : null,
    removed_at_source: found.removed_at_source,
    ...archivedSessions(mine),
    last_import: run?.finished_at ?? null,
    failed_count: run?.failed_count ?? 0,
    failed: run?.failed ?? [],
    retention,
    version_drift: drift,
    warnings,
  };
}

/** An unusable state file, and files of the logs dir others may read. */
function logsDirWarnings(stateReport: DoctorReport['state'], locations: Locations): string[] {
  const warnings: string[] = [];
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
  return warnings;
}

/** The index's sessions; null, and why, when it cannot be read. */
async function readIndex(logsDir: string): Promise<{ sessions: SessionLogIndexEntry[] | null; warnings: string[] }> {
  try {
    return { sessions: await readLogsIndex(logsDir), warnings: [] };
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    return { sessions: null, warnings: [err.message] };
  }
}

function redactionReport(state: BackfillState | null): DoctorReport['redaction'] {
  if (state === null) return null;
  const masked = recordedRedaction(state);
  return {
    enabled: masked > 0,
    rules_version: masked > 0 ? masked : null,
    current_rules_version: REDACTION_RULES_VERSION,
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
  const { report: stateReport, state } = await checkState(locations.logsDir);
  const setupWarnings = logsDirWarnings(stateReport, locations);
  const index = await readIndex(locations.logsDir);
  // The plan an import would follow; without a usable state, what discovery finds (nothing is known to be pending).
  const found = await planImport(
    {
      adapters,
      homeFlags,
      environment,
      since: null,
      force: false,
      redactRules: state === null ? 0 : redactionOf(recordedRedaction(state), undefined),
      logsDir: locations.logsDir,
    },
    state ?? emptyState(),
  );
  const lastRuns = readLastRuns(locations.logsDir, state);
  const ctx: ReportContext = {
    planned: state !== null,
    sessions: index.sessions ?? [],
    state,
    lastRuns,
    environment,
    now,
  };
  const providers: DoctorProvider[] = [];
  for (const adapter of adapters) {
    const failures = found.failures.filter((f) => f.provider === adapter.id).map((f) => f.message);
    providers.push(await providerReport(adapter, found.providers[adapter.id]!, failures, ctx));
  }
  return {
    logs_dir: locations.logsDir,
    store: locations.storeDir,
    state: stateReport,
    redaction: redactionReport(state),
    index_sessions: index.sessions === null ? null : index.sessions.length,
    import_running: lockHolder(locations.logsDir),
    providers,
    warnings: [
      ...setupWarnings,
      ...index.warnings,
      ...found.warnings,
      ...providers.flatMap((p) => p.warnings.map((w) => `${p.id}: ${w}`)),
    ],
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

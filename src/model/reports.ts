/** Machine-readable outputs of the commands (`--json`); their JSON Schemas are in schema/. */
import { z } from 'zod';
import { LogCompleteness } from './events.js';
import { SessionLogIndexEntry } from './index-schema.js';
import { FailedSource } from './state.js';

export const ListedSession = SessionLogIndexEntry.extend({
  logs_dir: z.string().describe('Absolute logs dir of the session; `log_path` is relative to it.'),
}).describe('One line of `import-logs list --json`: an index entry and where it lives.');
export type ListedSession = z.infer<typeof ListedSession>;

const count = z.number().int().nonnegative();

const VersionDrift = z
  .object({
    agent_version: z.string().describe('The newest agent version among those sessions.'),
    tested_version: z.string().describe('The newest agent version the adapter was tested on.'),
    sessions: count,
  })
  .nullable()
  .describe('Sessions written by an agent newer than the adapter was tested on (null: none).');

export const DoctorProvider = z.object({
  id: z.string(),
  title: z.string(),
  env: z.string().describe('Environment variable that names the home.'),
  flag: z.string().describe('Command-line flag that overrides it.'),
  homes: z
    .array(
      z.object({ path: z.string(), via: z.string().describe('`--flag`, `ENV_VAR` or `default`.'), found: z.boolean() }),
    )
    .describe('Every home looked at, in order, and what chose it.'),
  sources: count.describe('Native files found in the homes.'),
  source_bytes: count,
  pending_sources: count
    .nullable()
    .describe('Units of sources new or changed since the last import (null: state unusable).'),
  removed_at_source: count.describe('Archived sessions whose native files are gone.'),
  retained: z
    .array(z.object({ id: z.string(), events: count }))
    .describe(
      'Sessions holding events no copy of their source holds any more (kept from earlier imports), most first.',
    ),
  sessions: count.describe('Sessions of this provider in the logs dir.'),
  completeness: z.record(LogCompleteness, count),
  formats: z.record(z.string(), count).describe('Native format variants of the archived sessions.'),
  completeness_reasons: z
    .array(z.object({ reason: z.string(), sessions: count }))
    .describe('Why sessions are not full: the most common reasons, at most 5.'),
  newest_session: z.object({ id: z.string(), started_at: z.string() }).nullable(),
  last_import: z.string().nullable().describe('When an import last scanned this provider (to the hour).'),
  failed_count: count.describe('Sources that failed in the last import.'),
  failed: z.array(FailedSource),
  retention: z
    .array(z.object({ home: z.string(), days: z.number().nonnegative(), source: z.string() }))
    .describe('How long the provider keeps its own history, per home that says.'),
  version_drift: VersionDrift,
  warnings: z.array(z.string()),
});
export type DoctorProvider = z.infer<typeof DoctorProvider>;

export const DoctorReport = z
  .object({
    logs_dir: z.string(),
    store: z.string().nullable(),
    state: z.object({
      path: z.string(),
      status: z.enum(['ok', 'missing', 'unusable']),
      message: z.string().nullable(),
    }),
    redaction: z
      .object({
        enabled: z
          .boolean()
          .describe('Imports into this logs dir mask secrets (set by `--redact`, kept until `--no-redact`).'),
        rules_version: count
          .nullable()
          .describe('Version of the rules the archive was last masked with (null: never masked).'),
        current_rules_version: count.describe(
          'Version of the rules of this build: an older one is converted again by the next import.',
        ),
      })
      .nullable()
      .describe('Null when the state is unusable.'),
    index_sessions: count.nullable().describe('Sessions in index.json (null: no index yet).'),
    import_running: z.object({ pid: z.number(), host: z.string(), started_at: z.string() }).nullable(),
    providers: z.array(DoctorProvider),
    warnings: z.array(z.string()).describe('Every warning of the report; non-empty means exit code 1.'),
  })
  .describe('`import-logs doctor --json`.');
export type DoctorReport = z.infer<typeof DoctorReport>;

const ProviderRunSummary = z.object({
  homes: z.array(z.object({ path: z.string(), via: z.string(), found: z.boolean() })),
  sources: count,
  source_bytes: count,
  units: count.describe('Sources grouped as the adapter converts them.'),
  unchanged_units: count.describe('Units whose fingerprints matched the state: not read.'),
  pending_units: count.describe('Units to convert (new, changed, or forced).'),
  skipped_since: count.describe('Units left out by --since.'),
  failed_units: count,
  new_sessions: count,
  updated_sessions: count,
  unchanged_sessions: count,
  removed_at_source: count.describe('Archived sessions whose native files are gone (kept).'),
  bytes_to_read: count,
  version_drift: VersionDrift,
});

export const RunSummary = z
  .object({
    logs_dir: z.string(),
    store: z.string().nullable(),
    dry_run: z.boolean(),
    state_migrated_from: z.number().int().nullable(),
    providers: z.record(z.string(), ProviderRunSummary),
    bytes_read: count,
    bytes_written: count,
    duration_ms: count,
    warnings: z.array(z.string()),
    errors: z.array(z.object({ provider: z.string(), path: z.string(), message: z.string() })),
    outside_root: z
      .record(z.string(), count)
      .describe("Sessions this run converted but left out by --root, by workspace ('' when none is recorded)."),
    retained: z
      .array(z.object({ session: z.string(), events: count }))
      .describe('Sessions written by this run that keep events no longer in their source (by id).'),
    exit_code: z.number().int().describe('The exit code of the run (README: exit codes).'),
    message: z
      .string()
      .optional()
      .describe('Why the run stopped before importing anything (exit 75: another import holds the lock).'),
  })
  .describe('`import-logs --json`: what one import did.');
export type RunSummary = z.infer<typeof RunSummary>;

/** What `runImport` returns: the summary without the exit code the CLI decides. */
export type ImportSummary = Omit<RunSummary, 'exit_code' | 'message'>;
export type ProviderSummary = z.infer<typeof ProviderRunSummary>;

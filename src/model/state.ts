/** The versioned import state of one logs dir (`backfill_state.json`). */
import { z } from 'zod';
import { SessionLogIndexEntry } from './index-schema.js';
import { MAX_RECORDED_FAILURES, STATE_VERSION } from './state-check.js';

/** Nanoseconds since the epoch, as a decimal string (beyond what a JSON number holds exactly). */
const Nanoseconds = z.string().regex(/^-?\d+$/);

/** Fields of a source record of version 4 and before (one record per file, by path); migrated to `UnitRecord`. */
export const SourceRecord = z.object({
  size: z.number().int().nonnegative(),
  mtime_ms: z.number(),
  ino: z.number(),
  dev: z.number(),
  mtime_ns: Nanoseconds.optional().describe('mtime in nanoseconds; absent in records written before it was kept.'),
  ctime_ns: Nanoseconds.optional().describe(
    'ctime (status change) in nanoseconds; absent in records written before it was kept.',
  ),
  adapter: z.string().describe('Adapter id that read the file.'),
  adapter_version: z.number().int(),
  unit: z.string().describe('Key of the unit of sources the file was converted in.'),
  sessions: z.array(z.string()).describe('Session keys (`provider:native id`) the unit produced.'),
  redact: z.union([z.boolean(), z.number().int().nonnegative()]).optional(),
});
export type SourceRecord = z.infer<typeof SourceRecord>;

const Count = z.number().int().nonnegative();

/**
 * One file of a unit, as an array (no field name repeated per file): its path below the unit's
 * `dir`, size, inode, device, mtime in nanoseconds, and ctime in nanoseconds when it differs from
 * the mtime. A record kept from before nanosecond times has the mtime in milliseconds instead.
 */
export const FileRecord = z.union([
  z.tuple([z.string(), Count, z.number(), z.number(), Nanoseconds]),
  z.tuple([z.string(), Count, z.number(), z.number(), Nanoseconds, Nanoseconds]),
  z.tuple([z.string(), Count, z.number(), z.number(), z.number()]),
]);
export type FileRecord = z.infer<typeof FileRecord>;

/** A unit of sources as last converted: what change detection needs of it and of each of its files. */
export const UnitRecord = z.object({
  adapter_version: z.number().int().describe('Version of the adapter (named by the unit key) that converted it.'),
  redact: z
    .union([z.boolean(), z.number().int().nonnegative()])
    .optional()
    .describe(
      'Version of the redaction rules the unit was imported with (`--redact`); `true`: version 1, from before rules had versions.',
    ),
  sessions: z.array(z.string()).describe('Session keys (`provider:native id`) the unit produced.'),
  dir: z.string().describe('The directory its files are below, with a final `/`.'),
  files: z.array(FileRecord).describe('Its files, each with its fingerprint.'),
});
export type UnitRecord = z.infer<typeof UnitRecord>;

export const BackfillStateV1 = z.object({
  version: z.literal(1),
  imported_session_keys: z.array(z.string()).default([]),
});

export const FailedSource = z.object({
  path: z.string().describe('Native file the failed unit starts with.'),
  message: z.string().describe('Why it could not be converted.'),
});
export type FailedSource = z.infer<typeof FailedSource>;

export const ProviderRun = z.object({
  finished_at: z.string().describe("When a run last scanned this provider's sources (refreshed at least hourly)."),
  failed_count: z.number().int().nonnegative().describe('Sources that failed in that run.'),
  failed: z.array(FailedSource).describe(`The first ${MAX_RECORDED_FAILURES} failed sources, by path.`),
});
export type ProviderRun = z.infer<typeof ProviderRun>;

export const Redaction = z.object({
  rules_version: z.number().int().positive().describe('Version of the redaction rules in force.'),
});

/**
 * What change detection needs of a session: where its file is and its size as written (another
 * size on disk: damaged, written again), and whether its sources are gone. Its index entry is
 * kept apart (`SessionEntries`): a run that converts nothing never reads it.
 */
export const SessionMark = SessionLogIndexEntry.pick({ log_path: true, log_bytes: true, source_missing: true });
export type SessionMark = z.infer<typeof SessionMark>;

/**
 * Which journal lines a base holds: a compaction writes the bases one generation on, so the lines
 * of the journal it folded in (their generation is the old one) are never folded in again.
 */
const Generation = z.number().int().nonnegative().describe('Lines of the journal of this generation are folded in.');

export const BackfillState = z.object({
  version: z.literal(STATE_VERSION),
  generation: Generation,
  imported_session_keys: z.array(z.string()).describe('Sorted `provider:native id` keys.'),
  units: z.record(z.string(), UnitRecord).describe('Per unit key (`<adapter id>:<key>`): its files and sessions.'),
  sessions: z
    .record(z.string(), SessionMark)
    .describe('Per session key: its file, its size, whether its source is gone.'),
  index_bytes: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .describe('Size of `index.json` as written for these sessions; null: not written since they changed.'),
  last_run: z
    .record(z.string(), ProviderRun)
    .optional()
    .describe('Per provider: the last run that scanned it (read from older states: `last_run.json` holds it now).'),
  redact: Redaction.optional().describe(
    'Set while this logs dir is redacted: every import masks secrets until one is run with `--no-redact`.',
  ),
});
export type BackfillState = z.infer<typeof BackfillState>;

/** `backfill_sessions.json`: the index entry of every session, by session key (index.json is written from these). */
export const SessionEntries = z.object({
  version: z
    .union([z.literal(STATE_VERSION), z.literal(4)])
    .describe('4: written with a version-4 state (the same shape).'),
  generation: Generation.describe(
    'Generation of the state file written with it, for the record: the lines of the state file’s generation are folded in.',
  ),
  sessions: z.record(z.string(), SessionLogIndexEntry),
});
export type SessionEntries = z.infer<typeof SessionEntries>;

/**
 * One line of `backfill_state.journal`: what one checkpoint changed, on the bases of its generation. Units set (null: forgotten),
 * sessions set (whole entries; a session is never forgotten), and the state's two small fields as
 * they are after it.
 */
export const StateChange = z.object({
  generation: Generation,
  units: z.record(z.string(), UnitRecord.nullable()),
  sessions: z.record(z.string(), SessionLogIndexEntry),
  index_bytes: BackfillState.shape.index_bytes,
  redact: Redaction.nullable(),
});
export type StateChange = z.infer<typeof StateChange>;

/** A version-4 state: per source file path its record. */
export const BackfillStateV4 = BackfillState.omit({ units: true }).extend({
  version: z.literal(4),
  sources: z.record(z.string(), SourceRecord),
});

/** A line of the journal of a version-4 state. */
export const StateChangeV4 = StateChange.omit({ units: true }).extend({
  sources: z.record(z.string(), SourceRecord.nullable()),
});
export type StateChangeV4 = z.infer<typeof StateChangeV4>;

/** A version-3 state: the index entries of the sessions in the state file itself. */
export const BackfillStateV3 = z.object({
  version: z.literal(3),
  imported_session_keys: z.array(z.string()),
  sources: z.record(z.string(), SourceRecord),
  sessions: z.record(z.string(), SessionLogIndexEntry),
  last_run: z.record(z.string(), ProviderRun).optional(),
  redact: Redaction.optional(),
});

/** A version-2 state: the same shape, whose entries have no `retained_events` (zod fills 0). */
export const BackfillStateV2 = BackfillStateV3.extend({ version: z.literal(2) });

/**
 * What loading the state needs without zod: its version, its limits, the empty state, and a check
 * that a parsed `backfill_state.json` is exactly what `BackfillState.safeParse` would return for
 * it (same shape, no undeclared keys, keys in the schema's order); the same for the entries file
 * and the lines of the journal. A state that passes is used as
 * it is; anything else goes to the zod schema, which stays the one authority (and says why).
 * test/core/state-check.test.ts keeps the two in step.
 */
import type { BackfillState, ProviderRun, SessionEntries, StateChange } from './state.js';

/**
 * 5: the sources grouped by unit, each file's fingerprint an array (`UnitRecord`): a version-4
 * state (one record per file path) is upgraded as it is read, nothing converted again.
 * 4: the index entries of the sessions apart (`backfill_sessions.json`), the state a journal of
 * changes on a compacted base. A version-3 state is upgraded as it is read (nothing converted
 * again). 3: event lines carry `key`, and index entries `retained_events`: a version-2 state is
 * migrated (its sessions kept, every source converted again).
 */
export const STATE_VERSION = 5;

/** At most this many failed sources are kept per provider (`failed_count` has the total). */
export const MAX_RECORDED_FAILURES = 50;

export function emptyState(): BackfillState {
  return {
    version: STATE_VERSION,
    generation: 0,
    imported_session_keys: [],
    units: {},
    sessions: {},
    index_bytes: null,
  };
}

/** The fields of each object, in the schema's order (test/core/state-check.test.ts compares them with zod's). */
export const STATE_FIELDS = {
  entry: [
    'wrapper_session_id',
    'provider',
    'provider_session_id',
    'log_path',
    'log_bytes',
    'completeness',
    'started_at',
    'ended_at',
    'workspace_path',
    'command',
    'source_paths',
    'backfilled',
    'model',
    'parent_session_id',
    'title',
    'tags',
    'event_count',
    'retained_events',
    'usage',
    'completeness_reasons',
    'format',
    'agent_version',
    'adapter_version',
    'source_missing',
    'imported_at',
  ],
  mark: ['log_path', 'log_bytes', 'source_missing'],
  usage: ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'calls'],
  unit: ['adapter_version', 'redact', 'sessions', 'dir', 'files'],
  failed: ['path', 'message'],
  redaction: ['rules_version'],
  run: ['finished_at', 'failed_count', 'failed'],
  state: ['version', 'generation', 'imported_session_keys', 'units', 'sessions', 'index_bytes', 'last_run', 'redact'],
  entries: ['version', 'generation', 'sessions'],
  change: ['generation', 'units', 'sessions', 'index_bytes', 'redact'],
} as const;

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

const NONE: ReadonlySet<string> = new Set();
const OPTIONAL_ENTRY: ReadonlySet<string> = new Set(['agent_version']);
const OPTIONAL_UNIT: ReadonlySet<string> = new Set(['redact']);
const OPTIONAL_STATE: ReadonlySet<string> = new Set(['last_run', 'redact']);

/**
 * Exactly these keys in this order, the `optional` ones possibly absent: the object zod's
 * (non-loose) object schema would build from it has the same keys in the same order.
 */
function hasKeys(v: Obj, names: readonly string[], optional = NONE): boolean {
  // Walks the keys without listing them in an array: this runs for every record of the state.
  let i = 0;
  for (const key in v) {
    while (i < names.length && names[i] !== key) if (!optional.has(names[i++]!)) return false;
    if (i++ === names.length) return false;
  }
  for (; i < names.length; i++) if (!optional.has(names[i]!)) return false;
  return true;
}

const isNanoseconds = (v: unknown) => typeof v === 'string' && /^-?\d+$/.test(v);

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';

function isStrings(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

function isUsage(v: unknown): boolean {
  return (
    isPlainObject(v) &&
    hasKeys(v, STATE_FIELDS.usage) &&
    isCount(v.input_tokens) &&
    isCount(v.output_tokens) &&
    isCount(v.cache_read_tokens) &&
    isCount(v.cache_creation_tokens) &&
    isCount(v.calls)
  );
}

function isEntry(v: unknown): boolean {
  return (
    isPlainObject(v) &&
    hasKeys(v, STATE_FIELDS.entry, OPTIONAL_ENTRY) &&
    typeof v.wrapper_session_id === 'string' &&
    typeof v.provider === 'string' &&
    isStringOrNull(v.provider_session_id) &&
    typeof v.log_path === 'string' &&
    isCount(v.log_bytes) &&
    (v.completeness === 'full' || v.completeness === 'partial' || v.completeness === 'metadata_only') &&
    typeof v.started_at === 'string' &&
    isStringOrNull(v.ended_at) &&
    isStringOrNull(v.workspace_path) &&
    isStringOrNull(v.command) &&
    isStrings(v.source_paths) &&
    typeof v.backfilled === 'boolean' &&
    isStringOrNull(v.model) &&
    isStringOrNull(v.parent_session_id) &&
    isStringOrNull(v.title) &&
    isStrings(v.tags) &&
    isCount(v.event_count) &&
    isCount(v.retained_events) &&
    isUsage(v.usage) &&
    isStrings(v.completeness_reasons) &&
    typeof v.format === 'string' &&
    (v.agent_version === undefined || typeof v.agent_version === 'string') &&
    Number.isSafeInteger(v.adapter_version) &&
    typeof v.source_missing === 'boolean' &&
    typeof v.imported_at === 'string'
  );
}

/** `[name, size, ino, dev, mtime_ns, ctime_ns?]`, or `[name, size, ino, dev, mtime_ms]`. */
function isFileRecord(v: unknown): boolean {
  if (!Array.isArray(v) || v.length < 5 || v.length > 6) return false;
  if (typeof v[0] !== 'string' || !isCount(v[1]) || !isNumber(v[2]) || !isNumber(v[3])) return false;
  return v.length === 6 ? isNanoseconds(v[4]) && isNanoseconds(v[5]) : isNanoseconds(v[4]) || isNumber(v[4]);
}

function isUnit(v: unknown): boolean {
  if (
    !isPlainObject(v) ||
    !hasKeys(v, STATE_FIELDS.unit, OPTIONAL_UNIT) ||
    !Number.isSafeInteger(v.adapter_version) ||
    !(v.redact === undefined || typeof v.redact === 'boolean' || isCount(v.redact)) ||
    !isStrings(v.sessions) ||
    typeof v.dir !== 'string' ||
    !Array.isArray(v.files)
  )
    return false;
  for (let i = 0; i < v.files.length; i++) if (!isFileRecord(v.files[i])) return false;
  return true;
}

function isFailed(v: unknown): boolean {
  return (
    isPlainObject(v) && hasKeys(v, STATE_FIELDS.failed) && typeof v.path === 'string' && typeof v.message === 'string'
  );
}

function isRun(v: unknown): boolean {
  return (
    isPlainObject(v) &&
    hasKeys(v, STATE_FIELDS.run) &&
    typeof v.finished_at === 'string' &&
    isCount(v.failed_count) &&
    Array.isArray(v.failed) &&
    v.failed.every(isFailed)
  );
}

function isRedaction(v: unknown): boolean {
  return (
    isPlainObject(v) &&
    hasKeys(v, STATE_FIELDS.redaction) &&
    Number.isSafeInteger(v.rules_version) &&
    (v.rules_version as number) > 0
  );
}

function isRecordOf(v: unknown, check: (value: unknown) => boolean): boolean {
  if (!isPlainObject(v)) return false;
  for (const key in v) if (key === '__proto__' || !check(v[key])) return false;
  return true;
}

/** True when `value` is a record of last runs by provider (`last_run.json`). */
export function isLastRuns(value: unknown): value is Record<string, ProviderRun> {
  return isRecordOf(value, isRun);
}

function isMark(v: unknown): boolean {
  return (
    isPlainObject(v) &&
    hasKeys(v, STATE_FIELDS.mark) &&
    typeof v.log_path === 'string' &&
    isCount(v.log_bytes) &&
    typeof v.source_missing === 'boolean'
  );
}

const isIndexBytes = (v: unknown) => v === null || isCount(v);

/** True when `BackfillState.safeParse(value)` would succeed with a value deeply equal to it, key order included. */
export function isExactState(value: unknown): value is BackfillState {
  return (
    isPlainObject(value) &&
    hasKeys(value, STATE_FIELDS.state, OPTIONAL_STATE) &&
    value.version === STATE_VERSION &&
    isCount(value.generation) &&
    isStrings(value.imported_session_keys) &&
    isRecordOf(value.units, isUnit) &&
    isRecordOf(value.sessions, isMark) &&
    isIndexBytes(value.index_bytes) &&
    (value.last_run === undefined || isRecordOf(value.last_run, isRun)) &&
    (value.redact === undefined || isRedaction(value.redact))
  );
}

/** The same for `SessionEntries` (`backfill_sessions.json`). */
export function isExactEntries(value: unknown): value is SessionEntries {
  return (
    isPlainObject(value) &&
    hasKeys(value, STATE_FIELDS.entries) &&
    (value.version === STATE_VERSION || value.version === 4) &&
    isCount(value.generation) &&
    isRecordOf(value.sessions, isEntry)
  );
}

/** The same for `StateChange` (a line of the journal). */
export function isExactChange(value: unknown): value is StateChange {
  return (
    isPlainObject(value) &&
    hasKeys(value, STATE_FIELDS.change) &&
    isCount(value.generation) &&
    isRecordOf(value.units, (v) => v === null || isUnit(v)) &&
    isRecordOf(value.sessions, isEntry) &&
    isIndexBytes(value.index_bytes) &&
    (value.redact === null || isRedaction(value.redact))
  );
}

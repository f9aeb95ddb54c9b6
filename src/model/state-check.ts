/**
 * What loading the state needs without zod: its version, its limits, the empty state, and a check
 * that a parsed `backfill_state.json` is exactly what `BackfillState.safeParse` would return for
 * it (same shape, no undeclared keys, keys in the schema's order). A state that passes is used as
 * it is; anything else goes to the zod schema, which stays the one authority (and says why).
 * test/core/state-check.test.ts keeps the two in step.
 */
import type { BackfillState } from './state.js';

export const STATE_VERSION = 2;

/** At most this many failed sources are kept per provider (`failed_count` has the total). */
export const MAX_RECORDED_FAILURES = 50;

export function emptyState(): BackfillState {
  return { version: STATE_VERSION, imported_session_keys: [], sources: {}, sessions: {} };
}

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isInt: Check = (v) => Number.isSafeInteger(v);
const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isBoolean: Check = (v) => typeof v === 'boolean';
const orNull =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);
const arrayOf =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(check);
const oneOf = (values: readonly unknown[]): Check => {
  const set = new Set(values);
  return (v) => set.has(v);
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * An object with exactly these fields, in this order (`optional` ones may be absent, never
 * undefined): what zod's non-loose object would build from it, key for key.
 */
export function objectOf(fields: readonly (readonly [string, Check, 'optional'?])[]): Check {
  return (v) => {
    if (!isPlainObject(v)) return false;
    const keys = Object.keys(v);
    let k = 0;
    for (const [name, check, optional] of fields) {
      if (keys[k] === name) {
        if (!check(v[name])) return false;
        k++;
      } else if (optional !== 'optional' || Object.hasOwn(v, name)) {
        return false;
      }
    }
    return k === keys.length;
  };
}

const recordOf =
  (check: Check): Check =>
  (v) => {
    if (!isPlainObject(v)) return false;
    for (const key in v) if (key === '__proto__' || !check(v[key])) return false;
    return true;
  };

/** The fields of each object schema, in the schema's order (the test compares them with zod's). */
export const STATE_FIELDS = {
  usage: ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'calls'],
  source: ['size', 'mtime_ms', 'ino', 'dev', 'adapter', 'adapter_version', 'unit', 'sessions', 'redact'],
  failed: ['path', 'message'],
  run: ['finished_at', 'failed_count', 'failed'],
  state: ['version', 'imported_session_keys', 'sources', 'sessions', 'last_run'],
} as const;

export const COMPLETENESS_VALUES = ['full', 'partial', 'metadata_only'] as const;

const usage = objectOf(STATE_FIELDS.usage.map((name) => [name, isCount] as const));

export const sessionEntryFields: readonly (readonly [string, Check])[] = [
  ['wrapper_session_id', isString],
  ['provider', isString],
  ['provider_session_id', orNull(isString)],
  ['log_path', isString],
  ['completeness', oneOf(COMPLETENESS_VALUES)],
  ['started_at', isString],
  ['ended_at', orNull(isString)],
  ['workspace_path', orNull(isString)],
  ['command', orNull(isString)],
  ['source_paths', arrayOf(isString)],
  ['backfilled', isBoolean],
  ['model', orNull(isString)],
  ['parent_session_id', orNull(isString)],
  ['title', orNull(isString)],
  ['tags', arrayOf(isString)],
  ['event_count', isCount],
  ['usage', usage],
  ['completeness_reasons', arrayOf(isString)],
  ['format', isString],
  ['adapter_version', isInt],
  ['source_missing', isBoolean],
  ['imported_at', isString],
];

const sourceRecord = objectOf([
  ['size', isCount],
  ['mtime_ms', isNumber],
  ['ino', isNumber],
  ['dev', isNumber],
  ['adapter', isString],
  ['adapter_version', isInt],
  ['unit', isString],
  ['sessions', arrayOf(isString)],
  ['redact', isBoolean, 'optional'],
]);

const providerRun = objectOf([
  ['finished_at', isString],
  ['failed_count', isCount],
  ['failed', arrayOf(objectOf([['path', isString], ['message', isString]]))],
]);

const isState = objectOf([
  ['version', (v) => v === STATE_VERSION],
  ['imported_session_keys', arrayOf(isString)],
  ['sources', recordOf(sourceRecord)],
  ['sessions', recordOf(objectOf(sessionEntryFields))],
  ['last_run', recordOf(providerRun), 'optional'],
]);

/** True when `BackfillState.safeParse(value)` would succeed with a value deeply equal to it. */
export function isExactState(value: unknown): value is BackfillState {
  return isState(value);
}

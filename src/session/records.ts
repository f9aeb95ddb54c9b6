/** The JSONL reading loop every line-oriented adapter shares: parsed records or parse warnings. */
import { RAW_CAP, capRaw, parseJsonLine } from '../io/json.js';
import { readLines, type Line, type ReadStats } from '../io/lines.js';
import type { EventDraft } from '../model/events.js';
import type { SessionDraft } from './draft.js';

export type ParseWarningDraft = Extract<EventDraft, { type: 'parse_warning' }>;

export type JsonRecord =
  | { ok: true; value: unknown; line: Line; invalidUtf8: boolean }
  | { ok: false; warning: ParseWarningDraft; line: Line };

export const INVALID_UTF8_REASON = 'invalid UTF-8 in the source was replaced with U+FFFD';
export const TORN_LINE_REASON = 'the last line of a source is truncated';

/** A parse_warning that says what was wrong and where: `path:line: what`. */
export function parseWarning(
  path: string,
  line: number | undefined,
  what: string,
  raw?: string,
  ts?: string,
): ParseWarningDraft {
  return {
    type: 'parse_warning',
    message: line === undefined ? `${path}: ${what}` : `${path}:${line}: ${what}`,
    ...(raw !== undefined ? { raw } : {}),
    ...(ts !== undefined ? { ts } : {}),
    completeness: 'partial',
  };
}

/** The `raw` of a warning about a line: its first RAW_CAP bytes, never the whole line decoded. */
export function lineRaw(line: Line): string {
  return capRaw(line.bytes.subarray(0, RAW_CAP).toString('utf8'));
}

/** The `raw` of a warning about a parsed value (an entry of a document): its JSON, capped. */
export function valueRaw(value: unknown): string {
  return capRaw(JSON.stringify(value) ?? String(value));
}

/**
 * How an adapter's table of native record types handles one: mapped by its own rule, kept as a
 * `provider_status` line, or ignored on purpose (with the reason).
 */
export type Handling = 'mapped' | 'status' | { ignored: string };

/**
 * A native record of a type outside the adapter's table: counted on the session (which makes it
 * `partial`, "unknown record type X (N records)") and kept in the archive as a provider_status
 * event holding the record, so nothing is dropped silently.
 */
export function unknownRecord(draft: SessionDraft, type: string, record: unknown, ts?: string): EventDraft {
  draft.skipUnknown(type);
  return {
    type: 'provider_status',
    message: `unknown record type ${type}`,
    data: { record: valueRaw(record) },
    ...(ts !== undefined ? { ts } : {}),
    completeness: 'partial',
  };
}

export function* readJsonRecords(path: string, stats: ReadStats): Generator<JsonRecord, void, undefined> {
  for (const line of readLines(path, stats)) {
    const parsed = parseJsonLine(line);
    if (parsed.ok) yield { ok: true, value: parsed.value, line, invalidUtf8: parsed.invalidUtf8 };
    else yield { ok: false, warning: parseWarning(path, line.lineNo, parsed.error, parsed.raw), line };
  }
}

/** The types a record table ignores on purpose (the rest are mapped or kept as status). */
export function ignoredTypes(table: Readonly<Record<string, Handling>>): ReadonlySet<string> {
  return new Set(Object.keys(table).filter((type) => typeof table[type] === 'object'));
}

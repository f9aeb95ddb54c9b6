/**
 * The relational model of the archive, shared by the local index (SQLite) and the team server
 * (PostgreSQL): one `sessions` row per index entry, one `events` row per event line, one `usage`
 * row per model call. Only the column lists and the row values live here; each engine declares
 * its own types. The JSONL archive stays the source of truth: every row is derived from it.
 */
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import { redactSecrets } from '../writer/redact.js';

/** How much text a copy of the archive holds: none (metadata and usage), redacted, or all of it. */
const CONTENT_MODES = ['none', 'redacted', 'full'] as const;
export type ContentMode = (typeof CONTENT_MODES)[number];

export const SESSION_COLUMNS = [
  'session_id',
  'provider',
  'provider_session_id',
  'parent_session_id',
  'started_at',
  'ended_at',
  'workspace_path',
  'title',
  'model',
  'completeness',
  'event_count',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'usage_calls',
  'format',
  'adapter_version',
  'source_missing',
  'host',
  'logs_dir',
  'content',
  'entry',
] as const;

export const EVENT_COLUMNS = [
  'session_id',
  'seq',
  'key',
  'ts',
  'type',
  'role',
  'tool_name',
  'tool_kind',
  'tool_id',
  'success',
  'text',
  'line',
  'host',
] as const;

export const USAGE_COLUMNS = [
  'session_id',
  'seq',
  'ts',
  'model',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'cache_creation_1h_tokens',
  'total_cost_usd',
  'host',
] as const;

type Value = string | number | boolean | null;
export type Row = Value[];

/** Where a copy of the archive comes from: the machine and the logs dir on it. */
export interface Origin {
  host: string;
  logsDir: string;
  content: ContentMode;
}

export function sessionRow(entry: SessionLogIndexEntry, origin: Origin): Row {
  const { title } = entry;
  return [
    entry.wrapper_session_id,
    entry.provider,
    entry.provider_session_id,
    entry.parent_session_id,
    entry.started_at,
    entry.ended_at,
    entry.workspace_path,
    // A title is the first prompt for most providers: it is text like any other.
    title === null ? null : contentOf(title, origin.content),
    entry.model,
    entry.completeness,
    entry.event_count,
    entry.usage.input_tokens,
    entry.usage.output_tokens,
    entry.usage.cache_read_tokens,
    entry.usage.cache_creation_tokens,
    entry.usage.calls,
    entry.format,
    entry.adapter_version,
    entry.source_missing,
    origin.host,
    origin.logsDir,
    origin.content,
    JSON.stringify(
      origin.content === 'full' ? entry : { ...entry, title: title === null ? null : contentOf(title, origin.content) },
    ),
  ];
}

/** An event line as the archive holds it (only the fields the rows read). */
interface EventLine {
  seq: number;
  key?: string;
  ts: string;
  type: string;
  role?: string;
  tool_name?: string;
  tool_kind?: string;
  tool_id?: string;
  success?: boolean;
  content?: string;
  input?: unknown;
  output?: string;
  error?: string;
  message?: string;
  result?: string;
  model?: string;
  input_tokens?: number;
  output_tokens?: number;
  cache_read_tokens?: number;
  cache_creation_tokens?: number;
  cache_creation_1h_tokens?: number;
  total_cost_usd?: number;
}

/** The searchable text of an event: what was said, typed, run or answered. */
function textOf(e: EventLine): string | null {
  const parts: string[] = [];
  for (const part of [
    e.content,
    e.input === undefined ? undefined : typeof e.input === 'string' ? e.input : JSON.stringify(e.input),
    e.output,
    e.error,
    e.message,
    e.result,
  ]) {
    if (part) parts.push(part);
  }
  // NUL is the one character PostgreSQL's text cannot hold; the line keeps it, escaped.
  return parts.length === 0 ? null : parts.join('\n').replace(/\0/g, '\uFFFD');
}

function contentOf(text: string, mode: ContentMode): string | null {
  return mode === 'none' ? null : mode === 'redacted' ? redactSecrets(text) : text;
}

/** The rows of one event line: its `events` row, and its `usage` row when it is a model call. */
export function eventRows(sessionId: string, lineText: string, origin: Origin): { event: Row; usage: Row | null } {
  const e = JSON.parse(lineText) as EventLine;
  const text = textOf(e);
  const event: Row = [
    sessionId,
    e.seq,
    e.key ?? null,
    e.ts,
    e.type,
    e.role ?? null,
    e.tool_name ?? null,
    e.tool_kind ?? null,
    e.tool_id ?? null,
    e.success ?? null,
    text === null ? null : contentOf(text, origin.content),
    origin.content === 'none' ? null : origin.content === 'redacted' ? redactSecrets(lineText) : lineText,
    origin.host,
  ];
  if (e.type !== 'usage') return { event, usage: null };
  const usage: Row = [
    sessionId,
    e.seq,
    e.ts,
    e.model ?? null,
    e.input_tokens ?? 0,
    e.output_tokens ?? 0,
    e.cache_read_tokens ?? 0,
    e.cache_creation_tokens ?? 0,
    e.cache_creation_1h_tokens ?? 0,
    e.total_cost_usd ?? null,
    origin.host,
  ];
  return { event, usage };
}

/**
 * The normalized event line (agent-log v1). Names and shapes follow the reference model
 * (`LogEventKind`, `AgentLogEvent`); the key order of each object here is the key order written
 * to disk. Optional fields that are absent are omitted from the line, never written as `null`.
 */
import { z } from 'zod';
import { LogCompleteness } from './completeness.js';
import { SessionTrailer } from './index-schema.js';

export { LogCompleteness };

export const LogSourceKind = z
  .enum(['wrapper', 'provider_file', 'provider_log', 'stdout', 'stderr', 'backfill'])
  .describe('Where an event came from; imported events are always `backfill`.');
export type LogSourceKind = z.infer<typeof LogSourceKind>;

export const ToolKind = z
  .enum(['shell', 'file_read', 'file_write', 'file_edit', 'search', 'sub_agent', 'web', 'notebook', 'other'])
  .describe('What a tool does, across providers.');
export type ToolKind = z.infer<typeof ToolKind>;

/**
 * Generic guess from a tool name, for names no adapter table knows. Same precedence as the
 * reference model, plus the common shell names (`exec_command`, `run_shell_command`) it missed.
 */
export function inferToolKind(name: string): ToolKind {
  const lower = name.toLowerCase();
  if (lower.includes('notebook')) return 'notebook';
  if (lower.includes('bash') || lower.includes('shell') || lower === 'exec' || lower.startsWith('exec_'))
    return 'shell';
  if (lower.includes('read') || lower === 'view' || lower === 'cat') return 'file_read';
  if (lower.includes('write')) return 'file_write';
  if (lower.includes('edit') || lower.includes('patch')) return 'file_edit';
  if (lower.includes('grep') || lower.includes('glob') || lower.includes('search') || lower === 'find') return 'search';
  if (lower.includes('agent')) return 'sub_agent';
  if (lower.includes('web') || lower.includes('fetch') || lower.includes('http')) return 'web';
  return 'other';
}

const text = z.string();
const optText = z.string().optional();
const json = z.unknown();
const tokens = z.number().int().nonnegative();

/** One schema per event `type`; the fields after the envelope, in on-disk order. */
export const EventBodies = {
  session_started: z.object({
    command: text.describe('Always `backfill` for imported sessions.'),
    model: optText.describe('Model at the start of the session, when the native file names one.'),
    cwd: optText.describe('Workspace directory of the session.'),
    resumed: z.boolean(),
    backfilled: z.boolean(),
  }),
  user_message: z.object({
    role: text.describe('`user` for a typed prompt; other values name harness-injected text (see README).'),
    content: text,
    message_id: optText,
    data: json.optional().describe('Native extras, e.g. the prompt as the agent expanded it when that differs.'),
  }),
  assistant_message: z.object({ content: text, message_id: optText }),
  reasoning: z.object({ content: text, message_id: optText }),
  tool_call: z.object({
    tool_name: text,
    tool_kind: ToolKind.optional(),
    tool_id: optText,
    input: json.optional(),
  }),
  tool_result: z.object({
    tool_name: optText.describe('Filled from the matching tool_call when the native result omits it.'),
    tool_kind: ToolKind.optional(),
    tool_id: optText,
    success: z.boolean().optional(),
    output: optText,
    error: optText,
    data: json.optional(),
  }),
  permission: z.object({ tool_name: text, description: text, granted: z.boolean() }),
  provider_status: z.object({ message: text, data: json.optional() }),
  stderr: z.object({ message: text }),
  parse_warning: z.object({
    message: text.describe('What could not be understood, with the source path and line.'),
    raw: optText.describe('The native text, capped to a few KB.'),
  }),
  session_cleared: z.object({ old_session_id: optText, new_session_id: optText }),
  session_ended: z.object({
    success: z.boolean(),
    error: optText,
    entry: SessionTrailer.optional().describe(
      "The session's index entry as this file was written: index.json is rebuilt from these when the state file is lost. Absent in files written before it was kept.",
    ),
  }),
  session_result: z.object({ result: text }),
  heartbeat: z.object({ interval_secs: tokens.optional() }),
  usage: z.object({
    input_tokens: tokens.describe('Input tokens not served from cache.'),
    output_tokens: tokens.describe('Output tokens, reasoning included.'),
    cache_read_tokens: tokens.optional(),
    cache_creation_tokens: tokens.optional(),
    cache_creation_1h_tokens: tokens
      .optional()
      .describe(
        'Of `cache_creation_tokens`, those written to a 1-hour cache, priced above the default 5-minute writes. Absent when there were none or the provider does not split its cache writes by lifetime.',
      ),
    total_cost_usd: z.number().nonnegative().optional(),
    model: optText.describe('Model that answered this call, when known.'),
  }),
  user_event: z.object({ level: text, message: text, data: json.optional() }),
  usage_limit_hit: z.object({
    provider: text,
    scope: text,
    reset_at: optText,
    scheduled_resume_at: optText,
    fallback_used: z.boolean(),
    incident_id: text,
    raw: optText,
  }),
  usage_limit_resumed: z.object({ incident_id: text, resume_message: text, attempt: z.number().int() }),
  usage_limit_resume_failed: z.object({ incident_id: text, error: text, attempt: z.number().int() }),
} as const;

export type LogEventKind = keyof typeof EventBodies;
export const LogEventKinds = Object.keys(EventBodies) as LogEventKind[];

/** Event kinds that carry conversation; a session with none of them is `metadata_only`. */
export const CONVERSATION_KINDS: ReadonlySet<LogEventKind> = new Set([
  'user_message',
  'assistant_message',
  'reasoning',
  'tool_call',
  'tool_result',
]);

export const Envelope = z.object({
  seq: z.number().int().positive(),
  key: z
    .string()
    .describe(
      'Stable identity of the event within its session: the same native record gives the same key in every import, so consumers deduplicate by it (never by `seq`). Unique within a session file.',
    ),
  ts: z.string().describe('Native time of the record, UTC, RFC 3339 with milliseconds.'),
  provider: text,
  wrapper_session_id: text,
  provider_session_id: optText,
  source_kind: LogSourceKind,
  completeness: LogCompleteness.describe('Completeness of this event; the session level is in the index.'),
});

/** The body of one event as an adapter produces it, before the writer adds the envelope. */
export type EventBody = {
  [K in LogEventKind]: { type: K } & z.input<(typeof EventBodies)[K]>;
}[LogEventKind];

/** An event as adapters hand it over: native time (or none) and the event's own completeness. */
export type EventDraft = EventBody & {
  ts?: string | undefined;
  completeness?: LogCompleteness | undefined;
  /**
   * Stable identity of the event within its session, derived from the native record so that a
   * re-conversion of a changed source gives the same event the same key: a native id plus the
   * part's index (`<uuid>#<block>`), or the record's ordinal where the format has no id. Unset:
   * the core derives one from the event's content (`src/writer/event-keys.ts`).
   */
  key?: string | undefined;
};

export type AgentLogEvent = EventBody & z.infer<typeof Envelope>;

/** On-disk key order of each kind's fields, read from the schemas so it is written once. */
export const FIELD_ORDER: Readonly<Record<LogEventKind, readonly string[]>> = Object.fromEntries(
  LogEventKinds.map((kind) => [kind, Object.keys(EventBodies[kind].shape)]),
) as unknown as Record<LogEventKind, readonly string[]>;

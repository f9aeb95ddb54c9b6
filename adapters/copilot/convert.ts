/**
 * GitHub Copilot CLI records -> event drafts. One session may be spread over three layouts
 * (legacy JSON, flat JSONL, directory JSONL); `convertSession` reads them oldest first and lets a
 * newer layout own the time it covers (see README.md, "A session in two layouts").
 */
import { parse as parseYaml } from 'yaml';
import type { ConvertContext, ConvertItem, ConvertOutput, SourceFile } from '../types.js';
import { isRecord, parseJsonLine, parseJsonString, readJsonDocument } from '../../src/io/json.js';
import { readLines } from '../../src/io/lines.js';
import { readRegularFile } from '../../src/io/regular-file.js';
import { inferToolKind, type EventDraft, type ToolKind } from '../../src/model/events.js';
import { Batch } from '../../src/session/batch.js';
import { SessionDraft } from '../../src/session/draft.js';
import {
  INVALID_UTF8_REASON,
  lineRaw,
  parseWarning,
  unknownRecord,
  valueRaw,
  type Handling,
} from '../../src/session/records.js';
import { readJsonRecordsRecovering } from '../../src/session/recover.js';
import { RecordIds, keyed } from '../../src/util/ids.js';
import { addNew } from '../../src/util/sets.js';
import { normalizeTimestamp } from '../../src/util/time.js';
import { normalizeUsage, tokenCount, usageMismatch, type UsageDraft } from '../../src/util/usage.js';
import {
  AssistantMessageData,
  ErrorData,
  EventLine,
  InfoData,
  LegacyChatMessage,
  LegacySession,
  LegacyTimelineEntry,
  LegacyToolCall,
  ModelChangeData,
  ModelMetric,
  TokenDetails,
  ReasoningData,
  SessionStartData,
  ShutdownData,
  ToolCompleteData,
  ToolRequest,
  ToolStartData,
  UserMessageData,
  WorkspaceYaml,
} from './schema.js';
import { issueText, parseRecord } from '../../src/util/fast-parse.js';
import { classify } from './layout.js';

/** `format` values this adapter writes, one per layout (README "Homes and sources"). */
const FORMATS = { legacy: 'copilot:legacy-json', flat: 'copilot:jsonl', dir: 'copilot:dir' } as const;

const USAGE_UNAVAILABLE = 'usage unavailable';
const RESTART_MARKER = '{"type":"';
const MAX_SIDECAR_BYTES = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Tools

/** Exact tool table (lower-case names); names it lacks go through `inferToolKind`. */
const TOOL_KINDS: Readonly<Record<string, ToolKind>> = {
  bash: 'shell',
  shell: 'shell',
  powershell: 'shell',
  view: 'file_read',
  read: 'file_read',
  cat: 'file_read',
  create: 'file_write',
  write: 'file_write',
  edit: 'file_edit',
  str_replace: 'file_edit',
  insert: 'file_edit',
  grep: 'search',
  glob: 'search',
  find: 'search',
  search: 'search',
  web_fetch: 'web',
  web_search: 'web',
  task: 'sub_agent',
  subagent: 'sub_agent',
};

/** Name and kind of a tool call. MCP tools are `other`, named `<server>/<tool>`. */
function toolIdentity(
  name: string,
  input: unknown,
  mcpServer?: string,
  mcpTool?: string,
): { name: string; kind: ToolKind } {
  if (mcpServer) return { name: `${mcpServer}/${mcpTool ?? name}`, kind: 'other' };
  const lower = name.toLowerCase();
  // The legacy editor tool says what it does in its `command` argument.
  if (lower === 'str_replace_editor' && isRecord(input) && typeof input.command === 'string') {
    const byCommand = TOOL_KINDS[input.command.toLowerCase()];
    if (byCommand) return { name, kind: byCommand };
  }
  return { name, kind: TOOL_KINDS[lower] ?? inferToolKind(name) };
}

function resultText(result: unknown): string | undefined {
  if (typeof result === 'string') return result;
  if (!isRecord(result)) return undefined;
  if (typeof result.content === 'string') return result.content;
  if (Array.isArray(result.contents)) {
    const texts = result.contents.flatMap((c) => (isRecord(c) && typeof c.text === 'string' ? [c.text] : []));
    if (texts.length > 0) return texts.join('\n');
  }
  return undefined;
}

function errorText(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  if (isRecord(error) && typeof error.message === 'string') return error.message;
  return undefined;
}

function nonEmpty(s: string | undefined | null): s is string {
  return typeof s === 'string' && s.trim() !== '';
}

// ---------------------------------------------------------------------------------------------
// Session state shared by all layouts of one session

class SessionState {
  readonly draft: SessionDraft;
  /** Tool ids that already have their tool_call (exactly one per toolCallId). */
  readonly calls = new Set<string>();
  readonly eventIds = new Set<string>();
  /** Start/resume segments read, and those that ended with token numbers. */
  segments = 0;
  segmentsWithUsage = 0;
  segmentOpen = false;
  segmentHasUsage = false;
  /** Time of the last event kept, and the time from which a newer layout owns the session. */
  lastTs: string | undefined;
  cutoff: string | undefined;
  yamlCwd: string | null = null;
  /** Reasoning texts already emitted since the last assistant message. */
  reasoning = new Set<string>();
  /** Events that passed `keep`. */
  kept = 0;
  /** Tool calls with no result yet, and those of them an `abort` ended (why, when). */
  readonly openCalls = new Set<string>();
  readonly aborted = new Map<string, { why: string; ts: string | undefined }>();
  /** Keys of records that have no id. */
  readonly keys = new RecordIds();

  constructor(id: string, format: string) {
    this.draft = new SessionDraft({ id, format });
  }

  /** The filter every event goes through: newer layouts own their time, one call per tool id. */
  keep(event: EventDraft): boolean {
    const ts = event.ts ?? this.lastTs;
    if (this.cutoff !== undefined && ts !== undefined && ts >= this.cutoff) return false;
    if (event.type === 'tool_call' && event.tool_id !== undefined && !addNew(this.calls, event.tool_id)) return false;
    this.lastTs = ts;
    return true;
  }

  /** Puts the event in the batch if it is kept. */
  emit(event: EventDraft, batch: Batch): void {
    if (!this.keep(event)) return;
    this.kept++;
    // Whole-file warnings come from no record: keyed by their content.
    if (event.key === undefined) event = { ...event, key: this.keys.next(JSON.stringify(event)) };
    if (event.type === 'tool_call' && event.tool_id !== undefined) this.openCalls.add(event.tool_id);
    if (event.type === 'tool_result' && event.tool_id !== undefined) {
      this.openCalls.delete(event.tool_id);
      this.aborted.delete(event.tool_id);
    }
    batch.push({ session: this.draft, event });
  }

  /** An `abort`: the calls still open were ended by it, unless a result still follows in the turn. */
  abort(why: string, ts: string | undefined): void {
    for (const id of this.openCalls) if (!this.aborted.has(id)) this.aborted.set(id, { why, ts });
  }

  /** The aborted turn is over: each call it ended with no result gets a failed one (as Codex's). */
  endAbortedTurn(batch: Batch): void {
    for (const [id, { why, ts }] of [...this.aborted]) {
      this.emit(
        {
          type: 'tool_result',
          tool_id: id,
          success: false,
          error: `aborted (${why}): no result recorded`,
          ts,
          key: `aborted:${id}`,
        },
        batch,
      );
    }
    this.aborted.clear();
  }

  openSegment(): void {
    this.closeSegment();
    this.segments++;
    this.segmentOpen = true;
    this.segmentHasUsage = false;
  }

  closeSegment(): void {
    if (this.segmentOpen && this.segmentHasUsage) this.segmentsWithUsage++;
    this.segmentOpen = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Usage (session.shutdown) and the cross-checks with the provider's own totals

/**
 * One model's tokens of a segment, by what the record carries: `tokenDetails` (1.0.5x+) gives the
 * four parts apart; otherwise `usage.inputTokens` includes both cache reads and cache writes (older
 * builds wrote `cacheWriteTokens: 0`, so for them this is inputTokens − cacheReadTokens).
 */
function shutdownUsage(model: string, metric: ModelMetric): UsageDraft {
  const d = metric.tokenDetails;
  if (d) {
    return normalizeUsage(
      {
        input: d.input?.tokenCount,
        output: d.output?.tokenCount,
        cacheRead: d.cache_read?.tokenCount,
        cacheCreation: d.cache_write?.tokenCount,
        model,
      },
      { inputIncludesCacheRead: false, outputIncludesReasoning: true },
    );
  }
  const u = metric.usage ?? {};
  return normalizeUsage(
    {
      input: u.inputTokens,
      output: u.outputTokens,
      cacheRead: u.cacheReadTokens,
      cacheCreation: u.cacheWriteTokens,
      model,
    },
    { inputIncludesCacheRead: true, inputIncludesCacheCreation: true, outputIncludesReasoning: true },
  );
}

/**
 * The model's `usage` against the usage event made of it: `inputTokens` holds every prompt token
 * (uncached, cache reads, cache writes), so the uncached part it states is what is left of it.
 */
export function metricMismatch(model: string, metric: ModelMetric, usage: UsageDraft): string | null {
  const u = metric.usage;
  if (!u) return null;
  const [input, read, write] = [
    tokenCount(u.inputTokens),
    tokenCount(u.cacheReadTokens),
    tokenCount(u.cacheWriteTokens),
  ];
  const stated = {
    input_tokens: input - read - write,
    cache_read_tokens: read,
    cache_creation_tokens: write,
    output_tokens: tokenCount(u.outputTokens),
  };
  return usageMismatch(`session.shutdown usage of ${model}`, usage, stated);
}

/** The segment's `tokenDetails` (over all models) against the sum of its usage events. */
function totalsMismatch(details: TokenDetails, usages: UsageDraft[]): string | null {
  const sum = (f: (u: UsageDraft) => number | undefined) => usages.reduce((s, u) => s + (f(u) ?? 0), 0);
  const emitted = {
    input_tokens: sum((u) => u.input_tokens),
    cache_read_tokens: sum((u) => u.cache_read_tokens),
    cache_creation_tokens: sum((u) => u.cache_creation_tokens),
    output_tokens: sum((u) => u.output_tokens),
  };
  const stated = {
    input_tokens: tokenCount(details.input?.tokenCount),
    cache_read_tokens: tokenCount(details.cache_read?.tokenCount),
    cache_creation_tokens: tokenCount(details.cache_write?.tokenCount),
    output_tokens: tokenCount(details.output?.tokenCount),
  };
  return usageMismatch('session.shutdown tokenDetails', emitted, stated);
}

// ---------------------------------------------------------------------------------------------
// Event JSONL (flat and directory layouts)

/**
 * Every event type of the JSONL layouts (README "Record types"). `ephemeral: true` lines (streaming
 * and UI events) are never on disk and are dropped before this table; a persisted type that is
 * not in it goes through `unknownRecord()`.
 */
export const RECORD_TYPES: Readonly<Record<string, Handling>> = {
  'session.start': 'mapped',
  'session.resume': 'mapped',
  'session.shutdown': 'mapped',
  'session.model_change': 'mapped',
  'session.info': 'mapped',
  'session.warning': 'mapped',
  'session.error': 'mapped',
  'user.message': 'mapped',
  'assistant.reasoning': 'mapped',
  'assistant.message': 'mapped',
  'tool.execution_start': 'mapped',
  'tool.execution_complete': 'mapped',
  abort: 'mapped',
  'session.mode_changed': 'status',
  'session.permissions_changed': 'status',
  'session.plan_changed': 'status',
  'session.workspace_file_changed': 'status',
  'session.handoff': 'status',
  'session.truncation': 'status',
  'session.usage_checkpoint': 'status',
  'session.context_changed': 'status',
  'session.context_cleared': 'status',
  'session.compaction_start': 'status',
  'session.compaction_complete': 'status',
  'session.task_complete': 'status',
  'session.remote_steerable_changed': 'status',
  'session.autopilot_objective_changed': 'status',
  'session.session_limits_changed': 'status',
  'session.binary_asset': 'status',
  'session.auto_mode_resolved': 'status',
  'session.canvas.recorded': 'status',
  'session.canvas.removed': 'status',
  'tool.user_requested': 'status',
  'tool_search.activated': 'status',
  'skill.invoked': 'status',
  'subagent.started': 'status',
  'subagent.completed': 'status',
  'subagent.failed': 'status',
  'subagent.selected': 'status',
  'subagent.deselected': 'status',
  'hook.start': 'status',
  'hook.end': 'status',
  'system.notification': 'status',
  'permission.requested': 'status',
  'permission.completed': 'status',
  'external_tool.requested': 'status',
  'external_tool.completed': 'status',
  'system.message': { ignored: 'the whole system prompt (15–30 KB), written again on every model change' },
  'assistant.turn_start': { ignored: 'turn marker: the messages of the turn carry its content and times' },
  'assistant.turn_end': { ignored: 'turn marker: the messages of the turn carry its content and times' },
};

/** Entry types of the legacy `timeline` (README "Legacy JSON"). */
export const TIMELINE_TYPES: Readonly<Record<string, Handling>> = {
  user: 'mapped',
  copilot: 'mapped',
  tool_call_completed: 'mapped',
  info: 'status',
  warning: 'status',
  error: 'status',
};

/** Roles of the legacy `chatMessages` (README "Legacy JSON"). */
export const CHAT_ROLES: Readonly<Record<string, Handling>> = {
  user: 'mapped',
  assistant: 'mapped',
  tool: 'mapped',
  system: { ignored: 'the system prompt' },
  developer: { ignored: 'the system prompt' },
};

/** Records after which an aborted turn is over: its calls with no result get a failed one. */
const TURN_OVER = new Set([
  'user.message',
  'assistant.turn_start',
  'session.start',
  'session.resume',
  'session.shutdown',
]);

const FOLDER_TRUST = /^Folder (.+) has been added to trusted folders/;

/** One event line being converted: what each record type's mapper needs. */
interface EventLineContext {
  line: EventLine;
  /** The line as read, kept whole for a type outside the table. */
  raw: unknown;
  state: SessionState;
  /** `path:line`, for warnings. */
  where: () => string;
  ts: string | undefined;
}

/** A `provider_status` holding the line's `data`. */
function status(c: EventLineContext, message: string): EventDraft {
  return { type: 'provider_status', message, ...(c.line.data !== undefined ? { data: c.line.data } : {}), ts: c.ts };
}

/** A warning about a part of the line that does not have the shape its type promises. */
function unexpected(c: EventLineContext, what: string, error: Parameters<typeof issueText>[0]): EventDraft {
  return parseWarning(c.where(), undefined, `unexpected ${what} (${issueText(error)})`, undefined, c.ts);
}

/** The mapper of each `mapped` event type (README "Record types", event line rows). */
export const MAPPERS: Readonly<Record<string, (c: EventLineContext) => EventDraft[]>> = {
  'session.start': sessionStart,
  'session.resume': sessionStart,
  'session.shutdown': sessionShutdown,
  'session.model_change': modelChange,
  'session.info': sessionInfo,
  'session.warning': sessionInfo,
  'session.error': sessionError,
  'user.message': userMessage,
  'assistant.reasoning': assistantReasoning,
  'assistant.message': assistantMessage,
  'tool.execution_start': toolStart,
  'tool.execution_complete': toolComplete,
  abort,
};

/** The events of one event line: its mapper, a status, nothing (ignored), or an unknown record. */
function convertEvent(line: EventLine, raw: unknown, state: SessionState, where: () => string): EventDraft[] {
  const c: EventLineContext = { line, raw, state, where, ts: normalizeTimestamp(line.timestamp) };
  const map = Object.hasOwn(MAPPERS, line.type) ? MAPPERS[line.type] : undefined;
  if (map) return map(c);
  const handling = RECORD_TYPES[line.type];
  if (handling === 'status') return [status(c, line.type)];
  if (handling === undefined) return [unknownRecord(state.draft, line.type, raw, c.ts)];
  return [];
}

function sessionStart(c: EventLineContext): EventDraft[] {
  const { state } = c;
  const draft = state.draft;
  state.openSegment();
  const d = parseRecord(SessionStartData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  const ctx = d.data.context;
  const cwd = nonEmpty(ctx?.cwd) ? ctx.cwd : nonEmpty(ctx?.gitRoot) ? ctx.gitRoot : null;
  if (draft.workspacePath === null) draft.workspacePath = cwd ?? state.yamlCwd;
  draft.noteAgentVersion(d.data.copilotVersion);
  draft.noteModel(d.data.selectedModel);
  return [status(c, c.line.type === 'session.start' ? 'session started' : 'session resumed')];
}

function sessionShutdown(c: EventLineContext): EventDraft[] {
  const { state } = c;
  const draft = state.draft;
  const d = parseRecord(ShutdownData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  const out: EventDraft[] = [status(c, `session shut down (${d.data.shutdownType ?? 'unknown'})`)];
  if (d.data.shutdownType === 'error') {
    draft.success = false;
    draft.error = d.data.errorReason ?? 'the session shut down with an error';
  } else {
    draft.success = true;
    draft.error = null;
  }
  if (d.data.modelMetrics) {
    state.segmentHasUsage = true;
    out.push(...shutdownUsages(c, d.data.modelMetrics, d.data.tokenDetails));
  }
  state.closeSegment();
  return out;
}

/** One usage event per model of `modelMetrics`, each checked against the totals the record states. */
function shutdownUsages(c: EventLineContext, metrics: Record<string, unknown>, tokenDetails: unknown): EventDraft[] {
  const draft = c.state.draft;
  const out: EventDraft[] = [];
  const usages: UsageDraft[] = [];
  for (const [model, metric] of Object.entries(metrics)) {
    const m = parseRecord(ModelMetric, metric);
    if (!m.success) {
      out.push(unexpected(c, `modelMetrics entry for ${model}`, m.error));
      continue;
    }
    const usage = shutdownUsage(model, m.data);
    const mismatch = metricMismatch(model, m.data, usage);
    if (mismatch) draft.addReason(mismatch);
    usages.push(usage);
    out.push({ ...usage, ts: c.ts });
  }
  const details = parseRecord(TokenDetails, tokenDetails);
  const mismatch = details.success ? totalsMismatch(details.data, usages) : null;
  if (mismatch) draft.addReason(mismatch);
  return out;
}

function modelChange(c: EventLineContext): EventDraft[] {
  const d = parseRecord(ModelChangeData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  c.state.draft.noteModel(d.data.newModel);
  return [status(c, d.data.newModel ? `model changed to ${d.data.newModel}` : 'model changed')];
}

function sessionInfo(c: EventLineContext): EventDraft[] {
  const draft = c.state.draft;
  const d = parseRecord(InfoData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  if (draft.workspacePath === null && d.data.infoType === 'folder_trust' && d.data.message) {
    const m = FOLDER_TRUST.exec(d.data.message);
    if (m) draft.workspacePath = m[1]!;
  }
  return [status(c, d.data.message ?? (c.line.type === 'session.info' ? 'session info' : 'session warning'))];
}

function sessionError(c: EventLineContext): EventDraft[] {
  const d = parseRecord(ErrorData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  return [status(c, `error: ${d.data.message ?? d.data.errorType ?? 'unknown'}`)];
}

function userMessage(c: EventLineContext): EventDraft[] {
  const d = parseRecord(UserMessageData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  const { content, transformedContent } = d.data;
  const messageId = c.line.id;
  if (nonEmpty(content)) {
    // What the agent sent after expanding mentions and attachments, when it is not what was typed.
    const expanded =
      nonEmpty(transformedContent) && transformedContent !== content ? { data: { transformedContent } } : {};
    return [{ type: 'user_message', role: 'user', content, message_id: messageId, ...expanded, ts: c.ts }];
  }
  // Not typed by the user: an autopilot continuation (or other harness text) says what was sent.
  if (!nonEmpty(transformedContent)) return [];
  const role = d.data.isAutopilotContinuation || d.data.agentMode === 'autopilot' ? 'autopilot' : 'harness';
  return [{ type: 'user_message', role, content: transformedContent, message_id: messageId, ts: c.ts }];
}

function assistantReasoning(c: EventLineContext): EventDraft[] {
  const d = parseRecord(ReasoningData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  if (!nonEmpty(d.data.content)) return [];
  c.state.reasoning.add(d.data.content);
  return [{ type: 'reasoning', content: d.data.content, message_id: d.data.reasoningId, ts: c.ts }];
}

function assistantMessage(c: EventLineContext): EventDraft[] {
  const { state, ts } = c;
  const d = parseRecord(AssistantMessageData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  const { messageId, content, reasoningText, toolRequests } = d.data;
  state.draft.noteModel(d.data.model);
  const out: EventDraft[] = [];
  if (nonEmpty(reasoningText) && !state.reasoning.has(reasoningText))
    out.push({ type: 'reasoning', content: reasoningText, message_id: messageId, ts });
  state.reasoning.clear();
  if (nonEmpty(content)) out.push({ type: 'assistant_message', content, message_id: messageId, ts });
  for (const [i, raw] of (toolRequests ?? []).entries()) {
    const r = parseRecord(ToolRequest, raw);
    if (!r.success) {
      out.push(unexpected(c, `assistant.message toolRequests[${i}]`, r.error));
      continue;
    }
    const input = parseJsonString(r.data.arguments);
    const tool = toolIdentity(r.data.name, input, r.data.mcpServerName, r.data.mcpToolName);
    out.push({ type: 'tool_call', tool_name: tool.name, tool_kind: tool.kind, tool_id: r.data.toolCallId, input, ts });
  }
  return out;
}

function toolStart(c: EventLineContext): EventDraft[] {
  const d = parseRecord(ToolStartData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  const input = parseJsonString(d.data.arguments);
  const tool = toolIdentity(d.data.toolName, input, d.data.mcpServerName, d.data.mcpToolName);
  return [
    { type: 'tool_call', tool_name: tool.name, tool_kind: tool.kind, tool_id: d.data.toolCallId, input, ts: c.ts },
  ];
}

function toolComplete(c: EventLineContext): EventDraft[] {
  const d = parseRecord(ToolCompleteData, c.line.data ?? {});
  if (!d.success) return [unexpected(c, `${c.line.type} record`, d.error)];
  const { toolCallId, success, result, error } = d.data;
  return [
    {
      type: 'tool_result',
      tool_id: toolCallId,
      success,
      output: resultText(result),
      error: errorText(error),
      ts: c.ts,
    },
  ];
}

function abort(c: EventLineContext): EventDraft[] {
  const data = c.line.data;
  const reason = isRecord(data) && typeof data.reason === 'string' ? data.reason : undefined;
  c.state.abort(reason ?? 'no reason given', c.ts);
  return [status(c, reason ? `aborted (${reason})` : 'aborted')];
}

/** Synchronous (its reads are): yields the batches it fills. */
function* convertJsonl(
  file: SourceFile,
  state: SessionState,
  ctx: ConvertContext,
  batch: Batch,
): Generator<ConvertItem[], void, undefined> {
  let invalidUtf8 = false;
  for (const rec of readJsonRecordsRecovering(file.path, ctx.stats, { restartMarker: RESTART_MARKER })) {
    if (batch.full) yield batch.take();
    batch.read(rec.line.bytes.length);
    if (!rec.ok) {
      state.emit({ ...rec.warning, key: state.keys.next(rec.line.bytes) }, batch);
      continue;
    }
    if (rec.invalidUtf8) invalidUtf8 = true;
    const lineNo = rec.line.lineNo;
    const env = parseRecord(EventLine, rec.value);
    if (!env.success) {
      state.emit(
        {
          ...parseWarning(file.path, lineNo, `not a Copilot event (${issueText(env.error)})`, lineRaw(rec.line)),
          key: state.keys.next(rec.line.bytes),
        },
        batch,
      );
      continue;
    }
    const line = env.data;
    if (line.ephemeral === true) continue;
    // A newer layout of the session owns its time from `cutoff` on: skip before any state changes.
    const ts = normalizeTimestamp(line.timestamp) ?? state.lastTs;
    if (state.cutoff !== undefined && ts !== undefined && ts >= state.cutoff) continue;
    if (line.id !== undefined && !addNew(state.eventIds, line.id)) continue;
    if (TURN_OVER.has(line.type)) state.endAbortedTurn(batch);
    const base = line.id ?? state.keys.next(rec.line.bytes);
    for (const event of keyed(
      convertEvent(line, rec.value, state, () => `${file.path}:${lineNo}`),
      base,
    ))
      state.emit(event, batch);
  }
  state.endAbortedTurn(batch);
  state.closeSegment();
  if (invalidUtf8) state.draft.addReason(INVALID_UTF8_REASON);
}

/** Time of the first record of a JSONL file that has one (reads only the head of the file). */
async function firstTimestamp(path: string): Promise<string | undefined> {
  let n = 0;
  for (const line of readLines(path)) {
    const parsed = parseJsonLine(line);
    if (parsed.ok && isRecord(parsed.value)) {
      const ts = normalizeTimestamp(parsed.value.timestamp);
      if (ts !== undefined) return ts;
    }
    if (++n >= 50) break;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Legacy JSON (history-session-state)

type TimelineEntry = ReturnType<typeof LegacyTimelineEntry.parse>;

/** The events of one timeline entry, keyed by its id (or its content when it has none). */
function timelineEvents(entry: TimelineEntry, raw: unknown, state: SessionState): EventDraft[] {
  return keyed(timelineEntryEvents(entry, raw, state), entry.id ?? state.keys.next(JSON.stringify(raw)));
}

function timelineEntryEvents(entry: TimelineEntry, raw: unknown, state: SessionState): EventDraft[] {
  const ts = normalizeTimestamp(entry.timestamp);
  switch (entry.type) {
    case 'user':
      return nonEmpty(entry.text)
        ? [{ type: 'user_message', role: 'user', content: entry.text, message_id: entry.id, ts }]
        : [];
    case 'copilot':
      return nonEmpty(entry.text) ? [{ type: 'assistant_message', content: entry.text, message_id: entry.id, ts }] : [];
    case 'info':
    case 'warning':
    case 'error':
      return [
        {
          type: 'provider_status',
          message: entry.type === 'info' ? (entry.text ?? 'info') : `${entry.type}: ${entry.text ?? ''}`,
          ts,
        },
      ];
    case 'tool_call_completed': {
      if (!entry.callId || !entry.name) return [];
      const input = parseJsonString(entry.arguments);
      const tool = toolIdentity(entry.name, input);
      const result = isRecord(entry.result) ? entry.result : {};
      const ok = result.type === 'success';
      const log = typeof result.log === 'string' ? result.log : undefined;
      return [
        { type: 'tool_call', tool_name: tool.name, tool_kind: tool.kind, tool_id: entry.callId, input, ts },
        {
          type: 'tool_result',
          tool_id: entry.callId,
          success: ok,
          output: log,
          ...(ok || typeof result.type !== 'string' ? {} : { error: result.type }),
          ts,
        },
      ];
    }
    default:
      return [unknownRecord(state.draft, `timeline:${entry.type}`, raw, ts)];
  }
}

interface ChatItem {
  /** Index of the timeline entry this message was matched to (its time, its clean text). */
  tl: number | undefined;
  events: EventDraft[];
  /** Key of the chat message the events come from. */
  key: string;
}

type ChatMessage = ReturnType<typeof LegacyChatMessage.parse>;

/**
 * The legacy `timeline`, indexed to give chat messages their times: tool calls by call id,
 * assistant texts by equal text, prompts in order. Entries matched to a chat message are `used`.
 */
class LegacyTimeline {
  readonly entries: (TimelineEntry | null)[];
  private readonly byCall = new Map<string, number>();
  private readonly byText = new Map<string, number[]>();
  private readonly users: number[] = [];
  private nextUser = 0;
  private readonly used = new Set<number>();

  constructor(readonly raw: unknown[]) {
    this.entries = raw.map((t) => {
      const r = parseRecord(LegacyTimelineEntry, t);
      return r.success ? r.data : null;
    });
    this.entries.forEach((t, i) => {
      if (!t) return;
      if (t.type === 'tool_call_completed' && t.callId) this.byCall.set(t.callId, i);
      else if (t.type === 'copilot' && t.text !== undefined) {
        const list = this.byText.get(t.text);
        if (list) list.push(i);
        else this.byText.set(t.text, [i]);
      } else if (t.type === 'user') this.users.push(i);
    });
  }

  /** A warning for each entry that is not a timeline entry. */
  warnings(path: string): EventDraft[] {
    return this.entries.flatMap((t, i) =>
      t === null
        ? [parseWarning(path, undefined, `timeline[${i}] is not a timeline entry`, valueRaw(this.raw[i]))]
        : [],
    );
  }

  ts(i: number | undefined): string | undefined {
    return i === undefined ? undefined : normalizeTimestamp(this.entries[i]?.timestamp);
  }

  /** The next prompt of the timeline (the chat's prompts are in the same order). */
  prompt(): number | undefined {
    return this.use(this.users[this.nextUser++]);
  }

  /** The first unmatched assistant text equal to `text`. */
  answer(text: string): number | undefined {
    return this.use(this.byText.get(text)?.shift());
  }

  /** The completed call of this id; `use` when the chat's call stands for it. */
  call(id: string, use: boolean): number | undefined {
    const i = this.byCall.get(id);
    return use ? this.use(i) : i;
  }

  /** Emits the entries from `from` up to `end` that no chat message stands for; returns `end`. */
  unmatched(from: number, end: number, state: SessionState, out: EventDraft[]): number {
    for (let i = from; i < end; i++) {
      const t = this.entries[i];
      if (t && !this.used.has(i)) out.push(...timelineEvents(t, this.raw[i], state));
    }
    return end;
  }

  private use(i: number | undefined): number | undefined {
    if (i !== undefined) this.used.add(i);
    return i;
  }
}

/** One chat message as events, with the timeline entry that gives it its place; the switch is `CHAT_ROLES`. */
function chatItem(
  raw: unknown,
  idx: number,
  timeline: LegacyTimeline,
  path: string,
  state: SessionState,
): ChatItem | null {
  // Chat messages have no id: each is keyed by its content.
  const key = state.keys.next(JSON.stringify(raw));
  const m = parseRecord(LegacyChatMessage, raw);
  if (!m.success) {
    const warning = parseWarning(path, undefined, `chatMessages[${idx}] is not a chat message (${issueText(m.error)})`);
    return { tl: undefined, events: [warning], key };
  }
  const msg = m.data;
  switch (msg.role) {
    case 'user':
      return chatPrompt(msg, timeline, key);
    case 'assistant':
      return chatAnswer(msg, `chatMessages[${idx}]`, timeline, path, key);
    case 'tool':
      return chatToolResult(msg, timeline, key);
    default:
      if (CHAT_ROLES[msg.role] !== undefined) return null;
      return { tl: undefined, events: [unknownRecord(state.draft, `chatMessages role ${msg.role}`, raw)], key };
  }
}

function chatText(msg: ChatMessage): string | undefined {
  return typeof msg.content === 'string' ? msg.content : undefined;
}

/** A prompt: the timeline has it as typed; the chat copy has reminders appended. */
function chatPrompt(msg: ChatMessage, timeline: LegacyTimeline, key: string): ChatItem | null {
  const tl = timeline.prompt();
  const entry = tl !== undefined ? timeline.entries[tl] : undefined;
  const content = nonEmpty(entry?.text) ? entry.text : chatText(msg);
  if (!nonEmpty(content)) return null;
  const id = entry?.id ? { message_id: entry.id } : {};
  return { tl, events: [{ type: 'user_message', role: 'user', content, ...id, ts: timeline.ts(tl) }], key };
}

/** An answer and its tool calls; placed at its text's entry, else at its first call's. */
function chatAnswer(
  msg: ChatMessage,
  where: string,
  timeline: LegacyTimeline,
  path: string,
  key: string,
): ChatItem | null {
  const events: EventDraft[] = [];
  const text = chatText(msg);
  let tl: number | undefined;
  if (nonEmpty(text)) {
    tl = timeline.answer(text);
    const id = tl !== undefined && timeline.entries[tl]?.id ? { message_id: timeline.entries[tl]!.id } : {};
    events.push({ type: 'assistant_message', content: text, ...id, ts: timeline.ts(tl) });
  }
  for (const [i, rawCall] of (msg.tool_calls ?? []).entries()) {
    const c = parseRecord(LegacyToolCall, rawCall);
    if (!c.success) {
      events.push(
        parseWarning(path, undefined, `${where}.tool_calls[${i}] is not a tool call (${issueText(c.error)})`),
      );
      continue;
    }
    const callTl = timeline.call(c.data.id, true);
    tl ??= callTl;
    const input = parseJsonString(c.data.function.arguments);
    const tool = toolIdentity(c.data.function.name, input);
    const ts = timeline.ts(callTl);
    events.push({ type: 'tool_call', tool_name: tool.name, tool_kind: tool.kind, tool_id: c.data.id, input, ts });
  }
  return events.length > 0 ? { tl, events, key } : null;
}

/** A tool message: the result, its success from the completed call of the timeline. */
function chatToolResult(msg: ChatMessage, timeline: LegacyTimeline, key: string): ChatItem {
  const tl = msg.tool_call_id !== undefined ? timeline.call(msg.tool_call_id, false) : undefined;
  const entry = tl !== undefined ? timeline.entries[tl] : undefined;
  const result = isRecord(entry?.result) ? entry.result : undefined;
  const success = typeof result?.type === 'string' ? result.type === 'success' : undefined;
  const event: EventDraft = {
    type: 'tool_result',
    tool_id: msg.tool_call_id,
    ...(success !== undefined ? { success } : {}),
    output: chatText(msg),
    ...(success === false ? { error: String(result!.type) } : {}),
    ts: timeline.ts(tl),
  };
  return { tl, events: [event], key };
}

/**
 * Legacy sessions: `chatMessages` is the conversation; the timeline gives it times and supplies
 * the entries the chat lacks, merged in timeline order. With no chatMessages the timeline alone
 * is the transcript.
 */
function legacyEvents(chat: unknown[], timelineRaw: unknown[], path: string, state: SessionState): EventDraft[] {
  const timeline = new LegacyTimeline(timelineRaw);
  const out = timeline.warnings(path);
  if (chat.length === 0) {
    timeline.unmatched(0, timeline.entries.length, state, out);
    return out;
  }
  const items = chat.flatMap((raw, idx) => chatItem(raw, idx, timeline, path, state) ?? []);
  // Before each chat item, the timeline entries the chat lacks that come before it.
  let flushed = 0;
  for (const item of items) {
    if (item.tl !== undefined && item.tl >= flushed) flushed = timeline.unmatched(flushed, item.tl, state, out);
    out.push(...keyed(item.events, item.key));
  }
  timeline.unmatched(flushed, timeline.entries.length, state, out);
  return out;
}

async function convertLegacy(file: SourceFile, state: SessionState, ctx: ConvertContext): Promise<EventDraft[]> {
  const doc = await readJsonDocument(file.path);
  ctx.stats.bytesRead += doc.bytesRead;
  if (!doc.ok) return [parseWarning(file.path, undefined, doc.error, doc.raw)];
  if (doc.invalidUtf8) state.draft.addReason(INVALID_UTF8_REASON);
  const parsed = parseRecord(LegacySession, doc.value);
  if (!parsed.success)
    return [parseWarning(file.path, undefined, `not a Copilot legacy session (${issueText(parsed.error)})`)];
  const start = normalizeTimestamp(parsed.data.startTime);
  if (start !== undefined && (state.cutoff === undefined || start < state.cutoff)) state.draft.startedAt = start;
  return legacyEvents(parsed.data.chatMessages ?? [], parsed.data.timeline ?? [], file.path, state);
}

// ---------------------------------------------------------------------------------------------
// Sidecars

async function readWorkspaceYaml(
  file: SourceFile,
  ctx: ConvertContext,
): Promise<{ cwd: string | null; title: string | null }> {
  const none = { cwd: null, title: null };
  if (file.size > MAX_SIDECAR_BYTES) {
    ctx.warn(`${file.path}: ${file.size} bytes is too large for a workspace.yaml; ignored`);
    return none;
  }
  let value: unknown;
  try {
    const text = readRegularFile(file.path, MAX_SIDECAR_BYTES).toString('utf8');
    ctx.stats.bytesRead += Buffer.byteLength(text);
    value = parseYaml(text.replace(/\0+$/, ''));
  } catch (err) {
    ctx.warn(
      `${file.path}: unreadable workspace.yaml (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); ignored`,
    );
    return none;
  }
  const y = parseRecord(WorkspaceYaml, value);
  if (!y.success) {
    ctx.warn(`${file.path}: workspace.yaml is not a mapping; ignored`);
    return none;
  }
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : null);
  return { cwd: str(y.data.cwd) ?? str(y.data.git_root), title: str(y.data.name) ?? str(y.data.summary) };
}

// ---------------------------------------------------------------------------------------------
// One session, all its layouts

export async function* convertSession(files: SourceFile[], ctx: ConvertContext): AsyncGenerator<ConvertOutput> {
  let id: string | null = null;
  let legacy: { file: SourceFile; ms: number } | null = null;
  let flat: SourceFile | null = null;
  let dir: SourceFile | null = null;
  let yaml: SourceFile | null = null;
  for (const file of files) {
    const c = classify(file.rel);
    if (!c) continue;
    id ??= c.id;
    if (c.role === 'legacy') {
      if (!legacy || c.ms >= legacy.ms) legacy = { file, ms: c.ms };
    } else if (c.role === 'flat') flat = file;
    else if (c.role === 'dir') dir = file;
    else if (c.role === 'workspace') yaml = file;
  }
  if (id === null) return;
  // Oldest layout first; each is read up to the time the next newer one starts.
  const parts: { kind: keyof typeof FORMATS; file: SourceFile }[] = [];
  if (legacy) parts.push({ kind: 'legacy', file: legacy.file });
  if (flat) parts.push({ kind: 'flat', file: flat });
  if (dir) parts.push({ kind: 'dir', file: dir });
  if (parts.length === 0) return;

  const state = new SessionState(id, FORMATS[parts[parts.length - 1]!.kind]);
  const { draft } = state;
  if (parts.length > 1) draft.tags.push(...parts.map((p) => FORMATS[p.kind]));
  if (yaml) {
    const y = await readWorkspaceYaml(yaml, ctx);
    state.yamlCwd = y.cwd;
    draft.title = y.title;
  }
  const starts = await Promise.all(
    parts.map((p, i) => (i === 0 || p.kind === 'legacy' ? undefined : firstTimestamp(p.file.path))),
  );

  const batch = new Batch();
  for (const [i, part] of parts.entries()) {
    state.cutoff = starts.slice(i + 1).find((s) => s !== undefined);
    if (part.kind === 'legacy') {
      const kept = state.kept;
      for (const event of await convertLegacy(part.file, state, ctx)) {
        if (batch.full) yield batch.take();
        state.emit(event, batch);
      }
      // A legacy segment that contributed events never has token numbers.
      if (state.kept > kept) state.segments++;
    } else {
      yield* convertJsonl(part.file, state, ctx, batch);
    }
  }
  if (draft.workspacePath === null) draft.workspacePath = state.yamlCwd;
  state.closeSegment();
  if (state.segments === 0 || state.segmentsWithUsage < state.segments) draft.addReason(USAGE_UNAVAILABLE);
  if (state.kept === 0) batch.push({ session: draft, end: true });
  if (!batch.empty) yield batch.take();
}

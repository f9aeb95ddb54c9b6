/**
 * Codex CLI native records -> event drafts. One `RolloutSession` follows one rollout file line by
 * line (G1, G2, G2+) or item by item (G0) and turns each record into zero or more events; the
 * README next to this file is the mapping table.
 */
import { basename } from 'node:path';
import type { z } from 'zod';
import type { ConvertContext, ConvertOutput, SourceFile } from '../types.js';
import { isRecord, parseJsonString, readJsonDocument } from '../../src/io/json.js';
import { inferToolKind, type EventDraft, type ToolKind } from '../../src/model/events.js';
import { Batch } from '../../src/session/batch.js';
import { SessionDraft } from '../../src/session/draft.js';
import {
  INVALID_UTF8_REASON,
  TORN_LINE_REASON,
  parseWarning,
  readJsonRecords,
  unknownRecord,
  type JsonRecord,
} from '../../src/session/records.js';
import { RecordIds } from '../../src/util/ids.js';
import { normalizeTimestamp } from '../../src/util/time.js';
import { isEmptyUsage, normalizeUsage, tokenCount, usageMismatch, type TokenCounts } from '../../src/util/usage.js';
import { versionParts } from '../../src/util/version.js';
import {
  Compacted,
  Envelope,
  EventMsg,
  G0Document,
  HistoryEntry,
  ResponseItem,
  SessionMeta,
  TokenInfo,
  TurnContext,
  type TokenUsage,
} from './schema.js';
import { parseRecord } from '../../src/util/fast-parse.js';
import { isZst, rolloutNameId } from './layout.js';
import { isIgnored } from './records.js';
import { classifyRole, roleOfKind } from './roles.js';

/** `format` values this adapter writes: the rollout's generation, or the prompt history (README "Generations"). */
const FORMATS = {
  g0: 'codex:g0',
  g1: 'codex:g1',
  g2: 'codex:g2',
  'g2+': 'codex:g2+',
  history: 'codex:history',
} as const;

/** Codex counts: cached input is part of input, reasoning is part of output. */
const USAGE_SEMANTICS = { inputIncludesCacheRead: true, outputIncludesReasoning: true } as const;

const HISTORY_ONLY_REASON = 'prompt history only';
const ZST_NOTE = 'zstd-compressed rollouts are not read yet (no built-in zstd in Node 20)';

// ---------------------------------------------------------------------------------------------
// File names

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every UUID a file name carries (the session ids a rollout stands for). */
function uuidsInName(path: string): string[] {
  return (basename(path).match(UUID) ?? []).map((u) => u.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Small narrowing helpers

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Texts of a content array (`input_text`, `output_text`, `text`, `summary_text`, `reasoning_text`). */
function texts(content: unknown): string[] {
  if (typeof content === 'string') return content === '' ? [] : [content];
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const part of content) {
    if (isRecord(part) && typeof part.text === 'string') out.push(part.text);
  }
  return out;
}

/** `<image name=[Image #1]>` / `</image>` markers that bracket an attached image. */
const IMAGE_MARKER = /^<\/?image\b[^>]*>$/;
/** `[Image #1]`: where an attached image sits in a prompt's text. */
const IMAGE_PLACEHOLDER = /\[Image #\d+\]/g;

function messageText(content: unknown): string {
  return texts(content)
    .filter((t) => !IMAGE_MARKER.test(t.trim()))
    .join('\n');
}

/** The `content_item_kinds` tags of a message, one per content item, when it has them. */
function contentItemKinds(item: ResponseItem): string[] | undefined {
  const meta = item.internal_chat_message_metadata_passthrough;
  const kinds = isRecord(meta) ? meta.content_item_kinds : undefined;
  if (!Array.isArray(kinds) || !Array.isArray(item.content) || kinds.length !== item.content.length) return undefined;
  return kinds.every((k) => typeof k === 'string') ? (kinds as string[]) : undefined;
}

/** Search results `[{title, url, snippet, …}]` as text: one block per result. */
function searchResults(results: unknown): string | undefined {
  if (!Array.isArray(results)) return undefined;
  const blocks = results.flatMap((r) => {
    if (!isRecord(r)) return [];
    const head = [str(r.title) ?? str(r.domain), str(r.url)].filter((x) => x !== undefined).join(' ');
    const block = [head, str(r.snippet)].filter((x) => x !== undefined && x !== '').join('\n');
    return block === '' ? [] : [block];
  });
  return blocks.length > 0 ? blocks.join('\n\n') : undefined;
}

/** `task_complete.error`: `{message, codex_error_info}` (0.15x), or a bare message. */
function turnError(error: unknown): { message: string; info: unknown } | undefined {
  if (typeof error === 'string') return error === '' ? undefined : { message: error, info: undefined };
  if (!isRecord(error)) return undefined;
  const info = error.codex_error_info ?? undefined;
  return { message: str(error.message) ?? (typeof info === 'string' ? info : 'unknown error'), info };
}

function durationMs(value: unknown): number | undefined {
  if (!isRecord(value)) return undefined;
  const secs = typeof value.secs === 'number' ? value.secs : 0;
  const nanos = typeof value.nanos === 'number' ? value.nanos : 0;
  return Math.round(secs * 1000 + nanos / 1e6);
}

function safe<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> | undefined {
  const r = parseRecord(schema, value);
  return r.success ? r.data : undefined;
}

// ---------------------------------------------------------------------------------------------
// Tool kinds

const TOOL_KINDS: Readonly<Record<string, ToolKind>> = {
  shell: 'shell',
  shell_command: 'shell',
  exec_command: 'shell',
  // Input to a running exec_command session (unified exec).
  write_stdin: 'shell',
  local_shell_call: 'shell',
  apply_patch: 'file_edit',
  read_file: 'file_read',
  view: 'file_read',
  write_file: 'file_write',
  grep: 'search',
  find: 'search',
  search: 'search',
  tool_search: 'search',
  web_search: 'web',
  // Reads a resource of an MCP server, not a file.
  read_mcp_resource: 'other',
};

function toolKind(name: string): ToolKind {
  return TOOL_KINDS[name] ?? inferToolKind(name);
}

// ---------------------------------------------------------------------------------------------
// Event keys

/** Lines up to this many bytes are hashed whole; longer ones by their head, tail and length. */
const HASHED_BYTES = 4096;

/**
 * `EventDraft.key` of the events of one native line: `o<ordinal>` where the line has one
 * (paginated rollouts), else the line's `RecordIds` id (`h<hash>.<n>`, n counting identical
 * lines); `#<i>` numbers the events made from the line. Never the line number: history.jsonl is
 * trimmed from the front, and rollouts grow.
 */
class LineKeys {
  private readonly ids = new RecordIds();
  /** Occurrences per ordinal (a copied or redacted file can repeat one). */
  private readonly ordinals = new Map<number, number>();

  of(ordinal: unknown, content: Uint8Array | string): string {
    if (typeof ordinal === 'number' && Number.isSafeInteger(ordinal) && ordinal >= 0) {
      const n = this.ordinals.get(ordinal) ?? 0;
      this.ordinals.set(ordinal, n + 1);
      return n === 0 ? `o${ordinal}` : `o${ordinal}.${n}`;
    }
    return this.ids.next(typeof content === 'string' ? content : hashed(content));
  }

  /** Sets the key of each event made from one line (events that have one keep it). */
  static assign(events: readonly EventDraft[], base: string): void {
    for (let i = 0; i < events.length; i++) events[i]!.key ??= `${base}#${i}`;
  }
}

/**
 * What is hashed of a line's bytes: all of them, or for a long line (a tool output) its length and
 * first and last 2 KiB, which tell lines apart as well (each starts with its own timestamp) at a
 * bounded cost: hashing whole outputs cost as much as parsing them.
 */
function hashed(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength <= HASHED_BYTES) return bytes;
  const half = HASHED_BYTES / 2;
  return Buffer.concat([
    Buffer.from(`${bytes.byteLength}:`),
    bytes.subarray(0, half),
    bytes.subarray(bytes.byteLength - half),
  ]);
}

/** 2026 envelope types: a rollout that has one is `codex:g2+`. */
const G2_PLUS_TYPES = new Set([
  'world_state',
  'inter_agent_communication',
  'inter_agent_communication_metadata',
  'token_usage_record',
  'security_risk_score',
  'retained_context',
  'realtime_item',
]);

/** A G2 line: `{timestamp, type, payload}`. */
type Envelope = z.infer<typeof Envelope>;

/** Where a line is, for its warnings. */
interface LineAt {
  path: string;
  lineNo: number;
}

/** The tool names a `tool_search_output` lists. */
function toolNames(tools: unknown): string[] {
  return Array.isArray(tools) ? tools.flatMap((t) => (isRecord(t) && typeof t.name === 'string' ? [t.name] : [])) : [];
}

/** A `compacted` line: a status, with the summary the model was given instead of the history. */
function compactedEvent(payload: unknown, ts: string | undefined): EventDraft {
  const c = safe(Compacted, payload);
  const summary = c ? str(c.message) : undefined;
  return { type: 'provider_status', message: 'context compacted', ...(summary ? { data: { summary } } : {}), ts };
}

/** What an `event_msg` end event adds to the tool_result of its call. */
interface CallOutcome {
  success?: boolean;
  data: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// One rollout session

type Generation = Exclude<keyof typeof FORMATS, 'history'>;

class RolloutSession {
  readonly draft: SessionDraft;
  private model: string | undefined;
  /** Prompt texts seen from one source and not yet from the other (each prompt is written twice). */
  private readonly promptsFromItems = new Map<string, number>();
  private readonly promptsFromEvents = new Map<string, number>();
  /** Calls without an output yet, in call order. */
  private readonly openCalls = new Set<string>();
  private readonly outcomes = new Map<string, CallOutcome>();
  /** Open calls of a turn that was aborted: why and when, for the missing-output result. */
  private readonly aborted = new Map<string, { why: string; ts: string | undefined }>();
  private lastTotal: number | undefined;
  private lastTotalUsage: TokenUsage | undefined;
  /** Cross-check of usage: what Codex's cumulative totals say was used (its counts), and what was emitted. */
  private readonly totalsSay: Counts = { input: 0, cached: 0, cacheWrite: 0, output: 0 };
  private readonly emitted = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_creation_tokens: 0,
  } satisfies TokenCounts;
  private sawTotals = false;
  /** Web search ids seen as a `web_search_call` item, and as an end event: each search once. */
  private readonly webCalls = new Set<string>();
  private readonly webEnds = new Set<string>();
  /** A thread-spawned sub-agent's first prompt is its parent agent's task, not a human's. */
  private spawnPromptPending = false;
  /** The error of the last turn, when it failed (`task_complete.error`); cleared by a later turn. */
  private lastTurnError: string | null = null;
  /** While replaying a parent's history: the UTC second the replay was written in. */
  private replaySecond: string | null = null;
  private metaCount = 0;

  constructor(path: string, id: string, generation: Generation) {
    this.draft = new SessionDraft({ id, format: FORMATS[generation] });
    this.draft.sourcePaths = [path];
  }

  setGeneration(generation: Generation): void {
    this.draft.format = FORMATS[generation];
  }

  /** Reads a session_meta payload; the first one names the session, later ones start a replay. */
  meta(meta: Partial<SessionMeta>, ts: string | undefined): void {
    this.metaCount++;
    if (this.metaCount === 1) {
      this.draft.startedAt = normalizeTimestamp(meta.timestamp) ?? this.draft.startedAt;
      if (meta.cwd) this.draft.workspacePath = meta.cwd;
      this.noteVersion(meta.cli_version);
      this.parentage(meta);
      return;
    }
    if (!meta.id || meta.id === this.draft.id) {
      this.noteVersion(meta.cli_version); // the same session's meta again (resume, maybe by a newer build)
      return;
    }
    // A parent's meta inside this file: what follows is the parent's history, copied at spawn time.
    if (this.draft.tags.length > 0) this.draft.parentId ??= meta.id;
    if (ts === undefined) {
      this.draft.addReason('replayed parent history has no timestamps: it could not be told apart');
      return;
    }
    this.replaySecond = ts.slice(0, 19);
  }

  /** A `cli_version` that is a version (redacted samples have placeholders there). */
  private noteVersion(version: string | null | undefined): void {
    if (version && versionParts(version) !== null) this.draft.noteAgentVersion(version);
  }

  private parentage(meta: Partial<SessionMeta>): void {
    const source = meta.source;
    const tags = this.draft.tags;
    let parent = str(meta.parent_thread_id) ?? null;
    if (isRecord(source) && 'subagent' in source) {
      const sub = source.subagent;
      tags.push('subagent');
      if (typeof sub === 'string') tags.push(`subagent:${sub}`);
      else if (isRecord(sub)) {
        const kind = Object.keys(sub)[0];
        if (kind) tags.push(`subagent:${kind}`);
        const spawn = sub.thread_spawn;
        if (isRecord(spawn)) {
          parent ??= str(spawn.parent_thread_id) ?? null;
          this.spawnPromptPending = true;
        }
      }
    } else if (meta.thread_source === 'subagent') {
      // 0.15x: a child names its parent at the top level (`parent_thread_id`), not in `source`.
      tags.push('subagent');
      this.spawnPromptPending = true;
    }
    if (meta.forked_from_id) {
      tags.push('fork');
      parent ??= meta.forked_from_id;
    }
    if (parent && parent !== this.draft.id) this.draft.parentId = parent;
  }

  /** True while the lines are a replay of the parent's history (same write second as its meta). */
  inReplay(ts: string | undefined): boolean {
    if (this.replaySecond === null) return false;
    if (ts !== undefined && ts.slice(0, 19) === this.replaySecond) return true;
    this.replaySecond = null;
    return false;
  }

  turnContext(payload: unknown): void {
    const tc = safe(TurnContext, payload);
    if (!tc) return;
    if (tc.model) {
      this.model = tc.model;
      this.draft.noteModel(tc.model);
    }
    if (this.draft.workspacePath === null && tc.cwd) this.draft.workspacePath = tc.cwd;
  }

  /** Records a prompt from one source; false when the other source already gave it. */
  private firstCopy(text: string, fromItem: boolean): boolean {
    const other = fromItem ? this.promptsFromEvents : this.promptsFromItems;
    const mine = fromItem ? this.promptsFromItems : this.promptsFromEvents;
    // The two copies place an image's `[Image #1]` placeholder differently.
    const key = text.replace(IMAGE_PLACEHOLDER, '').replace(/\s+/g, ' ').trim();
    const n = other.get(key);
    if (n !== undefined) {
      if (n <= 1) other.delete(key);
      else other.set(key, n - 1);
      return false;
    }
    mine.set(key, (mine.get(key) ?? 0) + 1);
    return true;
  }

  /** A user-side text; `kindRole` is the role its `content_item_kinds` tag gives, when it has one. */
  private userText(
    nativeRole: string,
    text: string,
    fromItem: boolean,
    ts: string | undefined,
    messageId: string | undefined,
    out: EventDraft[],
    kindRole?: string,
  ): void {
    if (text.trim() === '') return;
    if (!fromItem || nativeRole === 'user') {
      if (!this.firstCopy(text, fromItem)) return;
    }
    let role = kindRole ?? classifyRole(nativeRole, text);
    if (role === 'user' && this.spawnPromptPending) {
      role = 'agent';
      this.spawnPromptPending = false;
    }
    if (role === 'environment_context' && this.draft.workspacePath === null) {
      const cwd = /<cwd>([^<]+)<\/cwd>/.exec(text)?.[1]?.trim();
      if (cwd) this.draft.workspacePath = cwd;
    }
    out.push({ type: 'user_message', role, content: text, ...(messageId ? { message_id: messageId } : {}), ts });
  }

  /** One Responses item (G0, G1 bare lines, G2 `response_item` payloads). */
  responseItem(payload: unknown, ts: string | undefined, out: EventDraft[]): void {
    const item = safe(ResponseItem, payload);
    if (!item) {
      out.push(unknownRecord(this.draft, 'response_item:(not an object)', payload, ts));
      return;
    }
    const id = str(item.id);
    const type = item.type ?? (item.role ? 'chat_message' : undefined);
    switch (type) {
      case 'message':
      case 'chat_message':
        this.message(item, ts, id, out);
        return;
      case 'reasoning':
        this.reasoning(item, ts, id, out);
        return;
      case 'function_call':
        this.call(item.name ?? 'function', parseJsonString(item.arguments), item.call_id ?? id, ts, out);
        return;
      case 'custom_tool_call':
        this.call(item.name ?? 'custom_tool', parseJsonString(item.input), item.call_id ?? id, ts, out);
        return;
      case 'local_shell_call':
        this.call('local_shell_call', item.action, item.call_id ?? id, ts, out);
        return;
      case 'tool_search_call':
        this.call('tool_search', parseJsonString(item.arguments), item.call_id ?? id, ts, out);
        return;
      case 'function_call_output':
      case 'custom_tool_call_output':
      case 'local_shell_call_output':
        this.result(item.call_id ?? undefined, item.output, ts, out);
        return;
      case 'tool_search_output':
        this.result(item.call_id ?? undefined, toolNames(item.tools).join('\n'), ts, out);
        return;
      case 'web_search_call':
        this.webSearchCall(item, id ?? item.call_id ?? undefined, ts, out);
        return;
      case 'image_generation_call': {
        const prompt = str((payload as Record<string, unknown>).revised_prompt);
        this.selfContainedCall(
          'image_generation',
          prompt ? { revised_prompt: prompt } : undefined,
          id,
          item.status,
          ts,
          out,
        );
        return;
      }
      case 'agent_message': {
        const text = messageText(item.content);
        if (text !== '')
          out.push({ type: 'user_message', role: 'agent', content: text, ...(id ? { message_id: id } : {}), ts });
        return;
      }
      default:
        this.other(`response_item:${type ?? '(no type)'}`, payload, ts, out);
    }
  }

  /** A `web_search_call` item, unless its end event came first and was emitted. */
  private webSearchCall(
    item: ResponseItem,
    callId: string | undefined,
    ts: string | undefined,
    out: EventDraft[],
  ): void {
    if (callId !== undefined) {
      if (this.webEnds.has(callId)) return;
      this.webCalls.add(callId);
    }
    this.selfContainedCall('web_search', item.action, callId, item.status, ts, out);
  }

  /** A record the switch does not map: dropped when the table ignores it, else kept as unknown. */
  other(name: string, record: unknown, ts: string | undefined, out: EventDraft[]): void {
    if (!isIgnored(name)) out.push(unknownRecord(this.draft, name, record, ts));
  }

  private message(item: ResponseItem, ts: string | undefined, id: string | undefined, out: EventDraft[]): void {
    const role = item.role ?? 'user';
    if (role === 'assistant') {
      // G0 chat shape: reasoning and tool calls ride on the assistant message.
      const reasoning = str(item.reasoning);
      if (reasoning) out.push({ type: 'reasoning', content: reasoning, ts });
      const text = messageText(item.content);
      if (text.trim() !== '')
        out.push({ type: 'assistant_message', content: text, ...(id ? { message_id: id } : {}), ts });
      if (Array.isArray(item.tool_calls)) {
        for (const call of item.tool_calls) {
          if (!isRecord(call)) continue;
          const fn = isRecord(call.function) ? call.function : {};
          this.call(str(fn.name) ?? 'function', parseJsonString(fn.arguments), str(call.id), ts, out);
        }
      }
      return;
    }
    if (role === 'tool') {
      this.result(item.tool_call_id ?? undefined, item.content, ts, out);
      return;
    }
    const kinds = role === 'user' ? contentItemKinds(item) : undefined;
    if (!kinds) {
      this.userText(role, messageText(item.content), true, ts, id, out);
      return;
    }
    // One user_message per run of content items of the same role (injected context and the
    // prompt can share one message).
    const parts = item.content as unknown[];
    let start = 0;
    let runRole: string | undefined;
    const flush = (end: number) => {
      if (runRole !== undefined)
        this.userText('user', messageText(parts.slice(start, end)), true, ts, id, out, runRole);
      start = end;
    };
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const partRole = roleOfKind(kinds[i]!, isRecord(part) && typeof part.text === 'string' ? part.text : '');
      if (partRole !== runRole) {
        flush(i);
        runRole = partRole;
      }
    }
    flush(parts.length);
  }

  private reasoning(item: ResponseItem, ts: string | undefined, id: string | undefined, out: EventDraft[]): void {
    let text = texts(item.summary).join('\n\n');
    if (text.trim() === '') text = texts(item.content).join('\n\n');
    if (text.trim() === '') {
      if (!str(item.encrypted_content)) return; // an empty reasoning item says nothing
      text = '[encrypted reasoning]';
    }
    out.push({ type: 'reasoning', content: text, ...(id ? { message_id: id } : {}), ts });
  }

  private call(
    name: string,
    input: unknown,
    callId: string | undefined,
    ts: string | undefined,
    out: EventDraft[],
  ): void {
    if (callId) this.openCalls.add(callId);
    out.push({
      type: 'tool_call',
      tool_name: name,
      tool_kind: toolKind(name),
      ...(callId ? { tool_id: callId } : {}),
      ...(input !== undefined && input !== null ? { input } : {}),
      ts,
    });
  }

  /** Items that carry their own outcome (web search, image generation): a call and its result. */
  private selfContainedCall(
    name: string,
    input: unknown,
    id: string | undefined,
    status: string | null | undefined,
    ts: string | undefined,
    out: EventDraft[],
  ): void {
    this.call(name, input, id, ts, out);
    if (!status || !id) return;
    this.openCalls.delete(id);
    out.push({ type: 'tool_result', tool_id: id, success: status === 'completed', data: { status }, ts });
  }

  private result(callId: string | undefined, output: unknown, ts: string | undefined, out: EventDraft[]): void {
    if (callId) {
      this.openCalls.delete(callId);
      this.aborted.delete(callId);
    }
    const outcome = callId ? this.outcomes.get(callId) : undefined;
    if (callId) this.outcomes.delete(callId);
    let text: string | undefined;
    let success: boolean | undefined = outcome?.success;
    let data: Record<string, unknown> | undefined = outcome ? { ...outcome.data } : undefined;
    const parsed = typeof output === 'string' ? parseJsonString(output) : output;
    if (isRecord(parsed) && typeof parsed.output === 'string' && isRecord(parsed.metadata)) {
      // Older shell tools: {"output": "...", "metadata": {"exit_code": 0, "duration_seconds": 0.1}}
      text = parsed.output;
      data = { ...parsed.metadata, ...data };
      if (typeof parsed.metadata.exit_code === 'number') success ??= parsed.metadata.exit_code === 0;
    } else if (isRecord(parsed) && 'content' in parsed) {
      text = texts(parsed.content).join('\n');
      if (typeof parsed.success === 'boolean') success ??= parsed.success;
    } else if (isRecord(parsed) && typeof parsed.text === 'string') {
      text = parsed.text;
    } else if (typeof output === 'string') {
      text = output;
    } else if (Array.isArray(output)) {
      text = texts(output).join('\n');
    }
    out.push({
      type: 'tool_result',
      ...(callId ? { tool_id: callId } : {}),
      ...(success !== undefined ? { success } : {}),
      ...(text !== undefined ? { output: text } : {}),
      ...(data !== undefined ? { data } : {}),
      ts,
    });
  }

  /** Marks every call still waiting for its output at the end as having none. */
  closeOpenCalls(out: EventDraft[]): void {
    for (const callId of this.openCalls) {
      const aborted = this.aborted.get(callId);
      const why = aborted ? aborted.why : 'the rollout ends before it';
      out.push({
        type: 'tool_result',
        tool_id: callId,
        success: false,
        error: `no output recorded (${why})`,
        ts: aborted?.ts,
        key: `unanswered:${callId}`,
      });
    }
    this.openCalls.clear();
    this.outcomes.clear();
    this.aborted.clear();
  }

  /** One `event_msg` payload; the switch is the README's `event_msg` rows. */
  eventMsg(payload: unknown, ts: string | undefined, out: EventDraft[]): void {
    const ev = safe(EventMsg, payload);
    if (!ev) {
      const type = isRecord(payload) && typeof payload.type === 'string' ? payload.type : '(no type)';
      out.push(unknownRecord(this.draft, `event_msg:${type}`, payload, ts));
      return;
    }
    switch (ev.type) {
      case 'user_message':
        if (typeof ev.message === 'string') this.userText('user', ev.message, false, ts, undefined, out);
        return;
      case 'token_count':
        return this.tokenCount(ev.info, ts, out);
      case 'web_search_end':
        return this.webSearchEnd(ev.call_id ?? undefined, ev.query, ev.action, ev.results, ts, out);
      case 'item_completed':
        return this.itemCompleted(ev.item, payload, ts, out);
      case 'task_complete':
      case 'turn_complete':
        return this.turnComplete(ev, ts, out);
      case 'exec_command_end':
        return this.execCommandEnd(ev);
      case 'patch_apply_end':
        if (ev.call_id)
          this.outcome(ev.call_id, { ...(typeof ev.success === 'boolean' ? { success: ev.success } : {}), data: {} });
        return;
      case 'mcp_tool_call_end':
        return this.mcpToolCallEnd(ev);
      case 'turn_aborted':
        return this.turnAborted(str(ev.reason) ?? 'unknown reason', ts, out);
      case 'error':
        out.push({ type: 'provider_status', message: `error: ${str(ev.message) ?? 'unknown error'}`, ts });
        return;
      case 'thread_rolled_back':
        out.push({ type: 'provider_status', message: `rolled back ${tokenCount(ev.num_turns)} turn(s)`, ts });
        return;
      case 'entered_review_mode':
        out.push({ type: 'provider_status', message: 'entered review mode', ts });
        return;
      case 'exited_review_mode': {
        const data = ev.review_output != null ? { data: ev.review_output } : {};
        out.push({ type: 'provider_status', message: 'exited review mode', ...data, ts });
        return;
      }
      case 'thread_name_updated':
        if (str(ev.thread_name)) this.draft.title = ev.thread_name as string;
        return;
      default:
        this.other(`event_msg:${ev.type}`, payload, ts, out);
    }
  }

  /** The end of a turn: its error, when it failed, is kept for the session's end. */
  private turnComplete(ev: EventMsg, ts: string | undefined, out: EventDraft[]): void {
    const error = turnError(ev.error);
    this.lastTurnError = error?.message ?? null;
    if (!error) return;
    const data = error.info !== undefined ? { data: { codex_error_info: error.info } } : {};
    out.push({ type: 'provider_status', message: `turn failed: ${error.message}`, ...data, ts });
  }

  private execCommandEnd(ev: EventMsg): void {
    if (!ev.call_id) return;
    const exit = typeof ev.exit_code === 'number' ? ev.exit_code : undefined;
    const ms = durationMs(ev.duration);
    this.outcome(ev.call_id, {
      ...(exit !== undefined ? { success: exit === 0 } : {}),
      data: {
        ...(exit !== undefined ? { exit_code: exit } : {}),
        ...(ms !== undefined ? { duration_ms: ms } : {}),
      },
    });
  }

  private mcpToolCallEnd(ev: EventMsg): void {
    if (!ev.call_id) return;
    const r = ev.result;
    const success = isRecord(r)
      ? 'Err' in r
        ? false
        : isRecord(r.Ok) && typeof r.Ok.isError === 'boolean'
          ? !r.Ok.isError
          : undefined
      : undefined;
    const ms = durationMs(ev.duration);
    this.outcome(ev.call_id, {
      ...(success !== undefined ? { success } : {}),
      data: ms !== undefined ? { duration_ms: ms } : {},
    });
  }

  private turnAborted(reason: string, ts: string | undefined, out: EventDraft[]): void {
    out.push({ type: 'provider_status', message: `turn aborted: ${reason}`, ts });
    // An output may still follow (some builds write "aborted" outputs after this event).
    for (const callId of this.openCalls)
      if (!this.aborted.has(callId)) this.aborted.set(callId, { why: `turn aborted: ${reason}`, ts });
  }

  /** `item_completed`: paginated rollouts write the visible turn items this way. */
  private itemCompleted(item: unknown, payload: unknown, ts: string | undefined, out: EventDraft[]): void {
    const type = isRecord(item) ? (str(item.type) ?? '(no type)') : '(not an object)';
    const it = isRecord(item) ? item : {};
    switch (type) {
      case 'UserMessage': {
        // content: UserInput items (`text`, `image`, `local_image`, `skill`, `mention`, …).
        const text = Array.isArray(it.content)
          ? texts(it.content.filter((c) => isRecord(c) && c.type === 'text')).join('\n')
          : '';
        this.userText('user', text, false, ts, undefined, out);
        return;
      }
      case 'WebSearch':
        this.webSearchEnd(str(it.id), it.query, it.action, it.results, ts, out);
        return;
      case 'Extension':
        if (isRecord(it.action)) {
          this.webSearchEnd(str(it.id), it.query, it.action, it.results, ts, out);
          return;
        }
        break;
      default:
        break;
    }
    this.other(`event_msg:item_completed:${type}`, payload, ts, out);
  }

  /**
   * A web search known from its end (`web_search_end`, a paginated `WebSearch` item): a call and
   * its result. Skipped only when its original, the `web_search_call` item of the same id, is there.
   */
  private webSearchEnd(
    callId: string | undefined,
    query: unknown,
    action: unknown,
    results: unknown,
    ts: string | undefined,
    out: EventDraft[],
  ): void {
    if (callId !== undefined) {
      if (this.webCalls.has(callId) || this.webEnds.has(callId)) return;
      this.webEnds.add(callId);
    }
    const input: Record<string, unknown> = isRecord(action) ? { ...action } : {};
    if (str(query) && !str(input.query)) input.query = query;
    out.push({
      type: 'tool_call',
      tool_name: 'web_search',
      tool_kind: 'web',
      ...(callId ? { tool_id: callId } : {}),
      input,
      ts,
    });
    const found = searchResults(results);
    out.push({
      type: 'tool_result',
      ...(callId ? { tool_id: callId } : {}),
      success: true,
      ...(found ? { output: found } : {}),
      ts,
    });
  }

  private outcome(callId: string, outcome: CallOutcome): void {
    // Only useful while the call's output is still to come (the end event is written first).
    if (this.openCalls.has(callId)) this.outcomes.set(callId, outcome);
  }

  /** token_count: a usage event only when the thread's cumulative total advances (or restarts). */
  tokenCount(rawInfo: unknown, ts: string | undefined, out: EventDraft[], replay = false): void {
    if (rawInfo == null) return; // rate limits only
    const info = safe(TokenInfo, rawInfo);
    if (!info) return;
    const total = info.total_token_usage ?? undefined;
    const last = info.last_token_usage ?? undefined;
    const totalN = total
      ? tokenCount(total.total_tokens) || tokenCount(total.input_tokens) + tokenCount(total.output_tokens)
      : undefined;
    const previous = this.lastTotal;
    const previousUsage = this.lastTotalUsage;
    if (totalN !== undefined) {
      this.lastTotal = totalN;
      this.lastTotalUsage = total;
    }
    if (replay) return;
    if (totalN !== undefined && previous !== undefined && totalN === previous) return; // a repeat
    const grew = previous !== undefined && previousUsage !== undefined && totalN! > previous;
    // What the totals say this event added: their growth. A first or restarted total can include
    // history this file does not hold (a paginated fork's `history_base`, a resumed thread): there
    // the call's own count starts the baseline.
    const said = total ? (grew ? difference(total, previousUsage!) : last ? counts(last) : counts(total)) : undefined;
    const delta = last ? counts(last) : said;
    if (!delta) return;
    const usage = normalizeUsage(
      // Cache writes are part of `input_tokens` too (0.14x `cache_write_input_tokens`).
      {
        input: delta.input - delta.cacheWrite,
        output: delta.output,
        cacheRead: delta.cached,
        cacheCreation: delta.cacheWrite,
        model: this.model,
      },
      USAGE_SEMANTICS,
    );
    if (said) this.sawTotals = true;
    add(this.totalsSay, said ?? delta); // without a total, nothing to check this one against
    this.emitted.input_tokens += usage.input_tokens;
    this.emitted.output_tokens += usage.output_tokens;
    this.emitted.cache_read_tokens += usage.cache_read_tokens ?? 0;
    this.emitted.cache_creation_tokens += usage.cache_creation_tokens ?? 0;
    if (!isEmptyUsage(usage)) out.push({ ...usage, ts });
  }

  /** One G2 envelope line; the switch is the README's envelope rows. */
  envelope(env: Envelope, value: Record<string, unknown>, at: LineAt, out: EventDraft[]): void {
    const ts = normalizeTimestamp(env.timestamp);
    if ('ordinal' in value) this.setGeneration('g2+');
    const replay = this.inReplay(ts);
    switch (env.type) {
      case 'session_meta':
        return this.sessionMeta(env.payload, ts, at, out);
      case 'turn_context':
        if (!replay) this.turnContext(env.payload);
        return;
      case 'response_item':
        if (!replay) this.responseItem(env.payload, ts, out);
        return;
      case 'event_msg':
        if (!replay) return this.eventMsg(env.payload, ts, out);
        // Replayed token counts set the baseline; they are the parent's, not counted again.
        if (isRecord(env.payload) && env.payload.type === 'token_count')
          this.tokenCount(env.payload.info, ts, out, true);
        return;
      case 'compacted':
        if (!replay) out.push(compactedEvent(env.payload, ts));
        return;
      default:
        if (G2_PLUS_TYPES.has(env.type)) this.setGeneration('g2+');
        this.other(env.type, value, ts, out);
    }
  }

  /** A G1 line: a bare Responses item, or a `record_type` state line. */
  bareLine(value: Record<string, unknown>, out: EventDraft[]): void {
    if (value.record_type !== undefined) this.other('record_type', value, undefined, out);
    else if (typeof value.type === 'string' || typeof value.role === 'string') this.responseItem(value, undefined, out);
    else this.other('(no type)', value, undefined, out);
  }

  private sessionMeta(payload: unknown, ts: string | undefined, at: LineAt, out: EventDraft[]): void {
    const meta = safe(SessionMeta, payload);
    if (!meta) {
      out.push(parseWarning(at.path, at.lineNo, 'session_meta payload is not an object', undefined, ts));
      return;
    }
    if (meta.session_id || meta.history_mode) this.setGeneration('g2+');
    this.meta(meta, ts);
  }

  /** After the last record: calls without output, a failed last turn, the usage cross-check. */
  finish(out: EventDraft[]): void {
    this.closeOpenCalls(out);
    if (this.lastTurnError !== null) {
      this.draft.success = false;
      this.draft.error = this.lastTurnError;
    }
    const said = this.totalsSay;
    const stated = {
      input_tokens: said.input - said.cached - said.cacheWrite,
      output_tokens: said.output,
      cache_read_tokens: said.cached,
      cache_creation_tokens: said.cacheWrite,
    };
    const mismatch = this.sawTotals ? usageMismatch("Codex's total_token_usage", this.emitted, stated) : null;
    if (mismatch) this.draft.addReason(mismatch);
  }
}

/** Token counts of one token_count member, as numbers (cached and cache writes are part of input). */
interface Counts {
  input: number;
  cached: number;
  cacheWrite: number;
  output: number;
}

function counts(u: Partial<TokenUsage>): Counts {
  return {
    input: tokenCount(u.input_tokens),
    cached: tokenCount(u.cached_input_tokens),
    cacheWrite: tokenCount(u.cache_write_input_tokens),
    output: tokenCount(u.output_tokens),
  };
}

function difference(now: Partial<TokenUsage>, before: Partial<TokenUsage>): Counts {
  const a = counts(now);
  const b = counts(before);
  return {
    input: a.input - b.input,
    cached: a.cached - b.cached,
    cacheWrite: a.cacheWrite - b.cacheWrite,
    output: a.output - b.output,
  };
}

function add(sum: Counts, c: Counts): void {
  sum.input += c.input;
  sum.cached += c.cached;
  sum.cacheWrite += c.cacheWrite;
  sum.output += c.output;
}

// ---------------------------------------------------------------------------------------------
// Readers (each yields its items in batches: src/session/batch.ts)

/** The end of a session's source: its last events (`finish`) and its end item. */
function closeSession(s: RolloutSession, batch: Batch): void {
  const out: EventDraft[] = [];
  s.finish(out);
  for (const e of out) batch.push({ session: s.draft, event: e });
  batch.push({ session: s.draft, end: true });
}

/** One G1/G2 rollout being read: its generation (from the first line), its session, warnings read before it. */
class RolloutFile {
  readonly batch = new Batch();
  private session: RolloutSession | null = null;
  private generation: Generation | null = null;
  /** Warnings read before the session is known. */
  private readonly pending: EventDraft[] = [];
  /** The events of the line being read. */
  private readonly out: EventDraft[] = [];
  private readonly keys = new LineKeys();
  private torn = false;
  private invalidUtf8 = false;

  constructor(private readonly path: string) {}

  /** One line: the generation's reader, then the line's events keyed and batched. */
  record(rec: JsonRecord): void {
    if (!rec.ok) {
      this.torn ||= rec.line.torn;
      return this.warn(rec.warning, rec.line.bytes);
    }
    this.invalidUtf8 ||= rec.invalidUtf8;
    const value = rec.value;
    if (!isRecord(value)) {
      const warning = parseWarning(this.path, rec.line.lineNo, 'not a JSON object', String(value).slice(0, 200));
      return this.warn(warning, rec.line.bytes);
    }
    const env = 'payload' in value && typeof value.type === 'string' ? safe(Envelope, value) : undefined;
    if (this.generation === null && this.start(value, env)) return;
    const s = this.session!;
    if (this.generation === 'g1') s.bareLine(value, this.out);
    else if (env) s.envelope(env, value, { path: this.path, lineNo: rec.line.lineNo }, this.out);
    else this.out.push(unknownRecord(s.draft, typeof value.type === 'string' ? value.type : '(no type)', value));
    if (this.out.length === 0) return;
    LineKeys.assign(this.out, this.keys.of(value.ordinal, rec.line.bytes));
    for (const e of this.out) this.batch.push({ session: s.draft, event: e });
    this.out.length = 0;
  }

  /** The session, its reasons and last events; null for a file with no line at all. */
  end(): RolloutSession | null {
    let session = this.session;
    if (!session) {
      if (this.pending.length === 0) return null;
      session = this.open(this.fallbackId(), 'g2');
      session.draft.addReason('no session_meta record could be read');
    }
    if (this.torn) session.draft.addReason(TORN_LINE_REASON);
    if (this.invalidUtf8) session.draft.addReason(INVALID_UTF8_REASON);
    closeSession(session, this.batch);
    return session;
  }

  /** The first readable line tells the generation (README "Generations"); true when it was the G1 header. */
  private start(value: Record<string, unknown>, env: Envelope | undefined): boolean {
    if (env) {
      const meta = env.type === 'session_meta' ? safe(SessionMeta, env.payload) : undefined;
      this.open(meta?.id ?? this.fallbackId(), 'g2');
      return false;
    }
    if (value.type === undefined && value.record_type === undefined) {
      // G1 first line: {id, timestamp, instructions, git?}
      this.open(str(value.id) ?? this.fallbackId(), 'g1').meta(safe(SessionMeta, value) ?? {}, undefined);
      return true;
    }
    this.open(this.fallbackId(), 'g1');
    return false;
  }

  private open(id: string, generation: Generation): RolloutSession {
    const s = new RolloutSession(this.path, id, generation);
    for (const w of this.pending) this.batch.push({ session: s.draft, event: w });
    this.pending.length = 0;
    this.generation = generation;
    this.session = s;
    return s;
  }

  private fallbackId(): string {
    return uuidsInName(this.path)[0] ?? rolloutNameId(this.path) ?? basename(this.path);
  }

  private warn(w: EventDraft, bytes: Uint8Array): void {
    LineKeys.assign([w], this.keys.of(undefined, bytes));
    if (this.session) this.batch.push({ session: this.session.draft, event: w });
    else this.pending.push(w);
  }
}

/** G1 and G2 rollouts (JSONL), streamed. */
export async function* convertRollout(file: SourceFile, ctx: ConvertContext): AsyncGenerator<ConvertOutput> {
  const reader = new RolloutFile(file.path);
  for (const rec of readJsonRecords(file.path, ctx.stats)) {
    if (reader.batch.full) yield reader.batch.take();
    reader.batch.read(rec.line.bytes.length);
    reader.record(rec);
  }
  if (reader.end() === null) ctx.warn(`${file.path}: empty rollout file, no session`);
  else yield reader.batch.take();
}

/** G0: the TypeScript CLI's whole-file JSON `{session, items}`. */
export async function* convertLegacyJson(file: SourceFile, ctx: ConvertContext): AsyncGenerator<ConvertOutput> {
  const doc = await readJsonDocument(file.path);
  ctx.stats.bytesRead += doc.bytesRead;
  const fallbackId = uuidsInName(file.path)[0] ?? basename(file.path);
  if (!doc.ok) {
    const s = new RolloutSession(file.path, fallbackId, 'g0');
    yield { session: s.draft, event: { ...parseWarning(file.path, undefined, doc.error, doc.raw), key: 'document' } };
    return;
  }
  const parsed = parseRecord(G0Document, doc.value);
  if (!parsed.success) {
    const s = new RolloutSession(file.path, fallbackId, 'g0');
    yield {
      session: s.draft,
      event: { ...parseWarning(file.path, undefined, 'not a {session, items} rollout document'), key: 'document' },
    };
    return;
  }
  const { session: meta, items } = parsed.data;
  const s = new RolloutSession(file.path, meta.id ?? fallbackId, 'g0');
  if (doc.invalidUtf8) s.draft.addReason(INVALID_UTF8_REASON);
  s.meta(meta, undefined);
  const out: EventDraft[] = [];
  const batch = new Batch();
  const keys = new LineKeys();
  for (const item of items) {
    if (batch.full) yield batch.take();
    s.responseItem(item, undefined, out);
    if (out.length === 0) continue;
    LineKeys.assign(out, keys.of(undefined, JSON.stringify(item)));
    for (const e of out) batch.push({ session: s.draft, event: e });
    out.length = 0;
  }
  closeSession(s, batch);
  yield batch.take();
}

/** `.jsonl.zst`: reported, not read. */
export async function* skipCompressed(file: SourceFile, ctx: ConvertContext): AsyncGenerator<ConvertOutput> {
  ctx.warn(`${file.path}: skipped: ${ZST_NOTE}`);
}

/**
 * `history.jsonl`: prompts of sessions whose rollout is no longer on disk (deleted by retention)
 * become partial sessions with only their prompts. Sessions with a readable rollout are left to it.
 */
export async function* convertHistory(file: SourceFile, ctx: ConvertContext): AsyncGenerator<ConvertOutput> {
  const withRollout = new Set<string>();
  for (const f of ctx.allFiles) {
    if (f.path === file.path || isZst(f.path)) continue;
    for (const id of uuidsInName(f.path)) withRollout.add(id);
  }
  const sessions = new Map<string, SessionDraft>();
  const batch = new Batch();
  const keys = new LineKeys();
  for (const rec of readJsonRecords(file.path, ctx.stats)) {
    if (batch.full) yield batch.take();
    batch.read(rec.line.bytes.length);
    if (!rec.ok) {
      ctx.warn(rec.warning.message);
      continue;
    }
    const entry = safe(HistoryEntry, rec.value);
    const id = entry?.session_id ?? entry?.conversation_id;
    if (!entry || !id) {
      ctx.warn(`${file.path}:${rec.line.lineNo}: history entry without a session id`);
      continue;
    }
    if (withRollout.has(id.toLowerCase())) continue;
    let draft = sessions.get(id);
    if (!draft) {
      draft = new SessionDraft({ id, format: FORMATS.history, tags: ['prompt_history'] });
      draft.addReason(HISTORY_ONLY_REASON);
      sessions.set(id, draft);
    }
    if (rec.invalidUtf8) draft.addReason(INVALID_UTF8_REASON);
    const text = typeof entry.text === 'string' ? entry.text : '';
    if (text.trim() === '') continue;
    const key = `${keys.of(undefined, rec.line.bytes)}#0`;
    batch.push({
      session: draft,
      event: { type: 'user_message', role: 'user', content: text, ts: normalizeTimestamp(entry.ts), key },
    });
  }
  if (!batch.empty) yield batch.take();
}

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
import { INVALID_UTF8_REASON, TORN_LINE_REASON, parseWarning, readJsonRecords } from '../../src/session/records.js';
import { normalizeTimestamp } from '../../src/util/time.js';
import { isEmptyUsage, normalizeUsage, tokenCount } from '../../src/util/usage.js';
import { Compacted, Envelope, EventMsg, G0Document, HistoryEntry, ResponseItem, SessionMeta, TokenInfo, TurnContext, type TokenUsage } from './schema.js';
import { parseRecord } from '../../src/util/fast-parse.js';
import { isZst, rolloutNameId } from './layout.js';

const PROVIDER = 'codex';

/** Codex counts: cached input is part of input, reasoning is part of output. */
const USAGE_SEMANTICS = { inputIncludesCacheRead: true, outputIncludesReasoning: true } as const;

const HISTORY_ONLY_REASON = 'prompt history only';
const ZST_NOTE = 'zstd-compressed rollouts are not read yet (no built-in zstd in Node 20)';

// ---------------------------------------------------------------------------------------------
// File names

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every UUID a file name carries (the session ids a rollout stands for). */
export function uuidsInName(path: string): string[] {
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

function messageText(content: unknown): string {
  return texts(content)
    .filter((t) => !IMAGE_MARKER.test(t.trim()))
    .join('\n');
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
// Roles and tool kinds

/**
 * Harness-injected user text, by its opening: the role it gets instead of `user`. The README
 * lists them; anything else a `user` message says is the human's prompt.
 */
const INJECTED: readonly (readonly [string, string])[] = [
  ['# AGENTS.md instructions for ', 'instructions'],
  ['<user_instructions>', 'instructions'],
  ['<environment_context>', 'environment_context'],
  ['<permissions instructions>', 'permissions'],
  ['<collaboration_mode>', 'collaboration_mode'],
  ['<user_shell_command>', 'user_shell_command'],
  ['<turn_aborted>', 'turn_aborted'],
  ['<subagent_notification>', 'subagent_notification'],
  ['<skill>', 'skill'],
];

/** The normalized `role` of a native message role plus its text. */
export function classifyRole(nativeRole: string, text: string): string {
  if (nativeRole === 'developer' || nativeRole === 'system') return nativeRole;
  const head = text.trimStart();
  for (const [prefix, role] of INJECTED) if (head.startsWith(prefix)) return role;
  return 'user';
}

const TOOL_KINDS: Readonly<Record<string, ToolKind>> = {
  shell: 'shell',
  shell_command: 'shell',
  exec_command: 'shell',
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
};

export function codexToolKind(name: string): ToolKind {
  return TOOL_KINDS[name] ?? inferToolKind(name);
}

// ---------------------------------------------------------------------------------------------
// Record kinds

/** Envelope types read or documented as carrying nothing to convert. */
const G2_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted']);
/** 2026 envelope types that carry no conversation (state snapshots, bookkeeping): not emitted. */
const G2_PLUS_IGNORED = new Set(['world_state', 'inter_agent_communication_metadata', 'token_usage_record', 'security_risk_score', 'retained_context']);
/** 2026 envelope types whose shape we have not seen: counted as unknown (session partial). */
const G2_PLUS_OTHER = new Set(['inter_agent_communication', 'realtime_item']);

/** event_msg kinds that repeat response items or carry nothing for the log: not emitted. */
const EVENTS_IGNORED = new Set([
  'agent_message',
  'agent_reasoning',
  'agent_reasoning_raw_content',
  'agent_reasoning_section_break',
  'task_started',
  'task_complete',
  'turn_started',
  'turn_complete',
  'context_compacted',
  'web_search_end',
  'image_generation_end',
  'item_completed',
  'thread_goal_updated',
  'thread_settings_applied',
  'sub_agent_activity',
  'collab_agent_spawn_end',
  'collab_agent_interaction_end',
  'collab_waiting_end',
  'collab_close_end',
  'guardian_assessment',
  'view_image_tool_call',
  'dynamic_tool_call_request',
  'dynamic_tool_call_response',
  'undo_completed',
]);

/** response_item kinds with nothing to convert (undo snapshots, provider-side compaction, tool lists). */
const ITEMS_IGNORED = new Set(['ghost_snapshot', 'additional_tools', 'compaction', 'context_compaction']);

/** What an `event_msg` end event adds to the tool_result of its call. */
interface CallOutcome {
  success?: boolean;
  data: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// One rollout session

export type Generation = 'g0' | 'g1' | 'g2' | 'g2+';

export class RolloutSession {
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
  /** While replaying a parent's history: the UTC second the replay was written in. */
  private replaySecond: string | null = null;
  private metaCount = 0;

  constructor(path: string, id: string, generation: Generation) {
    this.draft = new SessionDraft({ id, format: `${PROVIDER}:${generation}` });
    this.draft.sourcePaths = [path];
  }

  setGeneration(generation: Generation): void {
    this.draft.format = `${PROVIDER}:${generation}`;
  }

  /** Reads a session_meta payload; the first one names the session, later ones start a replay. */
  meta(meta: Partial<SessionMeta>, ts: string | undefined): void {
    this.metaCount++;
    if (this.metaCount === 1) {
      this.draft.startedAt = normalizeTimestamp(meta.timestamp) ?? this.draft.startedAt;
      if (meta.cwd) this.draft.workspacePath = meta.cwd;
      this.parentage(meta);
      return;
    }
    if (!meta.id || meta.id === this.draft.id) return; // the same session's meta again (resume)
    // A parent's meta inside this file: what follows is the parent's history, copied at spawn time.
    if (this.draft.tags.length > 0) this.draft.parentId ??= meta.id;
    if (ts === undefined) {
      this.draft.addReason('replayed parent history has no timestamps: it could not be told apart');
      return;
    }
    this.replaySecond = ts.slice(0, 19);
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
        if (isRecord(spawn)) parent ??= str(spawn.parent_thread_id) ?? null;
      }
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
    const key = text.trim();
    const n = other.get(key);
    if (n !== undefined) {
      if (n <= 1) other.delete(key);
      else other.set(key, n - 1);
      return false;
    }
    mine.set(key, (mine.get(key) ?? 0) + 1);
    return true;
  }

  private userText(nativeRole: string, text: string, fromItem: boolean, ts: string | undefined, messageId: string | undefined, out: EventDraft[]): void {
    if (text.trim() === '') return;
    if (!fromItem || nativeRole === 'user') {
      if (!this.firstCopy(text, fromItem)) return;
    }
    const role = classifyRole(nativeRole, text);
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
      this.draft.skipUnknown('response_item:(not an object)');
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
      case 'tool_search_output': {
        const names = Array.isArray(item.tools) ? item.tools.flatMap((t) => (isRecord(t) && typeof t.name === 'string' ? [t.name] : [])) : [];
        this.result(item.call_id ?? undefined, names.join('\n'), ts, out);
        return;
      }
      case 'web_search_call':
        this.selfContainedCall('web_search', item.action, id ?? item.call_id ?? undefined, item.status, ts, out);
        return;
      case 'image_generation_call': {
        const p = payload as Record<string, unknown>;
        this.selfContainedCall('image_generation', str(p.revised_prompt) ? { revised_prompt: p.revised_prompt } : undefined, id, item.status, ts, out);
        return;
      }
      case 'agent_message': {
        const text = messageText(item.content);
        if (text !== '') out.push({ type: 'user_message', role: 'agent', content: text, ...(id ? { message_id: id } : {}), ts });
        return;
      }
      default:
        if (type !== undefined && ITEMS_IGNORED.has(type)) return;
        this.draft.skipUnknown(`response_item:${type ?? '(no type)'}`);
    }
  }

  private message(item: ResponseItem, ts: string | undefined, id: string | undefined, out: EventDraft[]): void {
    const role = item.role ?? 'user';
    if (role === 'assistant') {
      // G0 chat shape: reasoning and tool calls ride on the assistant message.
      const reasoning = str(item.reasoning);
      if (reasoning) out.push({ type: 'reasoning', content: reasoning, ts });
      const text = messageText(item.content);
      if (text.trim() !== '') out.push({ type: 'assistant_message', content: text, ...(id ? { message_id: id } : {}), ts });
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
    this.userText(role, messageText(item.content), true, ts, id, out);
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

  private call(name: string, input: unknown, callId: string | undefined, ts: string | undefined, out: EventDraft[]): void {
    if (callId) this.openCalls.add(callId);
    out.push({
      type: 'tool_call',
      tool_name: name,
      tool_kind: codexToolKind(name),
      ...(callId ? { tool_id: callId } : {}),
      ...(input !== undefined && input !== null ? { input } : {}),
      ts,
    });
  }

  /** Items that carry their own outcome (web search, image generation): a call and its result. */
  private selfContainedCall(name: string, input: unknown, id: string | undefined, status: string | null | undefined, ts: string | undefined, out: EventDraft[]): void {
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
      out.push({ type: 'tool_result', tool_id: callId, success: false, error: `no output recorded (${why})`, ts: aborted?.ts });
    }
    this.openCalls.clear();
    this.outcomes.clear();
    this.aborted.clear();
  }

  /** One `event_msg` payload. */
  eventMsg(payload: unknown, ts: string | undefined, out: EventDraft[]): void {
    const ev = safe(EventMsg, payload);
    if (!ev) {
      this.draft.skipUnknown(isRecord(payload) && typeof payload.type === 'string' ? `event_msg:${payload.type}` : 'event_msg:(no type)');
      return;
    }
    switch (ev.type) {
      case 'user_message':
        if (typeof ev.message === 'string') this.userText('user', ev.message, false, ts, undefined, out);
        return;
      case 'token_count':
        this.tokenCount(ev.info, ts, out);
        return;
      case 'exec_command_end': {
        if (!ev.call_id) return;
        const exit = typeof ev.exit_code === 'number' ? ev.exit_code : undefined;
        const ms = durationMs(ev.duration);
        this.outcome(ev.call_id, {
          ...(exit !== undefined ? { success: exit === 0 } : {}),
          data: { ...(exit !== undefined ? { exit_code: exit } : {}), ...(ms !== undefined ? { duration_ms: ms } : {}) },
        });
        return;
      }
      case 'patch_apply_end':
        if (ev.call_id) this.outcome(ev.call_id, { ...(typeof ev.success === 'boolean' ? { success: ev.success } : {}), data: {} });
        return;
      case 'mcp_tool_call_end': {
        if (!ev.call_id) return;
        const r = ev.result;
        const success = isRecord(r) ? ('Err' in r ? false : isRecord(r.Ok) && typeof r.Ok.isError === 'boolean' ? !r.Ok.isError : undefined) : undefined;
        const ms = durationMs(ev.duration);
        this.outcome(ev.call_id, { ...(success !== undefined ? { success } : {}), data: ms !== undefined ? { duration_ms: ms } : {} });
        return;
      }
      case 'turn_aborted': {
        const reason = str(ev.reason) ?? 'unknown reason';
        out.push({ type: 'provider_status', message: `turn aborted: ${reason}`, ts });
        // An output may still follow (some builds write "aborted" outputs after this event).
        for (const callId of this.openCalls) if (!this.aborted.has(callId)) this.aborted.set(callId, { why: `turn aborted: ${reason}`, ts });
        return;
      }
      case 'error':
        out.push({ type: 'provider_status', message: `error: ${str(ev.message) ?? 'unknown error'}`, ts });
        return;
      case 'thread_rolled_back':
        out.push({ type: 'provider_status', message: `rolled back ${tokenCount(ev.num_turns)} turn(s)`, ts });
        return;
      case 'entered_review_mode':
        out.push({ type: 'provider_status', message: 'entered review mode', ts });
        return;
      case 'exited_review_mode':
        out.push({ type: 'provider_status', message: 'exited review mode', ...(ev.review_output != null ? { data: ev.review_output } : {}), ts });
        return;
      case 'thread_name_updated':
        if (str(ev.thread_name)) this.draft.title = ev.thread_name as string;
        return;
      default:
        if (!EVENTS_IGNORED.has(ev.type)) this.draft.skipUnknown(`event_msg:${ev.type}`);
    }
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
    const totalN = total ? tokenCount(total.total_tokens) || tokenCount(total.input_tokens) + tokenCount(total.output_tokens) : undefined;
    const previous = this.lastTotal;
    const previousUsage = this.lastTotalUsage;
    if (totalN !== undefined) {
      this.lastTotal = totalN;
      this.lastTotalUsage = total;
    }
    if (replay) return;
    if (totalN !== undefined && previous !== undefined && totalN === previous) return; // a repeat
    let delta: Partial<TokenUsage> | undefined = last;
    if (!delta && total) {
      delta =
        previous !== undefined && previousUsage && totalN! > previous
          ? {
              input_tokens: tokenCount(total.input_tokens) - tokenCount(previousUsage.input_tokens),
              cached_input_tokens: tokenCount(total.cached_input_tokens) - tokenCount(previousUsage.cached_input_tokens),
              output_tokens: tokenCount(total.output_tokens) - tokenCount(previousUsage.output_tokens),
            }
          : total;
    }
    if (!delta) return;
    const usage = normalizeUsage(
      { input: delta.input_tokens, output: delta.output_tokens, cacheRead: delta.cached_input_tokens, model: this.model },
      USAGE_SEMANTICS,
    );
    if (!isEmptyUsage(usage)) out.push({ ...usage, ts });
  }
}

// ---------------------------------------------------------------------------------------------
// Readers (each yields its items in batches: src/session/batch.ts)

/** G1 and G2 rollouts (JSONL), streamed. */
export async function* convertRollout(file: SourceFile, ctx: ConvertContext): AsyncGenerator<ConvertOutput> {
  let session: RolloutSession | null = null;
  let generation: Generation | null = null;
  const pending: EventDraft[] = []; // warnings read before the session is known
  const out: EventDraft[] = [];
  const batch = new Batch();
  let torn = false;
  let invalidUtf8 = false;
  const fallbackId = () => uuidsInName(file.path)[0] ?? rolloutNameId(file.path) ?? basename(file.path);
  const open = (id: string, gen: Generation): RolloutSession => {
    const s = new RolloutSession(file.path, id, gen);
    out.unshift(...pending);
    pending.length = 0;
    return s;
  };

  for (const rec of readJsonRecords(file.path, ctx.stats)) {
    if (batch.full) yield batch.take();
    batch.read(rec.line.bytes.length);
    if (!rec.ok) {
      torn ||= rec.line.torn;
      if (session) batch.push({ session: session.draft, event: rec.warning });
      else pending.push(rec.warning);
      continue;
    }
    invalidUtf8 ||= rec.invalidUtf8;
    const value = rec.value;
    if (!isRecord(value)) {
      const w = parseWarning(file.path, rec.line.lineNo, 'not a JSON object', String(value).slice(0, 200));
      if (session) batch.push({ session: session.draft, event: w });
      else pending.push(w);
      continue;
    }
    const env = 'payload' in value && typeof value.type === 'string' ? safe(Envelope, value) : undefined;

    if (generation === null) {
      if (env) {
        generation = 'g2';
        const meta = env.type === 'session_meta' ? safe(SessionMeta, env.payload) : undefined;
        session = open(meta?.id ?? fallbackId(), generation);
      } else if (value.type === undefined && value.record_type === undefined) {
        // G1 first line: {id, timestamp, instructions, git?}
        generation = 'g1';
        session = open(str(value.id) ?? fallbackId(), generation);
        session.meta(safe(SessionMeta, value) ?? {}, undefined);
        for (const e of out) batch.push({ session: session.draft, event: e });
        out.length = 0;
        continue;
      } else {
        generation = 'g1';
        session = open(fallbackId(), generation);
      }
    }
    const s = session!;

    if (generation === 'g1') {
      if (value.record_type !== undefined) {
        // {"record_type":"state"} markers: where the CLI saved its session state.
      } else if (typeof value.type === 'string' || typeof value.role === 'string') {
        s.responseItem(value, undefined, out);
      } else {
        s.draft.skipUnknown('(no type)');
      }
    } else if (!env) {
      s.draft.skipUnknown(typeof value.type === 'string' ? value.type : '(no type)');
    } else {
      const ts = normalizeTimestamp(env.timestamp);
      if ('ordinal' in value) s.setGeneration('g2+');
      const replay = s.inReplay(ts);
      switch (env.type) {
        case 'session_meta': {
          const meta = safe(SessionMeta, env.payload);
          if (!meta) {
            out.push(parseWarning(file.path, rec.line.lineNo, 'session_meta payload is not an object', undefined, ts));
            break;
          }
          if (meta.session_id || meta.history_mode) s.setGeneration('g2+');
          s.meta(meta, ts);
          break;
        }
        case 'turn_context':
          if (!replay) s.turnContext(env.payload);
          break;
        case 'response_item':
          if (!replay) s.responseItem(env.payload, ts, out);
          break;
        case 'event_msg':
          if (replay) {
            // Replayed token counts set the baseline; they are the parent's, not counted again.
            if (isRecord(env.payload) && env.payload.type === 'token_count') s.tokenCount(env.payload.info, ts, out, true);
          } else s.eventMsg(env.payload, ts, out);
          break;
        case 'compacted': {
          if (replay) break;
          const c = safe(Compacted, env.payload);
          const summary = c ? str(c.message) : undefined;
          out.push({ type: 'provider_status', message: 'context compacted', ...(summary ? { data: { summary } } : {}), ts });
          break;
        }
        default:
          if (G2_PLUS_IGNORED.has(env.type) || G2_PLUS_OTHER.has(env.type)) s.setGeneration('g2+');
          if (!G2_PLUS_IGNORED.has(env.type) && !G2_TYPES.has(env.type)) s.draft.skipUnknown(env.type);
      }
    }
    for (const e of out) batch.push({ session: s.draft, event: e });
    out.length = 0;
  }

  if (!session) {
    if (pending.length === 0) {
      ctx.warn(`${file.path}: empty rollout file, no session`);
      return;
    }
    session = open(fallbackId(), 'g2');
    session.draft.addReason('no session_meta record could be read');
  }
  if (torn) session.draft.addReason(TORN_LINE_REASON);
  if (invalidUtf8) session.draft.addReason(INVALID_UTF8_REASON);
  session.closeOpenCalls(out);
  for (const e of out) batch.push({ session: session.draft, event: e });
  batch.push({ session: session.draft, end: true });
  yield batch.take();
}

/** G0: the TypeScript CLI's whole-file JSON `{session, items}`. */
export async function* convertLegacyJson(file: SourceFile, ctx: ConvertContext): AsyncGenerator<ConvertOutput> {
  const doc = await readJsonDocument(file.path);
  ctx.stats.bytesRead += doc.bytesRead;
  const fallbackId = uuidsInName(file.path)[0] ?? basename(file.path);
  if (!doc.ok) {
    const s = new RolloutSession(file.path, fallbackId, 'g0');
    yield { session: s.draft, event: parseWarning(file.path, undefined, doc.error, doc.raw) };
    return;
  }
  const parsed = parseRecord(G0Document, doc.value);
  if (!parsed.success) {
    const s = new RolloutSession(file.path, fallbackId, 'g0');
    yield { session: s.draft, event: parseWarning(file.path, undefined, 'not a {session, items} rollout document') };
    return;
  }
  const { session: meta, items } = parsed.data;
  const s = new RolloutSession(file.path, meta.id ?? fallbackId, 'g0');
  if (doc.invalidUtf8) s.draft.addReason(INVALID_UTF8_REASON);
  s.meta(meta, undefined);
  const out: EventDraft[] = [];
  const batch = new Batch();
  for (const item of items) {
    if (batch.full) yield batch.take();
    s.responseItem(item, undefined, out);
    for (const e of out) batch.push({ session: s.draft, event: e });
    out.length = 0;
  }
  s.closeOpenCalls(out);
  for (const e of out) batch.push({ session: s.draft, event: e });
  batch.push({ session: s.draft, end: true });
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
      draft = new SessionDraft({ id, format: `${PROVIDER}:history`, tags: ['prompt_history'] });
      draft.addReason(HISTORY_ONLY_REASON);
      sessions.set(id, draft);
    }
    if (rec.invalidUtf8) draft.addReason(INVALID_UTF8_REASON);
    const text = typeof entry.text === 'string' ? entry.text : '';
    if (text.trim() === '') continue;
    batch.push({ session: draft, event: { type: 'user_message', role: 'user', content: text, ts: normalizeTimestamp(entry.ts) } });
  }
  if (!batch.empty) yield batch.take();
}

/**
 * Claude Code transcripts -> event drafts. One unit = a main session file plus its
 * `<sessionId>/` folder (sub-agent files, their `.meta.json`, spilled `tool-results/`), or one
 * flat `agent-*.jsonl`. Every line is parsed once and streamed; per session the converter keeps
 * only the open API response (for its usage), the ids of responses already counted, and the
 * uuids seen in the unit (to drop re-appended copies). Mapping table: README.md.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ConvertContext, ConvertItem, ConvertOutput, SourceFile, SourceUnit } from '../types.js';
import { isRecord, readJsonDocument } from '../../src/io/json.js';
import { inferToolKind, type EventDraft, type ToolKind } from '../../src/model/events.js';
import { Batch } from '../../src/session/batch.js';
import { SessionDraft } from '../../src/session/draft.js';
import { INVALID_UTF8_REASON, TORN_LINE_REASON, lineRaw, parseWarning, readJsonRecords } from '../../src/session/records.js';
import { normalizeTimestamp } from '../../src/util/time.js';
import { isEmptyUsage, normalizeUsage } from '../../src/util/usage.js';
import { ClaudeAgentMeta, ClaudeAssistantMessage, ClaudeLine, ClaudeUserMessage } from './schema.js';
import { issueText, parseRecord } from '../../src/util/fast-parse.js';
import { fileKind } from './layout.js';

const FORMAT_MAIN = 'claude:jsonl';
const FORMAT_INLINE = 'claude:jsonl:sidechain';
const FORMAT_FLAT_AGENT = 'claude:jsonl:agent-file';
const FORMAT_SUBAGENT = 'claude:jsonl:subagents';

/** Line types that carry no conversation and are deliberately not turned into events. */
const IGNORED_TYPES = new Set([
  'file-history-snapshot',
  'queue-operation',
  'progress',
  'attachment',
  'permission-mode',
  'agent-name',
  'mode',
  'tag',
  'pr-link',
  'worktree-state',
  'bridge-session',
  'frame-link',
  'relocated',
  'atis-latch',
  'agent-setting',
]);

const TOOL_KINDS: Readonly<Record<string, ToolKind>> = {
  Bash: 'shell',
  Read: 'file_read',
  Write: 'file_write',
  Edit: 'file_edit',
  MultiEdit: 'file_edit',
  Glob: 'search',
  Grep: 'search',
  LS: 'search',
  Task: 'sub_agent',
  Agent: 'sub_agent',
  WebFetch: 'web',
  WebSearch: 'web',
  NotebookEdit: 'notebook',
  NotebookRead: 'notebook',
};

export function claudeToolKind(name: string): ToolKind {
  if (name.startsWith('mcp__')) return 'other';
  return TOOL_KINDS[name] ?? inferToolKind(name);
}

/** Envelope keys left out of a `provider_status.data` copy of a system line. */
const STATUS_ENVELOPE = new Set([
  'type',
  'subtype',
  'content',
  'uuid',
  'parentUuid',
  'sessionId',
  'timestamp',
  'cwd',
  'gitBranch',
  'version',
  'userType',
  'isSidechain',
  'isMeta',
  'slug',
  'entrypoint',
  'agentId',
]);

/** Session ids of the main transcripts in a home, computed once per discovery. */
const mainIdsCache = new WeakMap<readonly SourceFile[], Set<string>>();
function mainSessionIds(files: readonly SourceFile[]): Set<string> {
  let ids = mainIdsCache.get(files);
  if (!ids) {
    ids = new Set();
    for (const f of files) if (fileKind(f.rel) === 'main') ids.add(basename(f.rel, '.jsonl'));
    mainIdsCache.set(files, ids);
  }
  return ids;
}

interface OpenResponse {
  key: string;
  output: number;
  usage: Record<string, unknown> | null;
  model: string | undefined;
  ts: string | undefined;
}

interface Titles {
  custom?: string;
  ai?: string;
  lastPrompt?: string;
  summary?: string;
}

class SessionState {
  readonly draft: SessionDraft;
  open: OpenResponse | null = null;
  /** Response keys whose usage was already emitted. */
  readonly counted = new Set<string>();
  readonly titles: Titles = {};
  promptSeen = false;
  missingSpills = 0;
  constructor(
    draft: SessionDraft,
    readonly sub: boolean,
  ) {
    this.draft = draft;
  }
}

/** Held until a file's first session exists: warnings and counts read before it. */
interface Orphans {
  events: EventDraft[];
  unknown: Map<string, number>;
  reasons: Set<string>;
}

const SUB_KIND_TAGS: [string, string][] = [
  ['acompact', 'compact'],
  ['aside_question', 'side_question'],
  ['aprompt_suggestion', 'prompt_suggestion'],
];

function subAgentTags(agentId: string, rel: string): string[] {
  const tags = ['subagent'];
  for (const [prefix, tag] of SUB_KIND_TAGS) if (agentId.startsWith(prefix)) tags.push(tag);
  if (rel.includes('/subagents/workflows/')) tags.push('workflow');
  return tags;
}

/** Text of a string or of the text blocks of an array; images and documents become placeholders. */
function blocksText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const block of content) {
    const t = blockText(block);
    if (t !== null) parts.push(t);
  }
  return parts.join('\n');
}

function blockText(block: unknown): string | null {
  if (!isRecord(block)) return null;
  if (block.type === 'text') return typeof block.text === 'string' ? block.text : '';
  if (block.type === 'image' || block.type === 'document') return placeholder(block);
  return null;
}

function placeholder(block: Record<string, unknown>): string {
  const source = isRecord(block.source) ? block.source : {};
  const media = typeof source.media_type === 'string' ? source.media_type : source.type;
  const size = typeof source.data === 'string' ? `, ${source.data.length} base64 chars` : '';
  return `[${String(block.type)}${typeof media === 'string' ? `: ${media}` : ''}${size}]`;
}

const LONG_BLOB = 512;
/** A copy of a structured tool result with inline base64 blobs replaced by a placeholder. */
function scrubBlobs(value: unknown, depth = 0): unknown {
  if (depth > 5) return value;
  if (Array.isArray(value)) return value.some((v) => typeof v === 'object' && v !== null) ? value.map((v) => scrubBlobs(v, depth + 1)) : value;
  if (!isRecord(value)) return value;
  let copy: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    let next = v;
    if (typeof v === 'string') {
      if (v.length > LONG_BLOB && (k === 'base64' || (k === 'data' && value.type === 'base64'))) next = `[base64 omitted, ${v.length} chars]`;
    } else if (typeof v === 'object' && v !== null) next = scrubBlobs(v, depth + 1);
    if (next !== v) {
      copy ??= { ...value };
      copy[k] = next;
    }
  }
  return copy ?? value;
}

/** What a user line's text is: a typed prompt or something the harness wrote (README: roles). */
export function userRole(text: string, line: ClaudeLine, sub: boolean): string {
  if (line.isCompactSummary) return 'compact_summary';
  if (line.isMeta) return 'meta';
  const t = text.trimStart();
  if (t.startsWith('[Request interrupted by user')) return 'interrupt';
  if (t.startsWith('<command-name>') || t.startsWith('<command-message>') || t.startsWith('<command-args>') || t.startsWith('<bash-input>')) return 'command';
  if (/^<(local-command-stdout|local-command-stderr|bash-stdout|bash-stderr)>/.test(t)) return 'command_output';
  if (t.startsWith('<system-reminder>')) return 'system_reminder';
  if (t.startsWith('Caveat: The messages below were generated by the user while running local commands')) return 'meta';
  if (t.startsWith('This session is being continued from a previous conversation')) return 'compact_summary';
  return sub ? 'agent' : 'user';
}

const PERSISTED_RE = /Full output saved to: ([^\n]+)/;

class UnitConverter {
  private readonly sessions = new Map<string, SessionState>();
  private readonly seenUuids = new Set<string>();
  private readonly mainIds: Set<string>;
  private readonly spills = new Map<string, SourceFile>();
  private readonly metas = new Map<string, SourceFile>();

  constructor(
    private readonly unit: SourceUnit,
    private readonly ctx: ConvertContext,
  ) {
    this.mainIds = mainSessionIds(ctx.allFiles);
    for (const f of unit.files) {
      const kind = fileKind(f.rel);
      if (kind === 'spill') this.spills.set(basename(f.rel), f);
      else if (kind === 'meta') this.metas.set(f.rel.replace(/\.meta\.json$/, '.jsonl'), f);
    }
  }

  async *run(): AsyncGenerator<ConvertOutput> {
    const transcripts = this.unit.files.filter((f) => ['main', 'flat-agent', 'subagent'].includes(fileKind(f.rel)));
    for (const file of transcripts) {
      const meta = fileKind(file.rel) !== 'main' ? await this.readMeta(file) : null;
      // Batches of many lines: one async step each, not one per event.
      yield* this.convertFile(file, meta);
    }
    const ends: ConvertItem[] = [];
    for (const state of this.sessions.values()) {
      const t = state.titles;
      state.draft.title = t.custom ?? t.ai ?? t.lastPrompt ?? t.summary ?? state.draft.title;
      if (state.missingSpills > 0) {
        state.draft.addReason(`${state.missingSpills} spilled tool output(s) not found under tool-results/ (deleted by Claude's cleanup?)`);
      }
      ends.push({ session: state.draft, end: true });
    }
    yield ends;
  }

  /** Yields the file's items in batches (`src/session/batch.ts`). */
  private *convertFile(file: SourceFile, meta: ClaudeAgentMeta | null): Generator<readonly ConvertItem[]> {
    const kind = fileKind(file.rel);
    const stem = basename(file.rel, '.jsonl');
    const isAgentFile = kind !== 'main';
    const agentId = isAgentFile ? stem.replace(/^agent-/, '') : '';
    // For the 2.1.x layout the parent is also the folder name: projects/<enc>/<sid>/subagents/…
    const folderSid = kind === 'subagent' ? (file.rel.split('/')[2] ?? null) : null;

    const orphans: Orphans = { events: [], unknown: new Map(), reasons: new Set() };
    const fileSessions: SessionState[] = [];
    let current: SessionState | null = null;
    /** Native session id of the last conversation line (for lines that carry none). */
    let lastSid: string | null = null;
    let agentSid: string | null | undefined;
    let resumedCopies = 0;
    /** Title lines by the session they name (null: lines without a sessionId). */
    const titles = new Map<string | null, Titles>();
    /** Inline sidechain threads: line uuid -> thread key (agentId or root uuid). */
    const threads = new Map<string, string>();
    const out = new Batch();

    const adopt = (state: SessionState): SessionState => {
      if (fileSessions.includes(state)) return state;
      fileSessions.push(state);
      if (fileSessions.length === 1) {
        for (const event of orphans.events) out.push({ session: state.draft, event });
        for (const [type, n] of orphans.unknown) for (let i = 0; i < n; i++) state.draft.skipUnknown(type);
        for (const r of orphans.reasons) state.draft.addReason(r);
        orphans.events = [];
        orphans.unknown.clear();
        orphans.reasons.clear();
      }
      return state;
    };

    const agentSession = (sid: string | null): SessionState => {
      const id = sid ? `${sid}-agent-${agentId}` : `agent-${agentId}`;
      let state = this.sessions.get(id);
      if (!state) {
        const parentId = sid ? (meta?.parentAgentId ? `${sid}-agent-${meta.parentAgentId}` : sid) : null;
        const tags = subAgentTags(agentId, file.rel);
        if (meta?.agentType) tags.push(`agent_type:${meta.agentType}`);
        state = this.create(
          new SessionDraft({ id, parentId, format: kind === 'subagent' ? FORMAT_SUBAGENT : FORMAT_FLAT_AGENT, title: meta?.description ?? null, tags }),
          true,
        );
      }
      return adopt(state);
    };

    const mainSession = (sid: string): SessionState => {
      let state = this.sessions.get(sid);
      state ??= this.create(new SessionDraft({ id: sid, format: FORMAT_MAIN }), false);
      return adopt(state);
    };

    const inlineSession = (sid: string, line: ClaudeLine): SessionState => {
      let thread = line.agentId ?? (line.parentUuid ? threads.get(line.parentUuid) : undefined);
      thread ??= line.uuid ?? 'sidechain';
      if (line.uuid) threads.set(line.uuid, thread);
      const id = `${sid}-agent-${thread}`;
      let state = this.sessions.get(id);
      state ??= this.create(new SessionDraft({ id, parentId: sid, format: FORMAT_INLINE, tags: subAgentTags(thread, file.rel) }), true);
      return adopt(state);
    };

    /** The session a conversation line belongs to; null for a resumed copy of another file's session. */
    const route = (line: ClaudeLine): SessionState | null => {
      if (isAgentFile) return agentSession((agentSid ??= line.sessionId ?? folderSid));
      const sid = line.sessionId ?? lastSid ?? stem;
      lastSid = sid;
      if (sid !== stem && this.mainIds.has(sid)) return null;
      return line.isSidechain ? inlineSession(sid, line) : mainSession(sid);
    };

    const warn = (event: EventDraft, reason?: string) => {
      if (current) {
        out.push({ session: current.draft, event });
        if (reason) current.draft.addReason(reason);
      } else {
        orphans.events.push(event);
        if (reason) orphans.reasons.add(reason);
      }
    };

    for (const rec of readJsonRecords(file.path, this.ctx.stats)) {
      if (out.full) yield out.take();
      out.read(rec.line.bytes.length);
      if (!rec.ok) {
        warn(rec.warning, rec.line.torn ? TORN_LINE_REASON : undefined);
      } else {
        const parsed = parseRecord(ClaudeLine, rec.value);
        if (!parsed.success) {
          warn(parseWarning(file.path, rec.line.lineNo, `unexpected record shape (${issueText(parsed.error)})`, lineRaw(rec.line)));
        } else {
          const line = parsed.data;
          const type = line.type;
          if (type === 'user' || type === 'assistant' || type === 'system') {
            const state = route(line);
            if (state === null) {
              resumedCopies++;
            } else {
              current = state;
              if (rec.invalidUtf8) state.draft.addReason(INVALID_UTF8_REASON);
              if (line.uuid && this.seenUuids.has(line.uuid)) {
                // A re-appended copy (compaction bug, duplicated write): emitted once.
              } else {
                if (line.uuid) this.seenUuids.add(line.uuid);
                if (line.cwd && state.draft.workspacePath === null) state.draft.workspacePath = line.cwd;
                if (type === 'user') this.user(state, line, file, rec.line.lineNo, out);
                else if (type === 'assistant') this.assistant(state, line, file, rec.line.lineNo, out);
                else this.system(state, line, out);
              }
            }
          } else if (type === 'summary' || type === 'custom-title' || type === 'ai-title' || type === 'last-prompt') {
            const sid = isAgentFile ? null : (line.sessionId ?? null);
            if (sid === null || sid === stem || !this.mainIds.has(sid)) {
              let t = titles.get(sid);
              if (!t) titles.set(sid, (t = {}));
              if (type === 'summary' && line.summary) t.summary = line.summary;
              else if (type === 'custom-title' && line.customTitle) t.custom = line.customTitle;
              else if (type === 'ai-title' && line.aiTitle) t.ai = line.aiTitle;
              else if (type === 'last-prompt' && line.lastPrompt) t.lastPrompt = line.lastPrompt;
            }
          } else if (!IGNORED_TYPES.has(type)) {
            if (current) current.draft.skipUnknown(type);
            else orphans.unknown.set(type, (orphans.unknown.get(type) ?? 0) + 1);
          }
        }
      }
    }

    // A file with no conversation line still names a session (0-byte, summary-only, copy-only).
    if (fileSessions.length === 0) {
      if (isAgentFile) agentSession((agentSid ??= folderSid));
      else mainSession(stem);
    }
    const primary = fileSessions.find((s) => s.draft.id === stem) ?? fileSessions[0]!;
    for (const [sid, t] of titles) {
      const state = sid === null ? primary : (this.sessions.get(sid) ?? mainSession(sid));
      Object.assign(state.titles, t);
    }
    if (resumedCopies > 0) primary.draft.tags.push('resumed');
    for (const state of fileSessions) this.flushResponse(state, out);
    if (!out.empty) yield out.take();
  }

  private create(draft: SessionDraft, sub: boolean): SessionState {
    const state = new SessionState(draft, sub);
    this.sessions.set(draft.id, state);
    return state;
  }

  private async readMeta(file: SourceFile): Promise<ClaudeAgentMeta | null> {
    const metaFile = this.metas.get(file.rel);
    if (!metaFile) return null;
    const doc = await readJsonDocument(metaFile.path).catch(() => null);
    this.ctx.stats.bytesRead += doc?.bytesRead ?? 0;
    if (!doc?.ok) {
      this.ctx.warn(`${metaFile.path}: ${doc ? doc.error : 'unreadable'}; sub-agent imported without its metadata`);
      return null;
    }
    const parsed = parseRecord(ClaudeAgentMeta, doc.value);
    return parsed.success ? parsed.data : null;
  }

  /** Emits the usage of the session's open response (the line with the most output tokens). */
  private flushResponse(state: SessionState, out: Batch): void {
    const open = state.open;
    if (!open) return;
    state.open = null;
    state.counted.add(open.key);
    const u = open.usage;
    if (!u) return;
    const usage = normalizeUsage(
      { input: u.input_tokens, output: u.output_tokens, cacheRead: u.cache_read_input_tokens, cacheCreation: u.cache_creation_input_tokens, model: open.model },
      { inputIncludesCacheRead: false, outputIncludesReasoning: true },
    );
    if (!isEmptyUsage(usage)) out.push({ session: state.draft, event: { ...usage, ts: open.ts } });
  }

  private assistant(state: SessionState, line: ClaudeLine, file: SourceFile, lineNo: number, out: Batch): void {
    const ts = normalizeTimestamp(line.timestamp);
    const parsed = parseRecord(ClaudeAssistantMessage, line.message);
    if (!parsed.success) {
      out.push({ session: state.draft, event: parseWarning(file.path, lineNo, 'assistant line without a readable message', undefined, ts) });
      return;
    }
    const msg = parsed.data;
    const model = msg.model ?? undefined;
    if (model === '<synthetic>' || line.isApiErrorMessage) {
      const error = typeof line.error === 'string' ? line.error : undefined;
      const text = blocksText(msg.content);
      out.push({
        session: state.draft,
        event: { type: 'provider_status', message: `API error${error ? ` (${error})` : ''}: ${text || 'no details'}`, data: { error: line.error ?? null, model: model ?? null }, ts },
      });
      return;
    }
    const messageId = msg.id ?? undefined;
    const key = `${messageId ?? line.uuid ?? lineNo}\u0000${line.requestId ?? ''}`;
    if (state.open?.key !== key) {
      this.flushResponse(state, out);
      if (!state.counted.has(key)) {
        state.open = { key, output: -1, usage: null, model, ts };
        state.draft.noteModel(model);
      }
    }
    const open = state.open;
    if (open && msg.usage) {
      const output = typeof msg.usage.output_tokens === 'number' ? msg.usage.output_tokens : 0;
      if (output >= open.output) {
        open.output = output;
        open.usage = msg.usage;
        open.model = model ?? open.model;
        open.ts = ts ?? open.ts;
      }
    }
    const content = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : Array.isArray(msg.content) ? msg.content : [];
    for (const block of content) {
      if (!isRecord(block)) continue;
      switch (block.type) {
        case 'text':
          out.push({ session: state.draft, event: { type: 'assistant_message', content: String(block.text ?? ''), message_id: messageId, ts } });
          break;
        case 'thinking':
          out.push({ session: state.draft, event: { type: 'reasoning', content: String(block.thinking ?? ''), message_id: messageId, ts } });
          break;
        case 'redacted_thinking':
          out.push({ session: state.draft, event: { type: 'reasoning', content: '[redacted thinking]', message_id: messageId, ts } });
          break;
        case 'tool_use':
        case 'server_tool_use': {
          const name = typeof block.name === 'string' ? block.name : 'unknown';
          const toolId = typeof block.id === 'string' ? block.id : undefined;
          out.push({ session: state.draft, event: { type: 'tool_call', tool_name: name, tool_kind: claudeToolKind(name), tool_id: toolId, input: block.input, ts } });
          break;
        }
        default:
          if (typeof block.type === 'string' && block.type.endsWith('_tool_result')) {
            const toolId = typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
            out.push({ session: state.draft, event: { type: 'tool_result', tool_id: toolId, success: true, output: blocksText(block.content), ts } });
          } else state.draft.skipUnknown(`assistant content block ${String(block.type)}`);
      }
    }
  }

  private user(state: SessionState, line: ClaudeLine, file: SourceFile, lineNo: number, out: Batch): void {
    const ts = normalizeTimestamp(line.timestamp);
    const parsed = parseRecord(ClaudeUserMessage, line.message);
    const content = parsed.success ? parsed.data.content : undefined;
    const messageId = line.uuid ?? undefined;
    const say = (role: string, text: string) => {
      if (state.sub && !state.promptSeen && role === 'agent') {
        state.promptSeen = true;
        if (text.trim() === 'Warmup') state.draft.tags.push('warmup');
      }
      out.push({ session: state.draft, event: { type: 'user_message', role, content: text, message_id: messageId, ts } });
    };
    // A line that is not a tool result ends the open response: its usage goes before it.
    const hasResult = Array.isArray(content) && content.some((b) => isRecord(b) && b.type === 'tool_result');
    if (!hasResult) this.flushResponse(state, out);
    if (typeof content === 'string') {
      say(userRole(content, line, state.sub), content);
      return;
    }
    if (!Array.isArray(content)) {
      out.push({ session: state.draft, event: parseWarning(file.path, lineNo, 'user line without message content', undefined, ts) });
      return;
    }
    const results = hasResult ? content.filter((b) => isRecord(b) && b.type === 'tool_result').length : 0;
    // Consecutive text blocks of one role make one user_message (a reminder block and the typed
    // prompt after it are two); an image joins the text before it.
    const group: { role: string | null; parts: string[] } = { role: null, parts: [] };
    const flushGroup = () => {
      if (group.role !== null) say(group.role, group.parts.join('\n'));
      group.role = null;
      group.parts = [];
    };
    for (const block of content) {
      if (isRecord(block) && block.type === 'tool_result') {
        flushGroup();
        const toolId = typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
        const output = this.resultOutput(state, block.content, line);
        const data = line.toolUseResult !== undefined && (results === 1 || (toolId !== undefined && line.sourceToolUseID === toolId)) ? scrubBlobs(line.toolUseResult) : undefined;
        out.push({ session: state.draft, event: { type: 'tool_result', tool_id: toolId, success: block.is_error !== true, output, data, ts } });
        continue;
      }
      const t = blockText(block);
      if (t === null) {
        if (isRecord(block)) state.draft.skipUnknown(`user content block ${String(block.type)}`);
        continue;
      }
      const role = isRecord(block) && block.type === 'text' ? userRole(t, line, state.sub) : (group.role ?? userRole('', line, state.sub));
      if (group.role !== role) flushGroup();
      group.role = role;
      group.parts.push(t);
    }
    flushGroup();
  }

  /** A tool result's text; a `<persisted-output>` pointer is replaced by the spilled file when present. */
  private resultOutput(state: SessionState, content: unknown, line: ClaudeLine): string {
    const text = blocksText(content);
    if (!text.includes('<persisted-output>')) return text;
    const tur = isRecord(line.toolUseResult) ? line.toolUseResult : {};
    const pointer = typeof tur.persistedOutputPath === 'string' ? tur.persistedOutputPath : PERSISTED_RE.exec(text)?.[1]?.trim();
    const spill = pointer ? this.spills.get(basename(pointer)) : undefined;
    if (spill) {
      try {
        // Synchronous, like every read of the conversion: a promise per user line cost more.
        const full = readFileSync(spill.path, 'utf8');
        this.ctx.stats.bytesRead += Buffer.byteLength(full);
        return full;
      } catch {
        // unreadable: counted as missing below
      }
    }
    state.missingSpills++;
    return text;
  }

  private system(state: SessionState, line: ClaudeLine, out: Batch): void {
    this.flushResponse(state, out);
    const subtype = line.subtype ?? 'system';
    const text = typeof line.content === 'string' ? line.content : '';
    const data: Record<string, unknown> = { subtype };
    for (const [k, v] of Object.entries(line)) if (!STATUS_ENVELOPE.has(k) && v !== undefined) data[k] = v;
    out.push({ session: state.draft, event: { type: 'provider_status', message: text ? `${subtype}: ${text}` : subtype, data, ts: normalizeTimestamp(line.timestamp) } });
  }
}

export function convertClaudeUnit(unit: SourceUnit, ctx: ConvertContext): AsyncIterable<ConvertOutput> {
  return new UnitConverter(unit, ctx).run();
}

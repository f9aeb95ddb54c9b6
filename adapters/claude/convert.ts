/**
 * Claude Code transcripts -> event drafts. One unit = a main session file plus its
 * `<sessionId>/` folder (sub-agent files, their `.meta.json`, spilled `tool-results/`), or one
 * flat `agent-*.jsonl`. Every line is parsed once and streamed; per session the converter keeps
 * only the open API response (for its usage), the ids of responses already counted, and the
 * uuids seen in the unit (to drop re-appended copies). Mapping table: README.md.
 */
import { basename } from 'node:path';
import type { ConvertContext, ConvertItem, ConvertOutput, SourceFile, SourceUnit } from '../types.js';
import { isRecord, readJsonDocument } from '../../src/io/json.js';
import { MAX_LINE_BYTES } from '../../src/io/lines.js';
import { readRegularFile } from '../../src/io/regular-file.js';
import { inferToolKind, type EventDraft, type ToolKind } from '../../src/model/events.js';
import { Batch } from '../../src/session/batch.js';
import { SessionDraft } from '../../src/session/draft.js';
import {
  INVALID_UTF8_REASON,
  TORN_LINE_REASON,
  lineRaw,
  parseWarning,
  readJsonRecords,
  unknownRecord,
} from '../../src/session/records.js';
import { RecordIds } from '../../src/util/ids.js';
import { normalizeTimestamp } from '../../src/util/time.js';
import { isEmptyUsage, normalizeUsage, usageMismatch, type TokenCounts } from '../../src/util/usage.js';
import {
  ClaudeAgentMeta,
  ClaudeApiError,
  ClaudeAssistantMessage,
  ClaudeJournalLine,
  ClaudeLine,
  ClaudeUserMessage,
  type ClaudeUsage,
} from './schema.js';
import { issueText, parseRecord } from '../../src/util/fast-parse.js';
import { fileKind } from './layout.js';

const FORMAT_MAIN = 'claude:jsonl';
const FORMAT_INLINE = 'claude:jsonl:sidechain';
const FORMAT_FLAT_AGENT = 'claude:jsonl:agent-file';
const FORMAT_SUBAGENT = 'claude:jsonl:subagents';

/** What the adapter does with a native record kind: map it to events, or ignore it on purpose. */
type Account = { maps: string } | { ignored: string };

/**
 * Every native record kind this adapter knows, by where it occurs (README: "Accounting": the same
 * table). A kind outside it is an unknown record: kept as a `provider_status` event, and the
 * session is `partial` ("unknown record type X (N records)").
 */
export const ACCOUNTING = {
  line: {
    user: { maps: 'user_message (role below), tool_result' },
    assistant: { maps: 'assistant_message, reasoning, tool_call, tool_result, usage; provider_status for API errors' },
    system: { maps: 'provider_status (subtypes below)' },
    summary: { maps: 'index title' },
    'custom-title': { maps: 'index title' },
    'ai-title': { maps: 'index title' },
    'last-prompt': { maps: 'index title' },
    progress: { ignored: 'live UI updates; agent_progress repeats the sub-agent file' },
    attachment: { ignored: 'context injected into the model (skills, tools, memory, hook output), not conversation' },
    'file-history-snapshot': { ignored: 'checkpoint file backups' },
    'queue-operation': { ignored: 'input queue bookkeeping; the queued prompt is written again as a user line' },
    'permission-mode': { ignored: 'harness setting' },
    'agent-name': { ignored: 'harness setting' },
    mode: { ignored: 'harness setting' },
    tag: { ignored: 'harness bookkeeping' },
    'pr-link': { ignored: 'harness bookkeeping' },
    'worktree-state': { ignored: 'harness bookkeeping' },
    'bridge-session': { ignored: 'harness bookkeeping (desktop bridge)' },
    'frame-link': { ignored: 'harness bookkeeping' },
    relocated: { ignored: 'harness bookkeeping' },
    'atis-latch': { ignored: 'harness bookkeeping' },
    'agent-setting': { ignored: 'harness setting' },
  },
  system: {
    api_error: { maps: 'provider_status: HTTP status and retry (attempt/max, delay as recorded)' },
    compact_boundary: { maps: 'provider_status (compactMetadata in data)' },
    local_command: { maps: 'provider_status' },
    stop_hook_summary: { maps: 'provider_status' },
    turn_duration: { maps: 'provider_status' },
    informational: { maps: 'provider_status' },
    session_start: { maps: 'provider_status' },
    error: { maps: 'provider_status' },
    api_refusal: { maps: 'provider_status' },
    model_refusal_fallback: { maps: 'provider_status' },
  },
  'assistant block': {
    text: { maps: 'assistant_message' },
    thinking: { maps: 'reasoning' },
    redacted_thinking: { maps: 'reasoning `[redacted thinking]`' },
    tool_use: { maps: 'tool_call' },
    server_tool_use: { maps: 'tool_call' },
    '*_tool_result': { maps: 'tool_result (server tools: web search, web fetch, code execution)' },
  },
  'user block': {
    text: { maps: 'user_message' },
    image: { maps: 'user_message placeholder `[image: <type>, N base64 chars]`' },
    document: { maps: 'user_message placeholder' },
    tool_result: { maps: 'tool_result' },
  },
  journal: {
    started: { maps: 'the workflow agent session: title = label, tag `phase:<phase>`' },
    failed: { maps: 'the workflow agent session ends with success false' },
    result: { ignored: "repeats the agent's final output, which its transcript has" },
    launched: { ignored: 'run start marker, no time and no agent' },
  },
} as const satisfies Record<string, Record<string, Account>>;

/** Whether a kind is in the table (`*_tool_result` stands for every server tool's result). */
function accounted(where: keyof typeof ACCOUNTING, kind: string): boolean {
  const table: Record<string, Account> = ACCOUNTING[where];
  return Object.hasOwn(table, kind) || (kind.endsWith('_tool_result') && Object.hasOwn(table, '*_tool_result'));
}

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
  /** Names the usage event: `message.id`, else the line's record id. */
  id: string;
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
  /** Responses whose usage disagrees with their `iterations[]`, and the first one's reason. */
  iterationMismatches = 0;
  firstMismatch: string | null = null;
  constructor(
    draft: SessionDraft,
    readonly sub: boolean,
  ) {
    this.draft = draft;
  }
}

/** Held until a file's first session exists: warnings and unknown records read before it. */
interface Orphans {
  events: EventDraft[];
  unknown: { type: string; record: unknown; ts: string | undefined; key: string }[];
  reasons: Set<string>;
}

/** What the workflow journals say of each workflow agent, by agent id. */
interface JournalAgent {
  label?: string;
  phase?: string;
  failed: boolean;
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
  if (Array.isArray(value))
    return value.some((v) => typeof v === 'object' && v !== null) ? value.map((v) => scrubBlobs(v, depth + 1)) : value;
  if (!isRecord(value)) return value;
  let copy: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    let next = v;
    if (typeof v === 'string') {
      if (v.length > LONG_BLOB && (k === 'base64' || (k === 'data' && value.type === 'base64')))
        next = `[base64 omitted, ${v.length} chars]`;
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
  if (
    t.startsWith('<command-name>') ||
    t.startsWith('<command-message>') ||
    t.startsWith('<command-args>') ||
    t.startsWith('<bash-input>')
  )
    return 'command';
  if (/^<(local-command-stdout|local-command-stderr|bash-stdout|bash-stderr)>/.test(t)) return 'command_output';
  if (t.startsWith('<system-reminder>')) return 'system_reminder';
  if (t.startsWith('Caveat: The messages below were generated by the user while running local commands')) return 'meta';
  if (t.startsWith('This session is being continued from a previous conversation')) return 'compact_summary';
  return sub ? 'agent' : 'user';
}

const PERSISTED_RE = /Full output saved to: ([^\n]+)/;

/** IDE context the VS Code and JetBrains extensions put into the typed prompt. */
const IDE_CONTEXT_ROLE = 'ide_context';
const IDE_CONTEXT_RE = /<(ide_opened_file|ide_selection)>[\s\S]*?<\/\1>/g;

/** A prompt's IDE context blocks, then what remains of it (trimmed; empty when nothing does). */
export function splitIdeContext(text: string): { ide: string[]; rest: string } {
  if (!text.includes('<ide_')) return { ide: [], rest: text };
  const ide = text.match(IDE_CONTEXT_RE) ?? [];
  return ide.length === 0 ? { ide: [], rest: text } : { ide, rest: text.replace(IDE_CONTEXT_RE, '').trim() };
}

/** `HTTP 529, retry 1/10 in 541 ms`: what a `system/api_error` line records of the failure and the retry. */
export function apiErrorStatus(line: ClaudeApiError): string {
  const error = isRecord(line.error) ? line.error : {};
  const text =
    typeof line.error === 'string'
      ? line.error
      : typeof error.message === 'string'
        ? error.message
        : typeof line.cause === 'string'
          ? line.cause
          : '';
  const status = typeof error.status === 'number' ? error.status : /^\s*(\d{3})\b/.exec(text)?.[1];
  const code = isRecord(error.connection) && typeof error.connection.code === 'string' ? error.connection.code : null;
  const parts = [
    status !== undefined ? `HTTP ${status}` : code !== null ? `connection error ${code}` : 'no HTTP status recorded',
  ];
  if (typeof line.retryAttempt === 'number') {
    const delay = typeof line.retryInMs === 'number' ? ` in ${line.retryInMs} ms` : '';
    parts.push(`retry ${line.retryAttempt}/${line.maxRetries ?? '?'}${delay}`);
  }
  return parts.join(', ');
}

/** The counts of a response's `message` iterations (null: none recorded); README: Usage. */
function iterationTotals(usage: ClaudeUsage): TokenCounts | null {
  const steps = (usage.iterations ?? []).filter((i) => (i.type ?? 'message') === 'message');
  if (steps.length === 0) return null;
  const sum = (get: (i: (typeof steps)[number]) => number | null | undefined) =>
    steps.reduce((n, i) => n + (get(i) ?? 0), 0);
  return {
    input_tokens: sum((i) => i.input_tokens),
    output_tokens: sum((i) => i.output_tokens),
    cache_read_tokens: sum((i) => i.cache_read_input_tokens),
    cache_creation_tokens: sum((i) => i.cache_creation_input_tokens),
  };
}

/** Pushes the events made from one native record, keyed `<record id>#<n>` in order (README: Event keys). */
class RecordEvents {
  private n = 0;
  constructor(
    readonly out: Batch,
    readonly draft: SessionDraft,
    readonly id: string,
  ) {}

  push(event: EventDraft): void {
    event.key = `${this.id}#${this.n++}`;
    this.out.push({ session: this.draft, event });
  }
}

class UnitConverter {
  private readonly sessions = new Map<string, SessionState>();
  private readonly seenUuids = new Set<string>();
  private readonly mainIds: Set<string>;
  private readonly spills = new Map<string, SourceFile>();
  private readonly metas = new Map<string, SourceFile>();
  private readonly journalAgents = new Map<string, JournalAgent>();
  /** Ids of records without a `uuid` (README: Event keys). */
  private readonly recordIds = new RecordIds();

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
    const journal = this.readJournals();
    const transcripts = this.unit.files.filter((f) => ['main', 'flat-agent', 'subagent'].includes(fileKind(f.rel)));
    for (const file of transcripts) {
      const meta = fileKind(file.rel) !== 'main' ? await this.readMeta(file) : null;
      // Batches of many lines: one async step each, not one per event.
      yield* this.convertFile(file, meta);
    }
    // Journal lines outside the table, and unreadable ones, go to the session that ran the workflow.
    const host = this.sessions.values().next().value;
    if (host && journal.length > 0) {
      yield journal.map((j) => ({
        session: host.draft,
        event: 'warning' in j ? j.warning : { ...unknownRecord(host.draft, `journal ${j.type}`, j.record), key: j.key },
      }));
    }
    const ends: ConvertItem[] = [];
    for (const state of this.sessions.values()) {
      const t = state.titles;
      state.draft.title = t.custom ?? t.ai ?? t.lastPrompt ?? t.summary ?? state.draft.title;
      if (state.missingSpills > 0) {
        state.draft.addReason(
          `${state.missingSpills} spilled tool output(s) not found under tool-results/ (deleted by Claude's cleanup?)`,
        );
      }
      if (state.firstMismatch !== null) {
        const more = state.iterationMismatches - 1;
        state.draft.addReason(
          more > 0 ? `${state.firstMismatch} (and ${more} more response${more === 1 ? '' : 's'})` : state.firstMismatch,
        );
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

    const orphans: Orphans = { events: [], unknown: [], reasons: new Set() };
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
        for (const u of orphans.unknown)
          out.push({
            session: state.draft,
            event: { ...unknownRecord(state.draft, u.type, u.record, u.ts), key: u.key },
          });
        for (const r of orphans.reasons) state.draft.addReason(r);
        orphans.events = [];
        orphans.unknown = [];
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
        const journal = this.journalAgents.get(agentId);
        if (journal?.phase) tags.push(`phase:${journal.phase}`);
        const title = meta?.description ?? journal?.label ?? null;
        state = this.create(
          new SessionDraft({
            id,
            parentId,
            format: kind === 'subagent' ? FORMAT_SUBAGENT : FORMAT_FLAT_AGENT,
            title,
            tags,
          }),
          true,
        );
        if (journal?.failed) {
          state.draft.success = false;
          state.draft.error = 'the workflow agent failed (journal.jsonl)';
        }
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
      state ??= this.create(
        new SessionDraft({ id, parentId: sid, format: FORMAT_INLINE, tags: subAgentTags(thread, file.rel) }),
        true,
      );
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

    const warn = (event: EventDraft, key: string, reason?: string) => {
      event.key = `${key}#0`;
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
        warn(rec.warning, this.recordIds.next(rec.line.bytes), rec.line.torn ? TORN_LINE_REASON : undefined);
      } else {
        const parsed = parseRecord(ClaudeLine, rec.value);
        if (!parsed.success) {
          warn(
            parseWarning(
              file.path,
              rec.line.lineNo,
              `unexpected record shape (${issueText(parsed.error)})`,
              lineRaw(rec.line),
            ),
            this.recordIds.next(rec.line.bytes),
          );
        } else {
          const line = parsed.data;
          const type = line.type;
          const recordId = () => line.uuid ?? this.recordIds.next(rec.line.bytes);
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
                state.draft.noteAgentVersion(line.version);
                if (line.entrypoint && !state.draft.tags.includes(`entrypoint:${line.entrypoint}`))
                  state.draft.tags.push(`entrypoint:${line.entrypoint}`);
                const events = new RecordEvents(out, state.draft, recordId());
                if (type === 'user') this.user(state, line, file, rec.line.lineNo, events);
                else if (type === 'assistant') this.assistant(state, line, file, rec.line.lineNo, events);
                else this.system(state, line, rec.value, events);
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
          } else if (!accounted('line', type)) {
            const ts = normalizeTimestamp(line.timestamp);
            if (current)
              new RecordEvents(out, current.draft, recordId()).push(unknownRecord(current.draft, type, rec.value, ts));
            else orphans.unknown.push({ type, record: rec.value, ts, key: `${recordId()}#0` });
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

  /**
   * Reads the unit's workflow journals into `journalAgents`; returns the lines to keep as they are
   * not in the table (or not readable), for the session that ran the workflow.
   */
  private readJournals(): ({ type: string; record: unknown; key: string } | { warning: EventDraft })[] {
    const kept: ({ type: string; record: unknown; key: string } | { warning: EventDraft })[] = [];
    for (const file of this.unit.files) {
      if (fileKind(file.rel) !== 'journal') continue;
      for (const rec of readJsonRecords(file.path, this.ctx.stats)) {
        const parsed = rec.ok ? parseRecord(ClaudeJournalLine, rec.value) : null;
        if (!rec.ok || !parsed?.success) {
          kept.push({
            warning: {
              ...(rec.ok
                ? parseWarning(file.path, rec.line.lineNo, 'unexpected journal line shape', lineRaw(rec.line))
                : rec.warning),
              key: `${this.recordIds.next(rec.line.bytes)}#0`,
            },
          });
          continue;
        }
        const j = parsed.data;
        if (!accounted('journal', j.type))
          kept.push({ type: j.type, record: rec.value, key: `${this.recordIds.next(rec.line.bytes)}#0` });
        if (!j.agentId || (j.type !== 'started' && j.type !== 'failed')) continue;
        const agent = this.journalAgents.get(j.agentId) ?? { failed: false };
        if (j.type === 'failed') agent.failed = true;
        else {
          agent.label = j.label ?? agent.label;
          agent.phase = j.phase ?? agent.phase;
        }
        this.journalAgents.set(j.agentId, agent);
      }
    }
    return kept;
  }

  /**
   * Emits the usage of the session's open response (the line with the most output tokens), and
   * checks it against the response's own `iterations[]` (README: Usage).
   */
  private flushResponse(state: SessionState, out: Batch): void {
    const open = state.open;
    if (!open) return;
    state.open = null;
    state.counted.add(open.key);
    const u = open.usage;
    if (!u) return;
    const usage = normalizeUsage(
      {
        input: u.input_tokens,
        output: u.output_tokens,
        cacheRead: u.cache_read_input_tokens,
        cacheCreation: u.cache_creation_input_tokens,
        model: open.model,
      },
      { inputIncludesCacheRead: false, outputIncludesReasoning: true },
    );
    const stated = iterationTotals(u);
    const mismatch = stated && usageMismatch(`the iterations[] of response ${open.id}`, usage, stated);
    if (mismatch) {
      state.iterationMismatches++;
      state.firstMismatch ??= mismatch;
    }
    if (!isEmptyUsage(usage))
      out.push({ session: state.draft, event: { ...usage, ts: open.ts, key: `${open.id}#usage` } });
  }

  private assistant(
    state: SessionState,
    line: ClaudeLine,
    file: SourceFile,
    lineNo: number,
    events: RecordEvents,
  ): void {
    const ts = normalizeTimestamp(line.timestamp);
    const parsed = parseRecord(ClaudeAssistantMessage, line.message);
    if (!parsed.success) {
      events.push(parseWarning(file.path, lineNo, 'assistant line without a readable message', undefined, ts));
      return;
    }
    const msg = parsed.data;
    const model = msg.model ?? undefined;
    if (model === '<synthetic>' || line.isApiErrorMessage) {
      const why = [
        typeof line.error === 'string' ? line.error : null,
        typeof line.apiErrorStatus === 'number' ? `HTTP ${line.apiErrorStatus}` : null,
      ]
        .filter(Boolean)
        .join(', ');
      const text = blocksText(msg.content);
      events.push({
        type: 'provider_status',
        message: `API error${why ? ` (${why})` : ''}: ${text || 'no details'}`,
        data: { error: line.error ?? null, model: model ?? null },
        ts,
      });
      return;
    }
    const messageId = msg.id ?? undefined;
    const key = `${messageId ?? line.uuid ?? lineNo}\u0000${line.requestId ?? ''}`;
    if (state.open?.key !== key) {
      this.flushResponse(state, events.out);
      if (!state.counted.has(key)) {
        state.open = { key, id: messageId ?? events.id, output: -1, usage: null, model, ts };
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
    const content =
      typeof msg.content === 'string'
        ? [{ type: 'text', text: msg.content }]
        : Array.isArray(msg.content)
          ? msg.content
          : [];
    for (const block of content) {
      if (!isRecord(block)) continue;
      switch (block.type) {
        case 'text':
          events.push({ type: 'assistant_message', content: String(block.text ?? ''), message_id: messageId, ts });
          break;
        case 'thinking':
          events.push({ type: 'reasoning', content: String(block.thinking ?? ''), message_id: messageId, ts });
          break;
        case 'redacted_thinking':
          events.push({ type: 'reasoning', content: '[redacted thinking]', message_id: messageId, ts });
          break;
        case 'tool_use':
        case 'server_tool_use': {
          const name = typeof block.name === 'string' ? block.name : 'unknown';
          const toolId = typeof block.id === 'string' ? block.id : undefined;
          events.push({
            type: 'tool_call',
            tool_name: name,
            tool_kind: claudeToolKind(name),
            tool_id: toolId,
            input: block.input,
            ts,
          });
          break;
        }
        default:
          if (typeof block.type === 'string' && accounted('assistant block', block.type)) {
            const toolId = typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
            events.push({ type: 'tool_result', tool_id: toolId, success: true, output: blocksText(block.content), ts });
          } else events.push(unknownRecord(state.draft, `assistant content block ${String(block.type)}`, block, ts));
      }
    }
  }

  private user(state: SessionState, line: ClaudeLine, file: SourceFile, lineNo: number, events: RecordEvents): void {
    const ts = normalizeTimestamp(line.timestamp);
    const parsed = parseRecord(ClaudeUserMessage, line.message);
    const content = parsed.success ? parsed.data.content : undefined;
    const messageId = line.uuid ?? undefined;
    const say = (role: string, text: string) => {
      if (state.sub && !state.promptSeen && role === 'agent') {
        state.promptSeen = true;
        if (text.trim() === 'Warmup') state.draft.tags.push('warmup');
      }
      events.push({ type: 'user_message', role, content: text, message_id: messageId, ts });
    };
    /** A text's parts with their roles: IDE context split out of a typed prompt, the rest as it is. */
    const parts = (text: string): [string, string][] => {
      const role = userRole(text, line, state.sub);
      if (role !== 'user' && role !== 'agent') return [[role, text]];
      const { ide, rest } = splitIdeContext(text);
      if (ide.length === 0) return [[role, text]];
      return [
        ...ide.map((t): [string, string] => [IDE_CONTEXT_ROLE, t]),
        ...(rest === '' ? [] : [[userRole(rest, line, state.sub), rest] as [string, string]]),
      ];
    };
    // A line that is not a tool result ends the open response: its usage goes before it.
    const hasResult = Array.isArray(content) && content.some((b) => isRecord(b) && b.type === 'tool_result');
    if (!hasResult) this.flushResponse(state, events.out);
    if (typeof content === 'string') {
      for (const [role, text] of parts(content)) say(role, text);
      return;
    }
    if (!Array.isArray(content)) {
      events.push(parseWarning(file.path, lineNo, 'user line without message content', undefined, ts));
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
        const { output, spillMissing } = this.resultOutput(state, block.content, line);
        const data =
          line.toolUseResult !== undefined &&
          (results === 1 || (toolId !== undefined && line.sourceToolUseID === toolId))
            ? scrubBlobs(line.toolUseResult)
            : undefined;
        // Without its spilled file the result is only a pointer: `partial`, so that a re-import
        // keeps the whole output an earlier import read.
        events.push({
          type: 'tool_result',
          tool_id: toolId,
          success: block.is_error !== true,
          output,
          data,
          ts,
          ...(spillMissing ? { completeness: 'partial' as const } : {}),
        });
        continue;
      }
      const t = blockText(block);
      if (t === null) {
        if (isRecord(block)) {
          flushGroup();
          events.push(unknownRecord(state.draft, `user content block ${String(block.type)}`, block, ts));
        }
        continue;
      }
      const blockParts: [string, string][] =
        isRecord(block) && block.type === 'text' ? parts(t) : [[group.role ?? userRole('', line, state.sub), t]];
      for (const [role, text] of blockParts) {
        if (group.role !== role || role === IDE_CONTEXT_ROLE) flushGroup();
        group.role = role;
        group.parts.push(text);
      }
    }
    flushGroup();
  }

  /** A tool result's text; a `<persisted-output>` pointer is replaced by the spilled file when present. */
  private resultOutput(
    state: SessionState,
    content: unknown,
    line: ClaudeLine,
  ): { output: string; spillMissing: boolean } {
    const text = blocksText(content);
    if (!text.includes('<persisted-output>')) return { output: text, spillMissing: false };
    const tur = isRecord(line.toolUseResult) ? line.toolUseResult : {};
    const pointer =
      typeof tur.persistedOutputPath === 'string' ? tur.persistedOutputPath : PERSISTED_RE.exec(text)?.[1]?.trim();
    const spill = pointer ? this.spills.get(basename(pointer)) : undefined;
    if (spill) {
      try {
        // Synchronous, like every read of the conversion: a promise per user line cost more.
        const full = readRegularFile(spill.path, MAX_LINE_BYTES).toString('utf8');
        this.ctx.stats.bytesRead += Buffer.byteLength(full);
        return { output: full, spillMissing: false };
      } catch {
        // unreadable: counted as missing below
      }
    }
    state.missingSpills++;
    return { output: text, spillMissing: true };
  }

  private system(state: SessionState, line: ClaudeLine, record: unknown, events: RecordEvents): void {
    this.flushResponse(state, events.out);
    const ts = normalizeTimestamp(line.timestamp);
    const subtype = line.subtype ?? '(none)';
    if (!accounted('system', subtype)) {
      events.push(unknownRecord(state.draft, `system/${subtype}`, record, ts));
      return;
    }
    const text = typeof line.content === 'string' ? line.content : '';
    const data: Record<string, unknown> = { subtype };
    // From the record as written: its key order, whichever way the line was parsed.
    for (const [k, v] of Object.entries(record as Record<string, unknown>))
      if (!STATUS_ENVELOPE.has(k) && v !== undefined) data[k] = v;
    // The API error's status and retry say more than its text ("API error").
    const detail =
      subtype === 'api_error'
        ? [apiErrorStatus(parseRecord(ClaudeApiError, record).data ?? {}), text].filter(Boolean).join(': ')
        : text;
    events.push({ type: 'provider_status', message: detail ? `${subtype}: ${detail}` : subtype, data, ts });
  }
}

export function convertClaudeUnit(unit: SourceUnit, ctx: ConvertContext): AsyncIterable<ConvertOutput> {
  return new UnitConverter(unit, ctx).run();
}

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
  type JsonRecord,
  parseWarning,
  readJsonRecords,
  unknownRecord,
} from '../../src/session/records.js';
import { RecordIds } from '../../src/util/ids.js';
import { addNew } from '../../src/util/sets.js';
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
import { fileKind, type FileKind } from './layout.js';

/** `format` values this adapter writes (index `format`, README "Sessions"). */
const FORMATS = {
  main: 'claude:jsonl',
  inline: 'claude:jsonl:sidechain',
  flatAgent: 'claude:jsonl:agent-file',
  subagent: 'claude:jsonl:subagents',
} as const;

/** What the adapter does with a native record kind: map it to events, or ignore it on purpose. */
type Account = { maps: string } | { ignored: string };

/**
 * Every native record kind this adapter knows, by where it occurs (README: "Accounting": the same
 * table). A kind outside it is an unknown record: kept as a `provider_status` event, and the
 * session is `partial` ("unknown record type X (N records)").
 */
export const RECORD_TYPES = {
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
function accounted(where: keyof typeof RECORD_TYPES, kind: string): boolean {
  const table: Record<string, Account> = RECORD_TYPES[where];
  return Object.hasOwn(table, kind) || (kind.endsWith('_tool_result') && Object.hasOwn(table, '*_tool_result'));
}

/** Line types deliberately not converted (README "Accounting": `line` rows marked ignored). */
const IGNORED: ReadonlySet<string> = new Set(
  Object.entries(RECORD_TYPES.line as Record<string, Account>)
    .filter(([, a]) => 'ignored' in a)
    .map(([type]) => type),
);

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

function toolKind(name: string): ToolKind {
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
  usage: ClaudeUsage | null;
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

/** Harness text by its opening -> `user_message.role` (README "`user_message` roles"). */
const ROLES: readonly (readonly [opening: string, role: string])[] = [
  ['[Request interrupted by user', 'interrupt'],
  ['<command-name>', 'command'],
  ['<command-message>', 'command'],
  ['<command-args>', 'command'],
  ['<bash-input>', 'command'],
  ['<local-command-stdout>', 'command_output'],
  ['<local-command-stderr>', 'command_output'],
  ['<bash-stdout>', 'command_output'],
  ['<bash-stderr>', 'command_output'],
  ['<system-reminder>', 'system_reminder'],
  ['Caveat: The messages below were generated by the user while running local commands', 'meta'],
  ['This session is being continued from a previous conversation', 'compact_summary'],
];

/** What a user line's text is: a typed prompt or something the harness wrote (README: roles). */
function userRole(text: string, line: ClaudeLine, sub: boolean): string {
  if (line.isCompactSummary) return 'compact_summary';
  if (line.isMeta) return 'meta';
  const t = text.trimStart();
  return ROLES.find(([opening]) => t.startsWith(opening))?.[1] ?? (sub ? 'agent' : 'user');
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
    // Stated only when every step splits its cache writes by lifetime.
    ...(steps.every((i) => i.cache_creation)
      ? { cache_creation_1h_tokens: sum((i) => i.cache_creation?.ephemeral_1h_input_tokens) }
      : {}),
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

/** A successfully read line of a transcript. */
type ReadLine = Extract<JsonRecord, { ok: true }>;

/** The content blocks of a message: a string is one text block. */
function contentBlocks(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

/** The `provider_status` of a synthetic assistant line that reports a failed API call. */
function apiErrorEvent(line: ClaudeLine, msg: ClaudeAssistantMessage, ts: string | undefined): EventDraft {
  const why = [
    typeof line.error === 'string' ? line.error : null,
    typeof line.apiErrorStatus === 'number' ? `HTTP ${line.apiErrorStatus}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  const text = blocksText(msg.content);
  return {
    type: 'provider_status',
    message: `API error${why ? ` (${why})` : ''}: ${text || 'no details'}`,
    data: { error: line.error ?? null, model: msg.model ?? null },
    ts,
  };
}

/** One block of an assistant message; the switch is the README's "assistant block" rows. */
function assistantBlockEvent(
  draft: SessionDraft,
  block: Record<string, unknown>,
  messageId: string | undefined,
  ts: string | undefined,
): EventDraft {
  switch (block.type) {
    case 'text':
      return { type: 'assistant_message', content: String(block.text ?? ''), message_id: messageId, ts };
    case 'thinking':
      return { type: 'reasoning', content: String(block.thinking ?? ''), message_id: messageId, ts };
    case 'redacted_thinking':
      return { type: 'reasoning', content: '[redacted thinking]', message_id: messageId, ts };
    case 'tool_use':
    case 'server_tool_use': {
      const name = typeof block.name === 'string' ? block.name : 'unknown';
      const toolId = typeof block.id === 'string' ? block.id : undefined;
      return { type: 'tool_call', tool_name: name, tool_kind: toolKind(name), tool_id: toolId, input: block.input, ts };
    }
    default:
      if (typeof block.type === 'string' && accounted('assistant block', block.type)) {
        const toolId = typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
        return { type: 'tool_result', tool_id: toolId, success: true, output: blocksText(block.content), ts };
      }
      return unknownRecord(draft, `assistant content block ${String(block.type)}`, block, ts);
  }
}

/**
 * One user line being turned into events: consecutive text blocks of one role make one
 * user_message (a reminder block and the typed prompt after it are two); an image joins the text
 * before it.
 */
class UserLine {
  private role: string | null = null;
  private parts: string[] = [];

  constructor(
    private readonly state: SessionState,
    private readonly line: ClaudeLine,
    private readonly events: RecordEvents,
    private readonly ts: string | undefined,
  ) {}

  /** A text's parts with their roles: IDE context split out of a typed prompt, the rest as it is. */
  split(text: string): [role: string, text: string][] {
    const role = userRole(text, this.line, this.state.sub);
    if (role !== 'user' && role !== 'agent') return [[role, text]];
    const { ide, rest } = splitIdeContext(text);
    if (ide.length === 0) return [[role, text]];
    return [
      ...ide.map((t): [string, string] => [IDE_CONTEXT_ROLE, t]),
      ...(rest === '' ? [] : [[userRole(rest, this.line, this.state.sub), rest] as [string, string]]),
    ];
  }

  /** Text of a block that is not a text block (an image): it joins the group before it. */
  attached(text: string): [role: string, text: string][] {
    return [[this.role ?? userRole('', this.line, this.state.sub), text]];
  }

  add(role: string, text: string): void {
    if (this.role !== role || role === IDE_CONTEXT_ROLE) this.flush();
    this.role = role;
    this.parts.push(text);
  }

  flush(): void {
    if (this.role !== null) this.say(this.role, this.parts.join('\n'));
    this.role = null;
    this.parts = [];
  }

  say(role: string, text: string): void {
    const state = this.state;
    if (state.sub && !state.promptSeen && role === 'agent') {
      state.promptSeen = true;
      if (text.trim() === 'Warmup') state.draft.tags.push('warmup');
    }
    this.events.push({
      type: 'user_message',
      role,
      content: text,
      message_id: this.line.uuid ?? undefined,
      ts: this.ts,
    });
  }
}

/** One transcript file being read: which session each line belongs to, titles, orphans. */
class TranscriptFile {
  readonly out = new Batch();
  /** The sessions this file's lines went to, in order of their first line. */
  private readonly sessions: SessionState[] = [];
  private current: SessionState | null = null;
  /** Native session id of the last conversation line (for lines that carry none). */
  private lastSid: string | null = null;
  private agentSid: string | null | undefined;
  private resumedCopies = 0;
  /** Title lines by the session they name (null: lines without a sessionId). */
  private readonly titles = new Map<string | null, Titles>();
  /** Inline sidechain threads: line uuid -> thread key (agentId or root uuid). */
  private readonly threads = new Map<string, string>();
  private readonly orphans: Orphans = { events: [], unknown: [], reasons: new Set() };
  private readonly kind: FileKind;
  private readonly stem: string;
  private readonly agentId: string;
  /** For the 2.1.x layout the parent is also the folder name: projects/<enc>/<sid>/subagents/… */
  private readonly folderSid: string | null;

  constructor(
    private readonly unit: UnitConverter,
    private readonly file: SourceFile,
    private readonly meta: ClaudeAgentMeta | null,
  ) {
    this.kind = fileKind(file.rel);
    this.stem = basename(file.rel, '.jsonl');
    this.agentId = this.isAgentFile ? this.stem.replace(/^agent-/, '') : '';
    this.folderSid = this.kind === 'subagent' ? (file.rel.split('/')[2] ?? null) : null;
  }

  private get isAgentFile(): boolean {
    return this.kind !== 'main';
  }

  /** One line of the file; the switch is the README's "Accounting" table (`line` rows). */
  record(rec: JsonRecord): void {
    const ids = this.unit.recordIds;
    if (!rec.ok) return this.warn(rec.warning, ids.next(rec.line.bytes), rec.line.torn ? TORN_LINE_REASON : undefined);
    const parsed = parseRecord(ClaudeLine, rec.value);
    if (!parsed.success) {
      const why = `unexpected record shape (${issueText(parsed.error)})`;
      return this.warn(parseWarning(this.file.path, rec.line.lineNo, why, lineRaw(rec.line)), ids.next(rec.line.bytes));
    }
    const line = parsed.data;
    switch (line.type) {
      case 'user':
      case 'assistant':
      case 'system':
        return this.conversation(line, rec);
      case 'summary':
      case 'custom-title':
      case 'ai-title':
      case 'last-prompt':
        return this.title(line);
      default:
        if (!IGNORED.has(line.type)) this.unknown(line, rec);
    }
  }

  /** After the last line: a session even for a file without conversation, the titles, the open responses. */
  end(): void {
    // A file with no conversation line still names a session (0-byte, summary-only, copy-only).
    if (this.sessions.length === 0) {
      if (this.isAgentFile) this.agentSession((this.agentSid ??= this.folderSid));
      else this.mainSession(this.stem);
    }
    const primary = this.sessions.find((s) => s.draft.id === this.stem) ?? this.sessions[0]!;
    for (const [sid, t] of this.titles) {
      const state = sid === null ? primary : (this.unit.sessions.get(sid) ?? this.mainSession(sid));
      Object.assign(state.titles, t);
    }
    if (this.resumedCopies > 0) primary.draft.tags.push('resumed');
    for (const state of this.sessions) this.unit.flushResponse(state, this.out);
  }

  /** A user, assistant or system line: routed to its session, emitted once per uuid. */
  private conversation(line: ClaudeLine, rec: ReadLine): void {
    const state = this.route(line);
    if (state === null) {
      this.resumedCopies++;
      return;
    }
    this.current = state;
    const draft = state.draft;
    if (rec.invalidUtf8) draft.addReason(INVALID_UTF8_REASON);
    // A re-appended copy (compaction bug, duplicated write): emitted once.
    if (line.uuid && !addNew(this.unit.seenUuids, line.uuid)) return;
    if (line.cwd && draft.workspacePath === null) draft.workspacePath = line.cwd;
    draft.noteAgentVersion(line.version);
    if (line.entrypoint && !draft.tags.includes(`entrypoint:${line.entrypoint}`))
      draft.tags.push(`entrypoint:${line.entrypoint}`);
    const events = new RecordEvents(this.out, draft, this.recordId(line, rec));
    if (line.type === 'user') this.unit.user(state, line, this.file, rec.line.lineNo, events);
    else if (line.type === 'assistant') this.unit.assistant(state, line, this.file, rec.line.lineNo, events);
    else this.unit.system(state, line, rec.value, events);
  }

  /** A title line, unless it names another main session of the home (a copy carried over by resume). */
  private title(line: ClaudeLine): void {
    const sid = this.isAgentFile ? null : (line.sessionId ?? null);
    if (sid !== null && sid !== this.stem && this.unit.mainIds.has(sid)) return;
    let t = this.titles.get(sid);
    if (!t) this.titles.set(sid, (t = {}));
    if (line.type === 'summary' && line.summary) t.summary = line.summary;
    else if (line.type === 'custom-title' && line.customTitle) t.custom = line.customTitle;
    else if (line.type === 'ai-title' && line.aiTitle) t.ai = line.aiTitle;
    else if (line.type === 'last-prompt' && line.lastPrompt) t.lastPrompt = line.lastPrompt;
  }

  private unknown(line: ClaudeLine, rec: ReadLine): void {
    const ts = normalizeTimestamp(line.timestamp);
    const current = this.current;
    if (current)
      new RecordEvents(this.out, current.draft, this.recordId(line, rec)).push(
        unknownRecord(current.draft, line.type, rec.value, ts),
      );
    else this.orphans.unknown.push({ type: line.type, record: rec.value, ts, key: `${this.recordId(line, rec)}#0` });
  }

  /** The line's uuid, else an id from its bytes (taken only when needed: it counts occurrences). */
  private recordId(line: ClaudeLine, rec: ReadLine): string {
    return line.uuid ?? this.unit.recordIds.next(rec.line.bytes);
  }

  /** The session a conversation line belongs to; null for a resumed copy of another file's session. */
  private route(line: ClaudeLine): SessionState | null {
    if (this.isAgentFile) return this.agentSession((this.agentSid ??= line.sessionId ?? this.folderSid));
    const sid = line.sessionId ?? this.lastSid ?? this.stem;
    this.lastSid = sid;
    if (sid !== this.stem && this.unit.mainIds.has(sid)) return null;
    return line.isSidechain ? this.inlineSession(sid, line) : this.mainSession(sid);
  }

  private mainSession(sid: string): SessionState {
    const state =
      this.unit.sessions.get(sid) ?? this.unit.create(new SessionDraft({ id: sid, format: FORMATS.main }), false);
    return this.adopt(state);
  }

  private agentSession(sid: string | null): SessionState {
    const id = sid ? `${sid}-agent-${this.agentId}` : `agent-${this.agentId}`;
    return this.adopt(this.unit.sessions.get(id) ?? this.newAgentSession(id, sid));
  }

  private newAgentSession(id: string, sid: string | null): SessionState {
    const meta = this.meta;
    const parentId = sid ? (meta?.parentAgentId ? `${sid}-agent-${meta.parentAgentId}` : sid) : null;
    const tags = subAgentTags(this.agentId, this.file.rel);
    if (meta?.agentType) tags.push(`agent_type:${meta.agentType}`);
    const journal = this.unit.journalAgents.get(this.agentId);
    if (journal?.phase) tags.push(`phase:${journal.phase}`);
    const title = meta?.description ?? journal?.label ?? null;
    const format = this.kind === 'subagent' ? FORMATS.subagent : FORMATS.flatAgent;
    const state = this.unit.create(new SessionDraft({ id, parentId, format, title, tags }), true);
    if (journal?.failed) {
      state.draft.success = false;
      state.draft.error = 'the workflow agent failed (journal.jsonl)';
    }
    return state;
  }

  private inlineSession(sid: string, line: ClaudeLine): SessionState {
    let thread = line.agentId ?? (line.parentUuid ? this.threads.get(line.parentUuid) : undefined);
    thread ??= line.uuid ?? 'sidechain';
    if (line.uuid) this.threads.set(line.uuid, thread);
    const id = `${sid}-agent-${thread}`;
    const tags = subAgentTags(thread, this.file.rel);
    const state =
      this.unit.sessions.get(id) ??
      this.unit.create(new SessionDraft({ id, parentId: sid, format: FORMATS.inline, tags }), true);
    return this.adopt(state);
  }

  /** Counts a session as this file's; the first one gets what was read before it. */
  private adopt(state: SessionState): SessionState {
    if (this.sessions.includes(state)) return state;
    this.sessions.push(state);
    if (this.sessions.length > 1) return state;
    const orphans = this.orphans;
    for (const event of orphans.events) this.out.push({ session: state.draft, event });
    for (const u of orphans.unknown)
      this.out.push({
        session: state.draft,
        event: { ...unknownRecord(state.draft, u.type, u.record, u.ts), key: u.key },
      });
    for (const r of orphans.reasons) state.draft.addReason(r);
    orphans.events = [];
    orphans.unknown = [];
    orphans.reasons.clear();
    return state;
  }

  private warn(event: EventDraft, key: string, reason?: string): void {
    event.key = `${key}#0`;
    if (this.current) {
      this.out.push({ session: this.current.draft, event });
      if (reason) this.current.draft.addReason(reason);
    } else {
      this.orphans.events.push(event);
      if (reason) this.orphans.reasons.add(reason);
    }
  }
}

class UnitConverter {
  readonly sessions = new Map<string, SessionState>();
  /** Uuids of the lines already emitted in the unit (a re-appended copy is emitted once). */
  readonly seenUuids = new Set<string>();
  readonly mainIds: Set<string>;
  private readonly spills = new Map<string, SourceFile>();
  private readonly metas = new Map<string, SourceFile>();
  readonly journalAgents = new Map<string, JournalAgent>();
  /** Ids of records without a `uuid` (README: Event keys). */
  readonly recordIds = new RecordIds();

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
    const reader = new TranscriptFile(this, file, meta);
    for (const rec of readJsonRecords(file.path, this.ctx.stats)) {
      if (reader.out.full) yield reader.out.take();
      reader.out.read(rec.line.bytes.length);
      reader.record(rec);
    }
    reader.end();
    if (!reader.out.empty) yield reader.out.take();
  }

  create(draft: SessionDraft, sub: boolean): SessionState {
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
  flushResponse(state: SessionState, out: Batch): void {
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
        cacheCreation1h: u.cache_creation?.ephemeral_1h_input_tokens,
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

  assistant(state: SessionState, line: ClaudeLine, file: SourceFile, lineNo: number, events: RecordEvents): void {
    const ts = normalizeTimestamp(line.timestamp);
    const parsed = parseRecord(ClaudeAssistantMessage, line.message);
    if (!parsed.success) {
      events.push(parseWarning(file.path, lineNo, 'assistant line without a readable message', undefined, ts));
      return;
    }
    const msg = parsed.data;
    if (msg.model === '<synthetic>' || line.isApiErrorMessage) return events.push(apiErrorEvent(line, msg, ts));
    this.noteResponse(state, line, msg, lineNo, events, ts);
    for (const block of contentBlocks(msg.content))
      if (isRecord(block)) events.push(assistantBlockEvent(state.draft, block, msg.id ?? undefined, ts));
  }

  /**
   * Keeps the usage of the API response an assistant line is part of, from its line with the most
   * output tokens; a line of another response first emits the open one's usage.
   */
  private noteResponse(
    state: SessionState,
    line: ClaudeLine,
    msg: ClaudeAssistantMessage,
    lineNo: number,
    events: RecordEvents,
    ts: string | undefined,
  ): void {
    const model = msg.model ?? undefined;
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
  }

  user(state: SessionState, line: ClaudeLine, file: SourceFile, lineNo: number, events: RecordEvents): void {
    const ts = normalizeTimestamp(line.timestamp);
    const parsed = parseRecord(ClaudeUserMessage, line.message);
    const content = parsed.success ? parsed.data.content : undefined;
    const results = Array.isArray(content) ? content.filter((b) => isRecord(b) && b.type === 'tool_result').length : 0;
    // A line that is not a tool result ends the open response: its usage goes before it.
    if (results === 0) this.flushResponse(state, events.out);
    const turn = new UserLine(state, line, events, ts);
    if (typeof content === 'string') {
      for (const [role, text] of turn.split(content)) turn.say(role, text);
      return;
    }
    if (!Array.isArray(content)) {
      events.push(parseWarning(file.path, lineNo, 'user line without message content', undefined, ts));
      return;
    }
    for (const block of content) {
      if (isRecord(block) && block.type === 'tool_result') {
        turn.flush();
        events.push(this.toolResult(state, line, block, results, ts));
        continue;
      }
      const text = blockText(block);
      if (text !== null) {
        const parts = isRecord(block) && block.type === 'text' ? turn.split(text) : turn.attached(text);
        for (const [role, part] of parts) turn.add(role, part);
      } else if (isRecord(block)) {
        turn.flush();
        events.push(unknownRecord(state.draft, `user content block ${String(block.type)}`, block, ts));
      }
    }
    turn.flush();
  }

  /** A `tool_result` block; the line's `toolUseResult` is its data when it is this result's. */
  private toolResult(
    state: SessionState,
    line: ClaudeLine,
    block: Record<string, unknown>,
    results: number,
    ts: string | undefined,
  ): EventDraft {
    const toolId = typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
    const { output, spillMissing } = this.resultOutput(state, block.content, line);
    const data =
      line.toolUseResult !== undefined && (results === 1 || (toolId !== undefined && line.sourceToolUseID === toolId))
        ? scrubBlobs(line.toolUseResult)
        : undefined;
    // Without its spilled file the result is only a pointer: `partial`, so that a re-import
    // keeps the whole output an earlier import read.
    return {
      type: 'tool_result',
      tool_id: toolId,
      success: block.is_error !== true,
      output,
      data,
      ts,
      ...(spillMissing ? { completeness: 'partial' as const } : {}),
    };
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

  system(state: SessionState, line: ClaudeLine, record: unknown, events: RecordEvents): void {
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

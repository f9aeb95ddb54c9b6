/**
 * Gemini CLI records → normalized events. The mapping table, roles and usage semantics are in
 * README.md. Three unit kinds: the chat files of one session (all copies, merged by sessionId),
 * the prompt logs of the home, and the `/chat save` checkpoints of one tag.
 */
import { isRecord } from '../../src/io/json.js';
import { readJsonDocumentOrPrefix } from '../../src/io/json-prefix.js';
import { inferToolKind, type EventDraft, type ToolKind } from '../../src/model/events.js';
import { Batch } from '../../src/session/batch.js';
import { SessionDraft } from '../../src/session/draft.js';
import {
  INVALID_UTF8_REASON,
  parseWarning,
  unknownRecord,
  valueRaw,
  type Handling,
} from '../../src/session/records.js';
import { RecordIds, keyed } from '../../src/util/ids.js';
import { maxTimestamp, normalizeTimestamp } from '../../src/util/time.js';
import { isEmptyUsage, normalizeUsage, tokenCount, type UsageDraft } from '../../src/util/usage.js';
import { SourceError, type ConvertContext, type ConvertOutput, type SourceUnit } from '../types.js';
import { readJsonl, readLegacy, sessionIdOf, type Conversation } from './records.js';
import { CheckpointContent, CheckpointFile, LogEntry, MessageRecord, Thought, ToolCallRecord } from './schema.js';
import { chatFileId } from './layout.js';
import { projectDirOf, projectIndex } from './workspace.js';
import { issueText, parseRecord } from '../../src/util/fast-parse.js';

/** `format` values this adapter writes (README "Sources and units"). */
const FORMATS = {
  json: 'gemini:json',
  jsonl: 'gemini:jsonl',
  logs: 'gemini:logs',
  checkpoint: 'gemini:checkpoint',
} as const;

/** Exact tool names of Gemini CLI's built-in tools; anything else goes through inferToolKind. */
const TOOL_KINDS: Readonly<Record<string, ToolKind>> = {
  run_shell_command: 'shell',
  read_file: 'file_read',
  read_many_files: 'file_read',
  write_file: 'file_write',
  replace: 'file_edit',
  edit: 'file_edit',
  glob: 'search',
  search_file_content: 'search',
  grep: 'search',
  list_directory: 'search',
  web_fetch: 'web',
  google_web_search: 'web',
};

export function toolKind(name: string, agentId?: string): ToolKind {
  if (agentId) return 'sub_agent';
  return TOOL_KINDS[name] ?? inferToolKind(name);
}

/**
 * Message `type`s of a conversation (README "Record types"); any other goes through
 * `unknownRecord()`.
 */
export const RECORD_TYPES: Readonly<Record<string, Handling>> = {
  user: 'mapped',
  gemini: 'mapped',
  info: 'status',
  error: 'status',
  warning: 'status',
};

/**
 * Kinds of part in a message's `content` / `displayContent` (a part is of the first kind it has a
 * key of; `thought`, `thoughtSignature`, `videoMetadata` … only qualify it).
 */
export const PART_KINDS: Readonly<Record<string, Handling>> = {
  text: 'mapped',
  inlineData: 'mapped',
  fileData: 'mapped',
  functionResponse: 'mapped',
  functionCall: { ignored: 'a message records its calls in toolCalls' },
};

/** Parts of a message's content of no kind in `PART_KINDS`: kept and counted, as unknown records. */
function* unknownParts(msg: MessageRecord, draft: SessionDraft, ts: string | undefined): Generator<EventDraft> {
  for (const [field, value] of [
    ['content', msg.content],
    ['displayContent', msg.displayContent],
  ] as const) {
    for (const [i, part] of (Array.isArray(value) ? value : [value]).entries()) {
      if (!isRecord(part) || Object.keys(part).some((k) => PART_KINDS[k] !== undefined)) continue;
      yield {
        ...unknownRecord(draft, `part:${Object.keys(part)[0] ?? '(empty)'}`, part, ts),
        key: `${msg.id}#${field}.${i}`,
      };
    }
  }
}

/** Roles of a `/chat save` checkpoint's API history. */
export const CHECKPOINT_ROLES: Readonly<Record<string, Handling>> = {
  user: 'mapped',
  model: 'mapped',
};

const PROMPT_LOG_REASON = 'prompt log only';
const NO_TOOL_CALLS_REASON = 'recorded by a Gemini CLI build that did not record tool calls (v0.6–v0.8, Sept–Oct 2025)';
const CHECKPOINT_SAVE_TIME_REASON =
  'no per-turn timestamps: every event carries the time of the /chat save command (prompt log)';
const CHECKPOINT_MTIME_REASON = "no native timestamps: times are the checkpoint file's modification time";

/**
 * Builds v0.6.0–v0.8.x dropped `toolCalls` (deleted 2025-09-15 in nightlies, restored in v0.9.0 of
 * mid-October). A session with gemini messages in this window and no `toolCalls` anywhere is
 * treated as one of them (the window ends a week after v0.9.0 to cover late upgrades).
 */
const NO_TOOL_CALLS_FROM = '2025-09-15T00:00:00.000Z';
const NO_TOOL_CALLS_UNTIL = '2025-10-21T00:00:00.000Z';

/** Text of a PartListUnion: strings and `text` parts; non-text parts become short placeholders. */
function partsText(value: unknown, want: 'answer' | 'thought' = 'answer'): string {
  if (typeof value === 'string') return want === 'answer' ? value : '';
  if (Array.isArray(value)) {
    let out = '';
    for (const part of value) {
      const text = partsText(part, want);
      if (text === '') continue;
      // Text parts are joined as the CLI joins them; a placeholder goes on a line of its own.
      const placeholder = isRecord(part) && typeof part.text !== 'string';
      out += placeholder && out !== '' && !out.endsWith('\n') ? `\n${text}` : text;
    }
    return out;
  }
  if (!isRecord(value)) return '';
  const isThought = value.thought === true;
  if (typeof value.text === 'string') return isThought === (want === 'thought') ? value.text : '';
  if (want === 'thought') return '';
  if (isRecord(value.inlineData)) return `[inline data: ${String(value.inlineData.mimeType ?? 'unknown type')}]`;
  if (isRecord(value.fileData))
    return `[file: ${String(value.fileData.fileUri ?? value.fileData.mimeType ?? 'unknown')}]`;
  return '';
}

/**
 * Text the CLI injected into the user turn, by its opening -> `user_message.role` (its own marks,
 * sessionUtils `isIgnoredUserContent`); anything else was typed.
 */
const ROLES: readonly (readonly [opening: string, role: string])[] = [
  ['<session_context>', 'harness'],
  ['<hook_context>', 'harness'],
];

function promptRole(text: string): string {
  const t = text.trimStart();
  return ROLES.find(([opening]) => t.startsWith(opening))?.[1] ?? 'user';
}

/**
 * A user message: `displayContent` (what was typed) wins over `content` (what was sent). A message
 * whose shown content is only functionResponse parts is the CLI recording a tool response: no
 * prompt at all when it has no text (v0.44+ synthetic records), text the CLI injected (`harness`)
 * when it has some (e.g. "System: Please continue.").
 */
function userEvent(msg: MessageRecord, ts: string | undefined): EventDraft | null {
  const shown = msg.displayContent === undefined || msg.displayContent === null ? msg.content : msg.displayContent;
  const shownText = partsText(shown);
  if (shownText.trim() === '') {
    const sent = partsText(msg.content);
    if (sent.trim() === '') return null;
    return { type: 'user_message', role: 'harness', content: sent, message_id: msg.id, ts };
  }
  return {
    type: 'user_message',
    role: promptRole(shownText),
    content: shownText,
    message_id: msg.id,
    ts,
  };
}

function thoughtText(subject: string | undefined, description: string | undefined): string {
  const s = subject?.trim() ?? '';
  const d = description?.trim() ?? '';
  return s && d ? `**${s}**\n\n${d}` : s ? `**${s}**` : d;
}

/** Output and error of a tool result (`result` PartListUnion, usually one functionResponse). */
function toolOutcome(result: unknown): { output?: string; error?: string } {
  if (result === null || result === undefined) return {};
  if (typeof result === 'string') return { output: result };
  const parts = Array.isArray(result) ? result : [result];
  const outputs: string[] = [];
  let error: string | undefined;
  for (const part of parts) {
    if (typeof part === 'string') outputs.push(part);
    else if (isRecord(part) && isRecord(part.functionResponse)) {
      const response = part.functionResponse.response;
      if (isRecord(response) && (typeof response.output === 'string' || typeof response.error === 'string')) {
        if (typeof response.output === 'string') outputs.push(response.output);
        if (typeof response.error === 'string')
          error = error === undefined ? response.error : `${error}\n${response.error}`;
      } else if (response !== undefined)
        outputs.push(typeof response === 'string' ? response : JSON.stringify(response));
    } else {
      const text = partsText(part);
      if (text !== '') outputs.push(text);
    }
  }
  return { ...(outputs.length > 0 ? { output: outputs.join('\n') } : {}), ...(error !== undefined ? { error } : {}) };
}

interface MessageState {
  sawToolCalls: boolean;
  inToolGap: boolean;
  /** Keys of records that have no id. */
  keys: RecordIds;
}

/**
 * The provider's own total of one API call against the usage event made of it: `tokens.total` =
 * input (cached included) + output + thoughts + tool, i.e. our input + cache read + output.
 */
function totalMismatch(messageId: string, total: number | null | undefined, usage: UsageDraft): string | null {
  if (typeof total !== 'number') return null;
  const counted = usage.input_tokens + (usage.cache_read_tokens ?? 0) + usage.output_tokens;
  if (counted === tokenCount(total)) return null;
  return `usage differs from tokens.total of message ${messageId}: ${counted} emitted (input ${usage.input_tokens} + cache read ${usage.cache_read_tokens ?? 0} + output ${usage.output_tokens}), ${total} stated`;
}

/** Where a message is and the session it belongs to: what each part of its mapping needs. */
interface MessageContext {
  conv: Conversation;
  /** Line of the message in a JSONL file. */
  line: number | undefined;
  draft: SessionDraft;
  state: MessageState;
}

/** A warning about a part of a message, keyed by the part. */
function partWarning(c: MessageContext, what: string, item: unknown, key: string): EventDraft {
  return { ...parseWarning(c.conv.path, c.line, what, valueRaw(item)), key };
}

/** The events of one message, in order: reasoning, answer, each tool call and its result, usage. */
function* messageEvents(
  raw: unknown,
  conv: Conversation,
  key: string,
  draft: SessionDraft,
  state: MessageState,
): Generator<EventDraft> {
  const c: MessageContext = { conv, line: conv.lines.get(key), draft, state };
  const parsed = parseRecord(MessageRecord, raw);
  if (!parsed.success) {
    // A message without an id is keyed `\0<n>` in the conversation: named by its content instead.
    const unnamed = key.startsWith('\0');
    const what = `message ${unnamed ? '' : `${key} `}not understood (${issueText(parsed.error)})`;
    yield partWarning(c, what, raw, unnamed ? state.keys.next(JSON.stringify(raw)) : key);
    return;
  }
  const msg = parsed.data;
  const ts = normalizeTimestamp(msg.timestamp);
  const handling = RECORD_TYPES[msg.type];
  if (handling === undefined) {
    yield { ...unknownRecord(draft, msg.type, raw, ts), key: msg.id };
    return;
  }
  yield* unknownParts(msg, draft, ts);
  if (handling === 'status')
    yield { type: 'provider_status', message: partsText(msg.content), data: { type: msg.type }, ts, key: msg.id };
  else if (msg.type === 'user') {
    const event = userEvent(msg, ts);
    if (event) yield { ...event, key: msg.id };
  } else yield* answerEvents(c, msg, ts);
}

/** A `gemini` message: thoughts, reasoning, answer, tool calls with their results, usage. */
function* answerEvents(c: MessageContext, msg: MessageRecord, ts: string | undefined): Generator<EventDraft> {
  c.draft.noteModel(msg.model);
  if (ts !== undefined && ts >= NO_TOOL_CALLS_FROM && ts < NO_TOOL_CALLS_UNTIL) c.state.inToolGap = true;
  for (const [k, item] of (msg.thoughts ?? []).entries()) {
    const thought = parseRecord(Thought, item);
    const key = `${msg.id}#thought.${k}`;
    if (!thought.success) {
      yield partWarning(c, `message ${msg.id}: thought not understood (${issueText(thought.error)})`, item, key);
      continue;
    }
    const content = thoughtText(thought.data.subject, thought.data.description);
    const at = normalizeTimestamp(thought.data.timestamp) ?? ts;
    if (content !== '') yield { type: 'reasoning', content, message_id: msg.id, ts: at, key };
  }
  const thinking = partsText(msg.content, 'thought');
  if (thinking !== '')
    yield { type: 'reasoning', content: thinking, message_id: msg.id, ts, key: `${msg.id}#reasoning` };
  const answer = partsText(msg.content);
  if (answer !== '')
    yield { type: 'assistant_message', content: answer, message_id: msg.id, ts, key: `${msg.id}#text` };
  if (msg.toolCalls) c.state.sawToolCalls = true;
  for (const [k, item] of (msg.toolCalls ?? []).entries()) {
    const call = parseRecord(ToolCallRecord, item);
    if (call.success) yield* toolCallEvents(msg.id, k, call.data, ts);
    else {
      const what = `message ${msg.id}: tool call not understood (${issueText(call.error)})`;
      yield partWarning(c, what, item, `${msg.id}#call.${k}`);
    }
  }
  const usage = msg.tokens ? usageEvent(c.draft, msg, msg.tokens) : null;
  if (usage) yield { ...usage, ts, key: `${msg.id}#usage` };
}

/** The `k`-th tool call of a message: the call, and its result (the record holds both). */
function toolCallEvents(messageId: string, k: number, tc: ToolCallRecord, ts: string | undefined): EventDraft[] {
  const toolId = tc.id ?? `${messageId}#${k + 1}`;
  const kind = toolKind(tc.name, tc.agentId);
  const { output, error } = toolOutcome(tc.result);
  const success = tc.status === undefined ? undefined : tc.status === 'success';
  const data: Record<string, unknown> = {};
  if (tc.status !== undefined) data.status = tc.status;
  if (tc.resultDisplay !== undefined) data.resultDisplay = tc.resultDisplay;
  if (tc.agentId !== undefined) data.agentId = tc.agentId;
  return [
    {
      type: 'tool_call',
      tool_name: tc.name,
      tool_kind: kind,
      tool_id: toolId,
      input: tc.args,
      ts,
      key: `${messageId}#call.${k}`,
    },
    {
      type: 'tool_result',
      tool_name: tc.name,
      tool_kind: kind,
      tool_id: toolId,
      ...(success !== undefined ? { success } : {}),
      ...(output !== undefined ? { output } : {}),
      ...(error !== undefined ? { error } : success === false ? { error: tc.status! } : {}),
      ...(Object.keys(data).length > 0 ? { data } : {}),
      ts: normalizeTimestamp(tc.timestamp) ?? ts,
      key: `${messageId}#result.${k}`,
    },
  ];
}

/** A message's usage (null when it counts nothing), checked against the total it states. */
function usageEvent(
  draft: SessionDraft,
  msg: MessageRecord,
  t: NonNullable<MessageRecord['tokens']>,
): UsageDraft | null {
  const usage = normalizeUsage(
    {
      input: t.input,
      output: t.output,
      cacheRead: t.cached,
      reasoning: t.thoughts,
      toolInput: t.tool,
      model: msg.model ?? undefined,
    },
    { inputIncludesCacheRead: true, outputIncludesReasoning: false },
  );
  const mismatch = totalMismatch(msg.id, t.total, usage);
  if (mismatch) draft.addReason(mismatch);
  return isEmptyUsage(usage) ? null : usage;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The copy a session is converted from: the newest `lastUpdated`, as the CLI's own session list
 * does; a copy with no messages (a header-only file left by resume) never wins over one with some.
 */
function pickCopy(copies: Conversation[]): Conversation {
  const updated = (c: Conversation) => normalizeTimestamp(c.meta.lastUpdated) ?? '';
  return [...copies].sort(
    (a, b) =>
      Number(b.messages.size > 0) - Number(a.messages.size > 0) ||
      byText(updated(b), updated(a)) ||
      b.messages.size - a.messages.size ||
      Number(b.format === 'jsonl') - Number(a.format === 'jsonl') ||
      byText(a.path, b.path),
  )[0]!;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The chat files of one session (twins, migrated copies, resume leftovers), or of one subagent. */
export async function* convertChats(
  unit: SourceUnit,
  ctx: ConvertContext,
  parentId: string | null,
): AsyncGenerator<ConvertOutput> {
  const projects = await projectIndex(ctx.allFiles, ctx.stats, ctx.warn);
  const copies = new Map<string, Conversation[]>();
  const dirOf = new Map<string, string>();
  const failures: SourceError[] = [];
  for (const file of unit.files) {
    if (file.size === 0) continue; // debris of abandoned sessions: nothing to import
    let conv: Conversation;
    try {
      conv = file.rel.endsWith('.jsonl')
        ? await readJsonl(file.path, ctx.stats)
        : await readLegacy(file.path, ctx.stats);
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      failures.push(err);
      continue;
    }
    dirOf.set(conv.path, projectDirOf(file.rel));
    const id = sessionIdOf(conv);
    if (id === undefined) {
      if (conv.messages.size > 0 || conv.warnings.length > 0) {
        failures.push(
          new SourceError(
            file.path,
            `no session header (sessionId) found${conv.warnings[0] ? `; ${conv.warnings[0].message}` : ''}`,
          ),
        );
      }
      continue;
    }
    const list = copies.get(id);
    if (list) list.push(conv);
    else copies.set(id, [conv]);
  }
  // Nothing could be read at all: fail the unit so it is retried (a file caught mid-write) and its
  // previous archive is kept. Otherwise the unreadable copy is only reported.
  if (copies.size === 0 && failures.length > 0) throw failures[0]!;
  for (const failure of failures) ctx.warn(failure.message);

  const batch = new Batch();
  for (const sessionId of [...copies.keys()].sort(byText)) {
    for (const { id, parent, all } of conversationsOf(sessionId, copies.get(sessionId)!)) {
      yield* convertConversation(id, sessionId, parent ?? parentId, all, projects, dirOf, batch);
    }
  }
  if (!batch.empty) yield batch.take();
}

/** The A2A server (Cloud Shell agent mode) writes every one of its sessions under this sessionId. */
const A2A_SESSION_ID = 'a2a-server';

function startOf(conv: Conversation): string | undefined {
  return normalizeTimestamp(conv.meta.startTime);
}

/** Copies of one conversation: the same `startTime`, or a message id in common. */
function sameConversation(a: Conversation, b: Conversation): boolean {
  const start = startOf(a);
  if (start !== undefined && start === startOf(b)) return true;
  for (const key of a.messages.keys()) if (!key.startsWith('\0') && b.messages.has(key)) return true;
  return false;
}

/**
 * The conversations among the copies of one sessionId. Usually one; but builds before v0.31 record
 * a sub-agent in a file of its own under its parent's sessionId (disjoint message ids, a later
 * `startTime`), and the A2A server writes all its sessions as `a2a-server`. Copies of each other
 * (`sameConversation`, transitively) are one conversation; a copy without messages (a header-only
 * file left by resume) joins the first. The first conversation keeps the sessionId, each later one
 * is `<sessionId>-<its startTime>`, a sub-agent of the first unless its header says `kind: main`;
 * the A2A server's are all `a2a-server-<startTime>`, none a parent of another.
 */
function conversationsOf(
  sessionId: string,
  copies: Conversation[],
): { id: string; parent: string | null; all: Conversation[] }[] {
  let groups: Conversation[][] = [];
  for (const conv of copies.filter((c) => c.messages.size > 0)) {
    const joined = groups.filter((g) => g.some((other) => sameConversation(other, conv)));
    groups = [...groups.filter((g) => !joined.includes(g)), [...joined.flat(), conv]];
  }
  const empty = copies.filter((c) => c.messages.size === 0);
  if (groups.length === 0) return [{ id: sessionId, parent: null, all: empty }];
  const firstStart = (g: Conversation[]) =>
    g
      .map(startOf)
      .filter((t): t is string => t !== undefined)
      .sort(byText)[0] ?? '';
  groups.sort((a, b) => byText(firstStart(a), firstStart(b)) || byText(a[0]!.path, b[0]!.path));
  groups[0]!.push(...empty);
  const a2a = sessionId === A2A_SESSION_ID;
  if (groups.length === 1 && !a2a) return [{ id: sessionId, parent: null, all: groups[0]! }];
  return groups.map((all, i) => {
    const conv = pickCopy(all);
    const stamp = (
      firstStart(all) ||
      ([...conv.messages.keys()].find((k) => !k.startsWith('\0')) ?? conv.path.slice(conv.path.lastIndexOf('/') + 1))
    ).replace(/:/g, '-');
    if (a2a) return { id: `${sessionId}-${stamp}`, parent: null, all };
    if (i === 0) return { id: sessionId, parent: null, all };
    return { id: `${sessionId}-${stamp}`, parent: conv.meta.kind === 'main' ? null : sessionId, all };
  });
}

type Projects = Awaited<ReturnType<typeof projectIndex>>;

/** The session of a conversation: ids, format, workspace and title from its copies (`conv` the newest). */
function conversationDraft(
  id: string,
  sessionId: string,
  parentId: string | null,
  conv: Conversation,
  all: Conversation[],
  projects: Projects,
  dirOf: Map<string, string>,
): SessionDraft {
  const meta = conv.meta;
  const summary = [conv, ...all]
    .map((c) => c.meta.summary)
    .find((s): s is string => typeof s === 'string' && s.trim() !== '');
  const directories = stringList(meta.directories);
  const projectHash = typeof meta.projectHash === 'string' ? meta.projectHash : undefined;
  let workspace: string | null = null;
  for (const c of [conv, ...all]) {
    workspace ??= projects.resolve(dirOf.get(c.path) ?? '', projectHash, directories);
  }
  const draft = new SessionDraft({
    id,
    providerSessionId: sessionId,
    parentId,
    format: FORMATS[conv.format],
    workspacePath: workspace,
    title: summary ?? null,
  });
  draft.sourcePaths = all.map((c) => c.path);
  if (meta.kind === 'subagent' || parentId !== null) draft.tags.push('subagent');
  draft.startedAt = normalizeTimestamp(meta.startTime) ?? null;
  for (const reason of conv.reasons) draft.addReason(reason);
  return draft;
}

/** What reading the file left besides messages: unknown lines and warnings, keyed by their content. */
function readingEvents(conv: Conversation, draft: SessionDraft, keys: RecordIds): EventDraft[] {
  return [
    ...conv.unknown.map((unknown) => ({
      ...unknownRecord(draft, unknown.type, unknown.record),
      key: keys.next(JSON.stringify(unknown.record)),
    })),
    // Keyed by what it says without the file's path: the key must not change when the home moves.
    ...conv.warnings.map((warning) => ({
      ...warning,
      key: keys.next(JSON.stringify([warning.message.split(conv.path).join(''), warning.raw])),
    })),
  ];
}

/** One conversation, from its newest copy (`pickCopy`); every copy is a source path. */
function* convertConversation(
  id: string,
  sessionId: string,
  parentId: string | null,
  all: Conversation[],
  projects: Projects,
  dirOf: Map<string, string>,
  batch: Batch,
): Generator<ConvertOutput> {
  const conv = pickCopy(all);
  const draft = conversationDraft(id, sessionId, parentId, conv, all, projects, dirOf);
  let last = normalizeTimestamp(conv.meta.lastUpdated);
  let count = 0;
  const state: MessageState = { sawToolCalls: false, inToolGap: false, keys: new RecordIds() };
  for (const [key, raw] of conv.messages) {
    if (batch.full) yield batch.take();
    for (const event of messageEvents(raw, conv, key, draft, state)) {
      last = maxTimestamp(last, event.ts);
      count++;
      batch.push({ session: draft, event });
    }
  }
  for (const event of readingEvents(conv, draft, state.keys)) {
    count++;
    batch.push({ session: draft, event });
  }
  if (state.inToolGap && !state.sawToolCalls) draft.addReason(NO_TOOL_CALLS_REASON);
  if (last !== undefined && (draft.startedAt === null || last >= draft.startedAt)) draft.endedAt = last;
  if (count === 0) batch.push({ session: draft, end: true });
}

/** Ids (first 8 characters) of the sessions that have a chat file anywhere in the home. */
function chatIds(ctx: ConvertContext): Set<string> {
  const ids = new Set<string>();
  for (const file of ctx.allFiles) {
    const m = /\/chats\/(session-[^/]*)\.jsonl?$/.exec(file.rel);
    if (m) ids.add(chatFileId(m[1]!));
  }
  return ids;
}

/** The prompts of one session of the prompt logs, and the logs they are in. */
interface LoggedSession {
  prompts: Map<number, { message: string; ts: string | undefined }>;
  files: string[];
  dirs: string[];
}

/** Reads every prompt log of the unit into `sessions`, but for the sessions in `withChat`. */
async function readPromptLogs(
  unit: SourceUnit,
  ctx: ConvertContext,
  withChat: Set<string>,
  sessions: Map<string, LoggedSession>,
): Promise<void> {
  for (const file of unit.files) {
    const doc = await readJsonDocumentOrPrefix(file.path, 1, ctx.stats);
    if (!doc.ok) {
      ctx.warn(`${file.path}: ${doc.error}`);
      continue;
    }
    if (doc.truncated) ctx.warn(`${file.path}: ${doc.truncated.error}; the entries after the cut are lost`);
    if (!Array.isArray(doc.value)) {
      ctx.warn(`${file.path}: not a prompt log (not a JSON array)`);
      continue;
    }
    let bad = 0;
    for (const item of doc.value) {
      const entry = parseRecord(LogEntry, item);
      if (!entry.success) {
        bad++;
        continue;
      }
      const { sessionId, messageId, message, timestamp } = entry.data;
      if (withChat.has(sessionId.slice(0, 8))) continue;
      let s = sessions.get(sessionId);
      if (!s) sessions.set(sessionId, (s = { prompts: new Map(), files: [], dirs: [] }));
      if (!s.files.includes(file.path)) {
        s.files.push(file.path);
        s.dirs.push(projectDirOf(file.rel));
      }
      if (!s.prompts.has(messageId)) s.prompts.set(messageId, { message, ts: normalizeTimestamp(timestamp) });
    }
    // The CLI drops such entries too (it keeps only entries with all five typed fields).
    if (bad > 0)
      ctx.warn(
        `${file.path}: skipped ${bad} entr${bad === 1 ? 'y' : 'ies'} without the five fields of a prompt log entry`,
      );
  }
}

/**
 * Every `logs.json` of the home (copies of one project's log sit in its hashed and slug dirs): one
 * `partial` session per sessionId that has no chat file, made of its prompts.
 */
export async function* convertPromptLogs(unit: SourceUnit, ctx: ConvertContext): AsyncGenerator<ConvertOutput> {
  const projects = await projectIndex(ctx.allFiles, ctx.stats, ctx.warn);
  const sessions = new Map<string, LoggedSession>();
  await readPromptLogs(unit, ctx, chatIds(ctx), sessions);
  const batch = new Batch();
  for (const id of [...sessions.keys()].sort(byText)) {
    const s = sessions.get(id)!;
    let workspace: string | null = null;
    for (const dir of s.dirs) workspace ??= projects.resolve(dir);
    const draft = new SessionDraft({ id, format: FORMATS.logs, workspacePath: workspace });
    draft.sourcePaths = s.files;
    draft.addReason(PROMPT_LOG_REASON);
    const prompts = [...s.prompts].sort(([a, pa], [b, pb]) => byText(pa.ts ?? '', pb.ts ?? '') || a - b);
    for (const [messageId, p] of prompts) {
      if (batch.full) yield batch.take();
      batch.push({
        session: draft,
        event: {
          type: 'user_message',
          role: 'user',
          content: p.message,
          message_id: String(messageId),
          ts: p.ts,
          key: `prompt.${messageId}`,
        },
      });
    }
  }
  if (!batch.empty) yield batch.take();
}

/**
 * `checkpoint-<tag>.json` files of one tag: one session per project (the copies a migration left in
 * the hashed and slug dirs are one: the newest file wins). The API history has no times, ids or
 * token counts; every event gets the file's modification time.
 */
export async function* convertCheckpoints(unit: SourceUnit, ctx: ConvertContext): AsyncGenerator<ConvertOutput> {
  const projects = await projectIndex(ctx.allFiles, ctx.stats, ctx.warn);
  const byProject = new Map<string, (typeof unit.files)[number][]>();
  for (const file of unit.files) {
    const key = projects.projectKey(projectDirOf(file.rel));
    const list = byProject.get(key);
    if (list) list.push(file);
    else byProject.set(key, [file]);
  }
  const batch = new Batch();
  for (const key of [...byProject.keys()].sort(byText)) {
    const files = byProject.get(key)!;
    const file = [...files].sort((a, b) => b.mtimeMs - a.mtimeMs || byText(a.rel, b.rel))[0]!;
    const tag = /checkpoint-(.*)\.json$/.exec(file.rel)?.[1] ?? file.rel;
    let title = tag;
    try {
      title = decodeURIComponent(tag);
    } catch {
      // not URI-encoded (names before v0.1.22)
    }
    const dir = projectDirOf(file.rel);
    const draft = new SessionDraft({
      id: `checkpoint-${key.length === 64 ? key.slice(0, 16) : key}-${tag}`,
      providerSessionId: null,
      format: FORMATS.checkpoint,
      workspacePath: projects.resolve(dir),
      title,
    });
    draft.sourcePaths = files.map((f) => f.path);
    const saved = await saveTime(title, [...new Set(files.map((f) => projectDirOf(f.rel)))], ctx);
    const ts = saved ?? new Date(file.mtimeMs).toISOString();
    draft.addReason(saved !== undefined ? CHECKPOINT_SAVE_TIME_REASON : CHECKPOINT_MTIME_REASON);
    const doc = await readJsonDocumentOrPrefix(file.path, 2, ctx.stats);
    if (!doc.ok) throw new SourceError(file.path, doc.error);
    if (doc.invalidUtf8) draft.addReason(INVALID_UTF8_REASON);
    if (doc.truncated) {
      draft.addReason('truncated JSON: the turns after the cut are lost');
      batch.push({
        session: draft,
        event: { ...parseWarning(file.path, undefined, doc.truncated.error, doc.truncated.tail, ts), key: 'truncated' },
      });
    }
    const parsed = parseRecord(CheckpointFile, doc.value);
    if (!parsed.success) throw new SourceError(file.path, 'not a chat checkpoint (neither Content[] nor {history})');
    const history = Array.isArray(parsed.data) ? parsed.data : parsed.data.history;
    let count = 0;
    for (const event of checkpointEvents(history, file.path, draft)) {
      if (batch.full) yield batch.take();
      count++;
      batch.push({ session: draft, event: { ...event, ts } });
    }
    if (count === 0) batch.push({ session: draft, end: true });
  }
  if (!batch.empty) yield batch.take();
}

const SAVE_COMMAND = /^\/(?:chat|resume)\s+save\s+(.+?)\s*$/;

/**
 * When the checkpoint was saved: the last `/chat save <tag>` (or `/resume save`) prompt in the
 * project's prompt logs. A checkpoint itself has no time at all.
 */
async function saveTime(tag: string, dirs: readonly string[], ctx: ConvertContext): Promise<string | undefined> {
  let latest: string | undefined;
  for (const file of ctx.allFiles) {
    if (!dirs.some((dir) => file.rel === `tmp/${dir}/logs.json`)) continue;
    const doc = await readJsonDocumentOrPrefix(file.path, 1, ctx.stats);
    if (!doc.ok || !Array.isArray(doc.value)) continue;
    for (const item of doc.value) {
      const entry = parseRecord(LogEntry, item);
      if (entry.success && SAVE_COMMAND.exec(entry.data.message)?.[1] === tag)
        latest = maxTimestamp(latest, normalizeTimestamp(entry.data.timestamp));
    }
  }
  return latest;
}

/** Ids of an old history's calls, which have none: `call-<n>`, paired with results by tool name. */
class CheckpointCallIds {
  private readonly pending = new Map<string, string[]>();
  private synthetic = 0;

  call(name: string, id: unknown): string {
    if (typeof id === 'string') return id;
    const made = `call-${++this.synthetic}`;
    this.pending.set(name, [...(this.pending.get(name) ?? []), made]);
    return made;
  }

  result(name: string, id: unknown): string | undefined {
    return typeof id === 'string' ? id : this.pending.get(name)?.shift();
  }
}

/** The tool call and the tool result a part of a turn may hold. */
function partEvents(part: unknown, ids: CheckpointCallIds): EventDraft[] {
  if (!isRecord(part)) return [];
  const events: EventDraft[] = [];
  const call = part.functionCall;
  if (isRecord(call) && typeof call.name === 'string') {
    const id = ids.call(call.name, call.id);
    events.push({
      type: 'tool_call',
      tool_name: call.name,
      tool_kind: toolKind(call.name),
      tool_id: id,
      input: call.args,
    });
  }
  const response = part.functionResponse;
  if (isRecord(response) && typeof response.name === 'string') {
    const id = ids.result(response.name, response.id);
    const { output, error } = toolOutcome([part]);
    events.push({
      type: 'tool_result',
      tool_name: response.name,
      tool_kind: toolKind(response.name),
      ...(id !== undefined ? { tool_id: id } : {}),
      ...(output !== undefined ? { output } : {}),
      ...(error !== undefined ? { success: false, error } : {}),
    });
  }
  return events;
}

/**
 * API history (`Content[]`) → events; call ids missing from old histories are paired by name. A
 * turn has no id: its events are keyed by its content (`RecordIds`).
 */
function* checkpointEvents(history: unknown[], path: string, draft: SessionDraft): Generator<EventDraft> {
  const ids = new CheckpointCallIds();
  const keys = new RecordIds();
  for (const [i, item] of history.entries()) {
    const key = keys.next(JSON.stringify(item));
    const turn = parseRecord(CheckpointContent, item);
    if (!turn.success) {
      const what = `turn ${i + 1} not understood (${issueText(turn.error)})`;
      yield { ...parseWarning(path, undefined, what, valueRaw(item)), key };
      continue;
    }
    const role = turn.data.role ?? '';
    const parts = turn.data.parts ?? [];
    if (CHECKPOINT_ROLES[role] === undefined) {
      yield { ...unknownRecord(draft, `role:${role || '(none)'}`, item), key };
      continue;
    }
    const events: EventDraft[] = [];
    const thinking = role === 'model' ? partsText(parts, 'thought') : '';
    if (thinking !== '') events.push({ type: 'reasoning', content: thinking });
    const text = partsText(parts);
    if (text !== '')
      events.push(
        role === 'user'
          ? { type: 'user_message', role: 'user', content: text }
          : { type: 'assistant_message', content: text },
      );
    for (const part of parts) events.push(...partEvents(part, ids));
    yield* keyed(events, key);
  }
}

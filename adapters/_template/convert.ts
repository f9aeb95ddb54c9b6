/**
 * Template transcripts -> event drafts. One unit = one `sessions/<id>.jsonl`, one session. The
 * file reads top to bottom like the README: the tables, then the reader whose `record()` is the
 * record table as a switch. Mapping table: README.md.
 */
import type { ConvertContext, ConvertOutput, SourceUnit } from '../types.js';
import { inferToolKind, type EventDraft, type ToolKind } from '../../src/model/events.js';
import { Batch } from '../../src/session/batch.js';
import { SessionDraft } from '../../src/session/draft.js';
import {
  ignoredTypes,
  lineRaw,
  parseWarning,
  readJsonRecords,
  TORN_LINE_REASON,
  unknownRecord,
  type Handling,
  type JsonRecord,
} from '../../src/session/records.js';
import { issueText, parseRecord } from '../../src/util/fast-parse.js';
import { RecordIds } from '../../src/util/ids.js';
import { normalizeTimestamp } from '../../src/util/time.js';
import { isEmptyUsage, normalizeUsage } from '../../src/util/usage.js';
import { sessionIdOf } from './layout.js';
import { TemplateLine } from './schema.js';

/** `format` values this adapter writes (index `format`, README "Sessions"). */
export const FORMATS = { main: 'template:jsonl' } as const;

/** Every native record type, and what becomes of it (README "Record types", row for row). */
export const RECORD_TYPES: Readonly<Record<string, Handling>> = {
  session_meta: 'mapped',
  prompt: 'mapped',
  answer: 'mapped',
  tool_call: 'mapped',
  tool_result: 'mapped',
  notice: 'status',
  heartbeat: { ignored: 'liveness ping, no content' },
};

/** Types deliberately not converted; any type outside `RECORD_TYPES` is an unknown record. */
const IGNORED = ignoredTypes(RECORD_TYPES);

/** Exact tool table; names it lacks go through `inferToolKind`. */
const TOOL_KINDS: Readonly<Record<string, ToolKind>> = { run: 'shell', open: 'file_read', save: 'file_write' };

function toolKind(name: string): ToolKind {
  return TOOL_KINDS[name] ?? inferToolKind(name);
}

/** Harness text by its opening -> `user_message.role` (README "Roles"); anything else was typed. */
const ROLES: readonly (readonly [opening: string, role: string])[] = [['<reminder>', 'system_reminder']];

function promptRole(text: string): string {
  return ROLES.find(([opening]) => text.startsWith(opening))?.[1] ?? 'user';
}

/** One transcript being read: the session it fills and where its items go. */
class TemplateFile {
  readonly out = new Batch();
  private readonly recordIds = new RecordIds();

  constructor(
    private readonly path: string,
    readonly draft: SessionDraft,
  ) {}

  /** One line of the file; the switch is the README's record table. */
  record(rec: JsonRecord): void {
    if (!rec.ok) return this.warn(rec.warning, rec.line.bytes, rec.line.torn ? TORN_LINE_REASON : undefined);
    const parsed = parseRecord(TemplateLine, rec.value);
    if (!parsed.success) {
      const why = `unexpected record shape (${issueText(parsed.error)})`;
      return this.warn(parseWarning(this.path, rec.line.lineNo, why, lineRaw(rec.line)), rec.line.bytes);
    }
    const line = parsed.data;
    const ts = normalizeTimestamp(line.ts);
    const key = this.recordIds.next(rec.line.bytes);
    switch (line.type) {
      case 'session_meta':
        return this.meta(line);
      case 'prompt':
        return this.push(key, {
          type: 'user_message',
          role: promptRole(line.text ?? ''),
          content: line.text ?? '',
          ts,
        });
      case 'answer':
        return this.answer(line, key, ts);
      case 'tool_call':
        return this.push(key, {
          type: 'tool_call',
          tool_name: line.name ?? 'unknown',
          tool_kind: toolKind(line.name ?? ''),
          tool_id: line.call_id,
          input: line.input,
          ts,
        });
      case 'tool_result':
        return this.push(key, {
          type: 'tool_result',
          tool_id: line.call_id,
          success: line.error === undefined,
          output: line.output,
          error: line.error,
          ts,
        });
      case 'notice':
        return this.push(key, { type: 'provider_status', message: line.text ?? 'notice', ts });
      default:
        if (!IGNORED.has(line.type)) this.push(key, unknownRecord(this.draft, line.type, rec.value, ts));
    }
  }

  private meta(line: TemplateLine): void {
    this.draft.workspacePath ??= line.cwd ?? null;
    this.draft.noteAgentVersion(line.version);
  }

  /** An answer, then its usage (keyed `<record>#usage`: one record, two events). */
  private answer(line: TemplateLine, key: string, ts: string | undefined): void {
    this.draft.noteModel(line.model);
    this.push(key, { type: 'assistant_message', content: line.text ?? '', ts });
    const u = line.usage;
    if (!u) return;
    const usage = normalizeUsage(
      { input: u.input, cacheRead: u.cached, output: u.output, model: line.model },
      { inputIncludesCacheRead: true, outputIncludesReasoning: true },
    );
    if (!isEmptyUsage(usage)) this.out.push({ session: this.draft, event: { ...usage, ts, key: `${key}#usage` } });
  }

  private push(key: string, event: EventDraft): void {
    this.out.push({ session: this.draft, event: { ...event, key } });
  }

  /** A line that could not be read: a parse warning (and a reason, for a torn last line). */
  private warn(event: EventDraft, bytes: Uint8Array, reason?: string): void {
    this.push(this.recordIds.next(bytes), event);
    if (reason) this.draft.addReason(reason);
  }
}

export async function* convertTemplateFile(unit: SourceUnit, ctx: ConvertContext): AsyncIterable<ConvertOutput> {
  const file = unit.files[0]!;
  const reader = new TemplateFile(file.path, new SessionDraft({ id: sessionIdOf(file.rel), format: FORMATS.main }));
  for (const rec of readJsonRecords(file.path, ctx.stats)) {
    if (reader.out.full) yield reader.out.take();
    reader.out.read(rec.line.bytes.length);
    reader.record(rec);
  }
  yield [...reader.out.take(), { session: reader.draft, end: true }];
}

/**
 * Turns one session's stream of event drafts into its session file and index entry. It assigns
 * `seq`, fills the envelope, inherits missing times, joins tool results to their calls, totals
 * usage and derives completeness from what was actually read. Events are written as they come
 * (after a short hold until `session_started` can name the model and workspace), so a session of
 * any size streams through in bounded memory.
 */
import {
  CONVERSATION_KINDS,
  type EventBody,
  type EventDraft,
  type LogCompleteness,
  type ToolKind,
} from '../model/events.js';
import { sessionFile, sessionLogPath } from '../archive/layout.js';
import type { SessionLogIndexEntry, UsageTotals } from '../model/index-schema.js';
import type { SessionDraft } from '../session/draft.js';
import { sessionKey, wrapperSessionId } from '../util/ids.js';
import { maxTimestamp, minTimestamp } from '../util/time.js';
import { AtomicFile, discard } from './atomic-file.js';
import { redactSecrets } from './redact.js';
import { END_KEY, EventKeys, START_KEY } from './event-keys.js';
import { encodeEnvelope, eventLine, serializeTail } from './serialize.js';
import { trailerOf } from './trailer.js';

const HOLD_MAX_EVENTS = 2000;
const HOLD_MAX_CHARS = 8 * 1024 * 1024;

export interface RecorderOptions {
  provider: string;
  adapterVersion: number;
  /** `sessions/` directory of the logs dir (must exist). */
  sessionsDir: string;
  /** Used when no file of the unit gives the session a source path of its own. */
  defaultSourcePaths: string[];
  /** Time for a session whose records carry none (the newest source mtime). */
  fallbackTs: string;
  /** Decides, once the workspace is known, whether the session belongs in this logs dir. */
  accept: (draft: SessionDraft) => boolean;
  /** Mask secrets in the events and the title (`--redact`). */
  redact?: boolean;
  /** The provider home: left out of derived event keys, so that they do not depend on where it is. */
  home?: string;
}

export interface RecordedSession {
  key: string;
  entry: Omit<SessionLogIndexEntry, 'imported_at'>;
  /** False when the session was filtered out (`--root`) and nothing was written. */
  kept: boolean;
  bytesWritten: number;
}

function approxSize(event: EventDraft): number {
  const e = event as { content?: unknown; output?: unknown; raw?: unknown };
  let n = 200;
  if (typeof e.content === 'string') n += e.content.length;
  if (typeof e.output === 'string') n += e.output.length;
  if (typeof e.raw === 'string') n += e.raw.length;
  return n;
}

export class SessionRecorder {
  readonly wrapperId: string;
  private file: AtomicFile | null = null;
  private preparedPath: string | null = null;
  private held: EventDraft[] = [];
  private heldChars = 0;
  private headerWritten = false;
  private rejected = false;
  private seq = 0;
  private readonly keys = new EventKeys();
  private lastTs: string | undefined;
  private minTs: string | undefined;
  private maxTs: string | undefined;
  private conversationEvents = 0;
  private parseWarnings = 0;
  private readonly tools = new Map<string, { name: string; kind: ToolKind | undefined }>();
  private readonly usage: UsageTotals = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_creation_tokens: 0,
    calls: 0,
  };
  private finished: RecordedSession | null = null;

  constructor(
    readonly draft: SessionDraft,
    private readonly opts: RecorderOptions,
  ) {
    this.wrapperId = wrapperSessionId(opts.provider, draft.id);
  }

  add(event: EventDraft): void {
    if (this.finished) throw new Error(`session ${this.wrapperId} received an event after it ended`);
    this.tally(event);
    if (this.rejected) return;
    if (this.headerWritten) {
      this.writeEvent(event);
      return;
    }
    this.held.push(event);
    this.heldChars += approxSize(event);
    if (this.headerReady() || this.held.length >= HOLD_MAX_EVENTS || this.heldChars >= HOLD_MAX_CHARS)
      this.release(false);
  }

  private tally(event: EventDraft): void {
    if (event.ts !== undefined) {
      this.minTs = minTimestamp(this.minTs, event.ts);
      this.maxTs = maxTimestamp(this.maxTs, event.ts);
    }
    if (CONVERSATION_KINDS.has(event.type)) this.conversationEvents++;
    switch (event.type) {
      case 'tool_call':
        if (event.tool_id) this.tools.set(event.tool_id, { name: event.tool_name, kind: event.tool_kind });
        break;
      case 'tool_result': {
        const call = event.tool_id ? this.tools.get(event.tool_id) : undefined;
        if (call) {
          event.tool_name ??= call.name;
          event.tool_kind ??= call.kind;
        }
        break;
      }
      case 'usage':
        this.usage.input_tokens += event.input_tokens;
        this.usage.output_tokens += event.output_tokens;
        this.usage.cache_read_tokens += event.cache_read_tokens ?? 0;
        this.usage.cache_creation_tokens += event.cache_creation_tokens ?? 0;
        this.usage.calls++;
        break;
      case 'parse_warning':
        this.parseWarnings++;
        break;
      default:
        break;
    }
  }

  private headerReady(): boolean {
    return this.knownStart() !== undefined && this.draft.firstModel() !== null && this.draft.workspacePath !== null;
  }

  private knownStart(): string | undefined {
    return this.draft.startedAt ?? this.minTs;
  }

  /** Writes session_started and the held events, or drops them if the session is filtered out. */
  private release(final: boolean): void {
    // Without a workspace yet, keep writing: the final decision is taken in finish().
    if ((final || this.draft.workspacePath !== null) && !this.opts.accept(this.draft)) {
      this.rejected = true;
      this.held = [];
      return;
    }
    this.file = new AtomicFile(sessionFile(this.opts.sessionsDir, this.wrapperId));
    this.headerWritten = true;
    this.lastTs = this.knownStart() ?? this.opts.fallbackTs;
    this.writeEvent({
      type: 'session_started',
      command: 'backfill',
      model: this.draft.firstModel() ?? undefined,
      cwd: this.draft.workspacePath ?? undefined,
      resumed: false,
      backfilled: true,
      key: START_KEY,
    });
    const held = this.held;
    this.held = [];
    this.heldChars = 0;
    for (const event of held) this.writeEvent(event);
  }

  private encodedEnvelope: string | null = null;
  /** Encoded once the first line is written: the provider session id is settled by then. */
  private envelope(): string {
    this.encodedEnvelope ??= encodeEnvelope({
      provider: this.opts.provider,
      wrapper_session_id: this.wrapperId,
      provider_session_id: this.draft.providerSessionId,
      source_kind: 'backfill',
    });
    return this.encodedEnvelope;
  }

  private writeEvent(event: EventDraft, completeness?: LogCompleteness): void {
    const ts = event.ts ?? this.lastTs ?? this.opts.fallbackTs;
    this.lastTs = ts;
    const level = completeness ?? event.completeness ?? 'full';
    // The draft itself is the body: the serializer reads only the kind's fields (no copy per event).
    const body = event as EventBody;
    const tail = serializeTail(ts, this.envelope(), level, body, this.opts.redact);
    const key = this.keys.next(event.key, () =>
      this.keyText(this.opts.redact ? serializeTail(ts, this.envelope(), level, body) : tail),
    );
    this.seq++;
    this.file!.write(eventLine(this.seq, key, tail));
  }

  private homeText: string | null = null;
  /** What a derived key is computed from: the line's text from `ts` on, the home's path left out (warnings name files by path). */
  private keyText(tail: string): string {
    if (this.opts.home === undefined) return tail;
    this.homeText ??= `${JSON.stringify(this.opts.home).slice(1, -1)}/`;
    return tail.includes(this.homeText) ? tail.split(this.homeText).join('') : tail;
  }

  private completeness(): { level: LogCompleteness; reasons: string[] } {
    const reasons = new Set(this.draft.reasons);
    if (this.parseWarnings > 0) reasons.add(`${this.parseWarnings} native record(s) could not be parsed`);
    if (this.draft.unknownTypes.size > 0) {
      const types = [...this.draft.unknownTypes.keys()].sort();
      for (const type of types)
        reasons.add(`unknown record type ${type} (${this.draft.unknownTypes.get(type)} records)`);
    }
    if (this.knownStart() === undefined)
      reasons.add("no native timestamps: times are the source file's modification time");
    const sorted = [...reasons].sort();
    if (this.conversationEvents === 0) return { level: 'metadata_only', reasons: sorted };
    return { level: sorted.length > 0 ? 'partial' : 'full', reasons: sorted };
  }

  /** Writes session_ended, its trailer the index entry, and returns that entry; `commit` or `abort` publishes it. */
  finish(): RecordedSession {
    if (this.finished) return this.finished;
    if (!this.headerWritten && !this.rejected) this.release(true);
    else if (!this.rejected && !this.opts.accept(this.draft)) {
      this.rejected = true;
      this.abort();
    }
    const key = sessionKey(this.opts.provider, this.draft.id);
    // The end line is counted in the entry it carries.
    const entry = this.entry(this.rejected ? this.seq : this.seq + 1);
    if (!this.rejected) {
      this.lastTs = entry.ended_at!;
      this.writeEvent(
        {
          type: 'session_ended',
          success: this.draft.success,
          error: this.draft.error ?? undefined,
          entry: trailerOf(key, entry),
          ts: entry.ended_at!,
          key: END_KEY,
        },
        entry.completeness,
      );
    }
    this.finished = { key, kept: !this.rejected, bytesWritten: 0, entry };
    return this.finished;
  }

  /** The session's index entry, once every event is tallied. */
  private entry(eventCount: number): RecordedSession['entry'] {
    const { level, reasons } = this.completeness();
    const startedAt = this.knownStart() ?? this.opts.fallbackTs;
    return {
      wrapper_session_id: this.wrapperId,
      provider: this.opts.provider,
      provider_session_id: this.draft.providerSessionId,
      log_path: sessionLogPath(this.wrapperId),
      log_bytes: 0, // known once the file is prepared
      completeness: level,
      started_at: startedAt,
      ended_at: this.draft.endedAt ?? this.maxTs ?? startedAt,
      workspace_path: this.draft.workspacePath,
      command: 'backfill',
      source_paths: [...new Set(this.draft.sourcePaths ?? this.opts.defaultSourcePaths)].sort(),
      backfilled: true,
      model: this.draft.mostUsedModel(),
      parent_session_id:
        this.draft.parentId === null ? null : wrapperSessionId(this.opts.provider, this.draft.parentId),
      title: this.opts.redact && this.draft.title !== null ? redactSecrets(this.draft.title) : this.draft.title,
      tags: [...new Set(this.draft.tags)].sort(),
      event_count: eventCount,
      retained_events: 0,
      usage: { ...this.usage },
      completeness_reasons: reasons,
      format: this.draft.format,
      ...(this.draft.agentVersion !== null ? { agent_version: this.draft.agentVersion } : {}),
      adapter_version: this.opts.adapterVersion,
      source_missing: false,
    };
  }

  /** Closes the session file under its temp name; returns that name (null if filtered out). */
  prepare(): string | null {
    const result = this.finish();
    if (!this.file) return null;
    this.file.prepare();
    result.bytesWritten = this.file.bytesWritten;
    result.entry.log_bytes = this.file.bytesWritten;
    const temp = this.file.tempPath;
    this.file = null;
    this.preparedPath = temp;
    return temp;
  }

  abort(): void {
    this.file?.abort();
    this.file = null;
    if (this.preparedPath) discard(this.preparedPath);
    this.preparedPath = null;
  }
}

/**
 * Merging two copies of one session file by event key: the events of `spine` (a new conversion,
 * whose versions of shared events win, but a `partial` one over a whole one of `other`: a damaged
 * re-read never replaces what was read whole), plus those of `other` (the archived copy, or another copy
 * of the session) whose key the spine lacks. The others go where their native time puts them
 * among the spine's events; on equal times, the order they had in `other` decides. `seq` is
 * renumbered 1..n; `session_started` stays first and `session_ended` last (the spine's).
 *
 * Both files are streamed: what is held is the key, time and position of each event of `other`,
 * never a whole history. A `other` written before event lines had keys cannot be merged (null).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import {
  CONVERSATION_KINDS,
  type AgentLogEvent,
  type EventBody,
  type LogCompleteness,
  type LogEventKind,
} from '../model/events.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import { readLines } from '../io/lines.js';
import { maxTimestamp, minTimestamp } from '../util/time.js';
import { AtomicFile } from './atomic-file.js';
import { encodeEnvelope, eventLine, serializeTail } from './serialize.js';
import { trailerOf } from './trailer.js';

/** Our own lines are never cut: a session file holds whatever one event needed. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;
/** Bytes of a line enough to read its `seq`, `key`, `ts`, envelope and `type`. */
const HEAD_BYTES = 8192;
const HEAD = /^\{"seq":\d+,"key":("(?:[^"\\]|\\.)*"),"ts":("(?:[^"\\]|\\.)*")/;
/** Inside a JSON string a `"` is escaped: the first unescaped match is the line's own type. */
const TYPE = /,"completeness":"(full|partial|metadata_only)","type":"([a-z_]+)"/;
/** Keys the core derives from content (`event-keys.ts`). */
const DERIVED_KEY = /^h[0-9a-f]{16}(?:~\d+)?$/;

interface Head {
  key: string;
  ts: string;
  type: LogEventKind;
  partial: boolean;
}

function headOf(bytes: Buffer): Head | null {
  const text = bytes.toString('utf8', 0, Math.min(bytes.length, HEAD_BYTES));
  const m = HEAD.exec(text);
  const t = m && TYPE.exec(text.slice(m[0].length));
  if (!m || !t) return null;
  return {
    key: JSON.parse(m[1]!) as string,
    ts: JSON.parse(m[2]!) as string,
    type: t[2] as LogEventKind,
    partial: t[1] === 'partial',
  };
}

export interface Inserted {
  key: string;
  ts: string;
  type: LogEventKind;
  /** Position among the events of `other`. */
  at: number;
}

export interface MergePlan {
  /** Events of `other` absent from the spine, in their order there. */
  inserted: Inserted[];
  /** Every key of `other` (but its first and last line), with its position there. */
  otherKeys: Map<string, number>;
  /**
   * Events of the spine recovered from a damaged record (`partial`) whose archived version in
   * `other` is whole: the archived line (its offset and length there) is kept in their place.
   */
  kept: Map<string, { offset: number; length: number }>;
}

/** A merge that adds nothing to the spine. */
export const NO_MERGE: MergePlan = { inserted: [], otherKeys: new Map(), kept: new Map() };

/**
 * Reads the keys of both files and lists what `other` adds to `spine`. Null when `other` has a
 * line without a key (written before keys existed) or that is not an event line of ours.
 * `keepDerived` false: events of `other` with content-derived keys are never inserted (a new
 * adapter version changes content, hence those keys: they would come back as duplicates).
 */
export function planMerge(spine: string, other: string, keepDerived: boolean): MergePlan | null {
  const otherHeads: (Head & { offset: number; length: number })[] = [];
  for (const line of readLines(other, undefined, NO_LIMIT)) {
    const head = headOf(line.bytes);
    if (head === null) return null;
    otherHeads.push({ ...head, offset: line.offset, length: line.bytes.length });
  }
  const otherKeys = new Map<string, number>();
  // The first and last lines are the writer's own session_started and session_ended.
  for (let i = 1; i < otherHeads.length - 1; i++) otherKeys.set(otherHeads[i]!.key, i);
  const absent = new Set(otherKeys.keys());
  const kept = new Map<string, { offset: number; length: number }>();
  for (const line of readLines(spine, undefined, NO_LIMIT)) {
    const head = headOf(line.bytes);
    if (!head) continue;
    absent.delete(head.key);
    const at = head.partial ? otherKeys.get(head.key) : undefined;
    const archived = at === undefined ? undefined : otherHeads[at]!;
    if (archived && !archived.partial && archived.type === head.type)
      kept.set(head.key, { offset: archived.offset, length: archived.length });
  }
  const inserted: Inserted[] = [];
  for (let i = 1; i < otherHeads.length - 1; i++) {
    const { key, ts, type } = otherHeads[i]!;
    if (absent.has(key) && (keepDerived || !DERIVED_KEY.test(key))) inserted.push({ key, ts, type, at: i });
  }
  return { inserted, otherKeys, kept };
}

export interface MergeWritten<E> {
  tempPath: string;
  bytesWritten: number;
  /** The spine's index entry with what was inserted counted in, `log_bytes` the merged file's size. */
  entry: E;
}

const RETAINED_REASON = / event\(s\) no longer in the source, kept from an earlier import$/;

/** Completeness of the merged session: `retained` events no copy of the source holds make it partial. */
function mergedCompleteness(
  entry: Omit<SessionLogIndexEntry, 'imported_at'>,
  inserted: readonly AgentLogEvent[],
  retained: number,
): { level: LogCompleteness; reasons: string[] } {
  const reasons = entry.completeness_reasons.filter((r) => !RETAINED_REASON.test(r));
  if (retained > 0) reasons.push(`${retained} event(s) no longer in the source, kept from an earlier import`);
  reasons.sort();
  const conversation = entry.completeness !== 'metadata_only' || inserted.some((e) => CONVERSATION_KINDS.has(e.type));
  return { level: conversation ? (reasons.length > 0 ? 'partial' : 'full') : 'metadata_only', reasons };
}

/** The spine's index entry with the `inserted` events counted in. */
function mergedEntry<E extends Omit<SessionLogIndexEntry, 'imported_at'>>(
  entry: E,
  inserted: readonly AgentLogEvent[],
  retained: number,
): E {
  const { level, reasons } = mergedCompleteness(entry, inserted, retained);
  const totals = { ...entry.usage };
  let started: string | undefined = entry.started_at;
  let ended: string | undefined = entry.ended_at ?? undefined;
  for (const e of inserted) {
    started = minTimestamp(started, e.ts);
    ended = maxTimestamp(ended, e.ts);
    if (e.type !== 'usage') continue;
    totals.input_tokens += e.input_tokens;
    totals.output_tokens += e.output_tokens;
    totals.cache_read_tokens += e.cache_read_tokens ?? 0;
    totals.cache_creation_tokens += e.cache_creation_tokens ?? 0;
    totals.calls++;
  }
  return {
    ...entry,
    completeness: level,
    completeness_reasons: reasons,
    started_at: started!,
    ended_at: ended ?? null,
    event_count: entry.event_count + inserted.length,
    retained_events: retained,
    usage: totals,
  };
}

/** The inserted events of `other`, parsed, in their order there (a second streaming pass). */
function* insertedEvents(other: string, plan: MergePlan): Generator<AgentLogEvent> {
  let next = 0;
  let i = 0;
  for (const line of readLines(other, undefined, NO_LIMIT)) {
    if (next >= plan.inserted.length) return;
    if (i++ !== plan.inserted[next]!.at) continue;
    next++;
    yield JSON.parse(line.bytes.toString('utf8')) as AgentLogEvent;
  }
}

/** One line of `other`, by its place there. */
function readAt(path: string, at: { offset: number; length: number }): AgentLogEvent {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(at.length);
    let n = 0;
    while (n < at.length) n += readSync(fd, buf, n, at.length - n, at.offset + n);
    return JSON.parse(buf.toString('utf8')) as AgentLogEvent;
  } finally {
    closeSync(fd);
  }
}

function lineOf(seq: number, e: AgentLogEvent, completeness: LogCompleteness, redact: boolean): string {
  const envelope = encodeEnvelope({
    provider: e.provider,
    wrapper_session_id: e.wrapper_session_id,
    provider_session_id: e.provider_session_id ?? null,
    source_kind: e.source_kind,
  });
  return eventLine(seq, e.key, serializeTail(e.ts, envelope, completeness, e as EventBody, redact));
}

/** The spine's `session_ended` line, numbered `seq`, with the merged completeness and entry (its trailer). */
function endLine(seq: number, spineEnd: Buffer, merged: Omit<SessionLogIndexEntry, 'imported_at'>): string {
  const end = JSON.parse(spineEnd.toString('utf8')) as Extract<AgentLogEvent, { type: 'session_ended' }>;
  if (end.entry) end.entry = trailerOf(end.entry.session_key, merged);
  return lineOf(seq, end, merged.completeness, false);
}

/** The merged file as it is written: its numbering, and the inserted events taken in order. */
class MergeWriter {
  private seq = 0;
  private index = 0;
  private readonly added: Generator<AgentLogEvent>;
  private pending: IteratorResult<AgentLogEvent>;
  /** The inserted events, for the merged entry. */
  readonly inserted: AgentLogEvent[] = [];

  constructor(
    readonly out: AtomicFile,
    private readonly other: string,
    private readonly plan: MergePlan,
    private readonly redact: boolean,
  ) {
    this.added = insertedEvents(other, plan);
    this.pending = this.added.next();
  }

  /** The next line number. */
  get next(): number {
    return this.seq + 1;
  }

  write(text: string): void {
    this.seq++;
    this.out.write(text);
  }

  /** Writes the inserted events that come before the spine's event `head` (all of them for null). */
  insertBefore(head: { key: string; ts: string } | null): void {
    const at = head === null ? 0 : (this.plan.otherKeys.get(head.key) ?? Number.POSITIVE_INFINITY);
    while (!this.pending.done) {
      const e = this.plan.inserted[this.index]!;
      if (head !== null && !(e.ts < head.ts || (e.ts === head.ts && e.at < at))) return;
      const event = this.pending.value;
      this.inserted.push(event);
      this.write(lineOf(this.next, event, event.completeness, this.redact));
      this.index++;
      this.pending = this.added.next();
    }
  }

  /** A spine line after the first: inserted events due before it, then it, renumbered (or the other copy's whole event). */
  spineLine(line: Buffer): void {
    const head = headOf(line)!;
    this.insertBefore(head);
    const whole = this.plan.kept.get(head.key);
    if (whole) this.write(lineOf(this.next, readAt(this.other, whole), 'full', this.redact));
    else {
      const text = line.toString('utf8');
      this.write(`{"seq":${this.next},${text.slice(text.indexOf(',') + 1)}\n`);
    }
  }
}

/**
 * Writes the merged session next to `finalPath` (a closed temp file, not published). The inserted
 * events are written again from their fields (masked with `redact`); `session_ended`, the spine's,
 * gets the merged completeness and entry (its trailer). `retained`: how many of the events no copy
 * of the source holds any more.
 */
export function writeMerge<E extends Omit<SessionLogIndexEntry, 'imported_at'>>(
  spine: string,
  other: string,
  plan: MergePlan,
  finalPath: string,
  entry: E,
  retained: number,
  redact: boolean,
): MergeWritten<E> {
  const w = new MergeWriter(new AtomicFile(finalPath), other, plan, redact);
  try {
    // Every line but the last (`session_ended`) goes out as it is read; the first (`session_started`) as it is.
    let held: Buffer | null = null;
    for (const line of readLines(spine, undefined, NO_LIMIT)) {
      if (held !== null) {
        if (w.next === 1) w.write(`${held.toString('utf8')}\n`);
        else w.spineLine(held);
      }
      held = line.bytes;
    }
    w.insertBefore(null);
    const merged = mergedEntry(entry, w.inserted, retained);
    w.write(endLine(w.next, held!, merged));
    w.out.prepare();
    return {
      tempPath: w.out.tempPath,
      bytesWritten: w.out.bytesWritten,
      entry: { ...merged, log_bytes: w.out.bytesWritten },
    };
  } catch (err) {
    w.out.abort();
    throw err;
  }
}

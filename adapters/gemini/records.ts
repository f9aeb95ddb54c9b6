/**
 * Reading Gemini chat files into conversations: the legacy single JSON document (salvaged when it
 * was cut mid-write) and the JSONL op-log replayed as the CLI's own loader does (header, message
 * upserts where the last copy wins in the first copy's place, `$set` merges, `$set.messages`
 * resets, `$rewindTo` truncation). Each line is parsed once; messages are validated later, once,
 * in their final copy.
 */
import { isRecord } from '../../src/io/json.js';
import { readJsonDocumentOrPrefix } from '../../src/io/json-prefix.js';
import type { ReadStats } from '../../src/io/lines.js';
import {
  INVALID_UTF8_REASON,
  TORN_LINE_REASON,
  parseWarning,
  readJsonRecords,
  type Handling,
  type ParseWarningDraft,
} from '../../src/session/records.js';
import { SourceError } from '../types.js';

const TRUNCATED_JSON_REASON = 'truncated JSON: the messages after the cut are lost';

export interface Conversation {
  path: string;
  /** `json` (one document) or `jsonl` (op-log). */
  format: 'json' | 'jsonl';
  /**
   * Merged metadata (header and `$set`s, or the document's top level without `messages`), each
   * field narrowed by hand where convert.ts reads it: `sessionId` (the file name has its first 8
   * characters), `projectHash` (sha256 of the project root), `startTime`, `lastUpdated` (bumped on
   * every write), `summary` (a title, v0.21+), `directories` (`/dir add`; always set for
   * subagents, v0.28+), `kind` (`main` | `subagent`, v0.31+).
   */
  meta: Record<string, unknown>;
  /** Final copy of each message by id, in the order of first appearance. */
  messages: Map<string, unknown>;
  /** Line of each message's final copy (JSONL). */
  lines: Map<string, number>;
  warnings: ParseWarningDraft[];
  reasons: string[];
  /** JSONL records of kinds the loader does not know: a short name, the record, its line. */
  unknown: { type: string; record: unknown; line: number }[];
}

/**
 * The kinds of JSONL line (README "Record types"), told apart by shape as the CLI's loader does;
 * any other line goes through `unknownRecord()`.
 */
export const LINE_KINDS: Readonly<Record<string, Handling>> = {
  $rewindTo: 'mapped',
  message: 'mapped',
  $set: 'mapped',
  header: 'mapped',
};

function emptyConversation(path: string, format: 'json' | 'jsonl'): Conversation {
  return { path, format, meta: {}, messages: new Map(), lines: new Map(), warnings: [], reasons: [], unknown: [] };
}

function addMessages(conv: Conversation, list: unknown[], line?: number): void {
  list.forEach((message, i) => {
    const id = isRecord(message) && typeof message.id === 'string' ? message.id : `\0${line ?? 0}:${i}`;
    conv.messages.set(id, message);
    if (line !== undefined) conv.lines.set(id, line);
  });
}

function withoutMessages(record: Record<string, unknown>): Record<string, unknown> {
  const { messages: _messages, ...rest } = record;
  return rest;
}

/** Drops `id` and every message after it; an unknown id drops them all (as the CLI does). */
function rewindTo(conv: Conversation, id: string): void {
  let cutting = !conv.messages.has(id);
  for (const key of [...conv.messages.keys()]) {
    if (key === id) cutting = true;
    if (cutting) {
      conv.messages.delete(key);
      conv.lines.delete(key);
    }
  }
}

export function sessionIdOf(conv: Conversation): string | undefined {
  const id = conv.meta.sessionId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Reads a legacy `session-*.json`. A cut document is salvaged; unreadable ones throw SourceError. */
export async function readLegacy(path: string, stats: ReadStats): Promise<Conversation> {
  const conv = emptyConversation(path, 'json');
  // Rewritten in place without a temp file: a reader can catch it mid-write, a crash can cut it.
  // Depth 2 keeps the top-level fields and the complete entries of `messages`.
  const doc = await readJsonDocumentOrPrefix(path, 2, stats);
  if (!doc.ok) throw new SourceError(path, doc.error);
  const value = doc.value;
  if (!isRecord(value) || typeof value.sessionId !== 'string')
    throw new SourceError(path, 'not a Gemini conversation (no sessionId)');
  if (doc.invalidUtf8) conv.reasons.push(INVALID_UTF8_REASON);
  if (doc.truncated) {
    const { error, end, length, tail } = doc.truncated;
    const kept = Array.isArray(value.messages) ? value.messages.length : 0;
    conv.reasons.push(TRUNCATED_JSON_REASON);
    conv.warnings.push(
      parseWarning(
        path,
        undefined,
        `${error}: recovered ${kept} complete message(s) from the first ${end} of ${length} characters`,
        tail,
      ),
    );
  }
  conv.meta = withoutMessages(value);
  if (Array.isArray(value.messages)) addMessages(conv, value.messages);
  return conv;
}

/** Replays a `session-*.jsonl` op-log; falls back to the legacy reader when no line of it parses. */
export async function readJsonl(path: string, stats: ReadStats): Promise<Conversation> {
  const conv = emptyConversation(path, 'jsonl');
  let parsed = false;
  for (const rec of readJsonRecords(path, stats)) {
    if (!rec.ok) {
      conv.warnings.push(rec.warning);
      if (rec.line.torn && !conv.reasons.includes(TORN_LINE_REASON)) conv.reasons.push(TORN_LINE_REASON);
      continue;
    }
    parsed = true;
    if (rec.invalidUtf8 && !conv.reasons.includes(INVALID_UTF8_REASON)) conv.reasons.push(INVALID_UTF8_REASON);
    const r = rec.value;
    const lineNo = rec.line.lineNo;
    if (!isRecord(r)) {
      conv.unknown.push({ type: Array.isArray(r) ? 'array' : typeof r, record: r, line: lineNo });
    } else if (typeof r.$rewindTo === 'string' && r.$rewindTo !== '') {
      rewindTo(conv, r.$rewindTo);
    } else if (typeof r.id === 'string' && r.id !== '') {
      conv.messages.set(r.id, r);
      conv.lines.set(r.id, lineNo);
    } else if (isRecord(r.$set)) {
      if (Array.isArray(r.$set.messages)) {
        conv.messages.clear();
        conv.lines.clear();
        addMessages(conv, r.$set.messages, lineNo);
      }
      Object.assign(conv.meta, withoutMessages(r.$set));
    } else if (typeof r.sessionId === 'string' && typeof r.projectHash === 'string') {
      Object.assign(conv.meta, withoutMessages(r));
      if (Array.isArray(r.messages)) addMessages(conv, r.messages, lineNo);
    } else {
      conv.unknown.push({ type: Object.keys(r)[0] ?? 'empty object', record: r, line: lineNo });
    }
  }
  // Not one line parses on its own: the file is one JSON document (e.g. pretty-printed), read as
  // the legacy format is; an unreadable one keeps its warnings.
  if (!parsed && conv.warnings.length > 0) {
    try {
      return await readLegacy(path, stats);
    } catch {
      return conv;
    }
  }
  return conv;
}

/**
 * A JSONL reading loop that repairs the damage agents leave in append-only logs, for any provider:
 * - a raw newline inside a JSON string splits one record over several physical lines: the broken
 *   line is joined with the following ones (the newline put back as `\n` inside the string) until
 *   the result parses;
 * - a truncated record with the next record glued to it on the same line (a crash, then an append
 *   without a separator): the line is scanned for the text every record starts with, and the
 *   fragment before the first record that parses is reported.
 * Lines that parse are parsed once, exactly as `readJsonRecords` does; the repairs only run on
 * lines that do not.
 */
import { capRaw, isRecord, parseJsonLine, type ParsedLine } from '../io/json.js';
import { readLines, type Line, type ReadStats } from '../io/lines.js';
import { parseWarning, type JsonRecord } from './records.js';

export interface RecoverOptions {
  /** Text every record starts with (e.g. `{"type":"`); enables recovering glued records. */
  restartMarker?: string;
  /** How many following lines may be joined to a broken one. */
  maxJoinLines?: number;
  /** Largest joined record, in bytes. */
  maxJoinBytes?: number;
}

/** `recovered` says how a record that did not parse as one line was repaired. */
export type RecoveredRecord = JsonRecord & { recovered?: 'joined' | 'glued' };

const ESCAPED_NL = Buffer.from('\\n');
const ESCAPED_CRNL = Buffer.from('\\r\\n');
const MAX_GLUE_ATTEMPTS = 64;

interface Read {
  line: Line;
  parsed: ParsedLine;
}

/** Joins physical lines that were one record: the raw line break goes back as an escape. */
function joinLines(lines: Line[]): Line {
  const parts: Buffer[] = [];
  lines.forEach((l, i) => {
    const { bytes } = l;
    const last = i === lines.length - 1;
    if (!last && bytes.length > 0 && bytes[bytes.length - 1] === 13)
      parts.push(bytes.subarray(0, bytes.length - 1), ESCAPED_CRNL);
    else {
      parts.push(bytes);
      if (!last) parts.push(ESCAPED_NL);
    }
  });
  const first = lines[0]!;
  return {
    bytes: Buffer.concat(parts),
    lineNo: first.lineNo,
    offset: first.offset,
    torn: lines[lines.length - 1]!.torn,
  };
}

/** Lines read ahead of the current one, each parsed once, on demand. */
class Lookahead {
  private readonly ahead: Read[] = [];
  private exhausted = false;
  constructor(private readonly lines: Iterator<Line>) {}

  /** The k-th unconsumed line (1-based), or null past the end. */
  peek(k: number): Read | null {
    while (this.ahead.length < k && !this.exhausted) {
      const r = this.lines.next();
      if (r.done) this.exhausted = true;
      else this.ahead.push({ line: r.value, parsed: parseJsonLine(r.value) });
    }
    return this.ahead[k - 1] ?? null;
  }

  /** Consumes `n` lines and returns the first. */
  take(n = 1): Read | null {
    const first = this.peek(1);
    // shift(), not splice(): no array of the removed lines made for every line read.
    for (let i = 0; i < n && this.ahead.length > 0; i++) this.ahead.shift();
    return first;
  }
}

interface Limits {
  maxJoinLines: number;
  maxJoinBytes: number;
  /** `RecoverOptions.restartMarker`, or null. */
  marker: Buffer | null;
}

/**
 * A record split by raw newlines: `cur` joined with the lines after it, but never with a line that
 * is a record of its own or starts a new one. Returns the record and how many lines it took.
 */
function joinSplit(cur: Read, next: Lookahead, limits: Limits): { record: RecoveredRecord; used: number } | null {
  const lines = [cur.line];
  let bytes = cur.line.bytes.length;
  for (let k = 1; k <= limits.maxJoinLines; k++) {
    const following = next.peek(k);
    if (!following || following.parsed.ok) return null;
    const { marker } = limits;
    if (marker && following.line.bytes.subarray(0, marker.length).equals(marker)) return null;
    bytes += following.line.bytes.length;
    if (bytes > limits.maxJoinBytes) return null;
    lines.push(following.line);
    const line = joinLines(lines);
    const parsed = parseJsonLine(line);
    if (parsed.ok && isRecord(parsed.value)) {
      return {
        record: { ok: true, value: parsed.value, line, invalidUtf8: parsed.invalidUtf8, recovered: 'joined' },
        used: k,
      };
    }
  }
  return null;
}

/** A fragment with a whole record glued after it: the fragment's warning, then the record. */
function unglue(path: string, cur: Line, marker: Buffer): [RecoveredRecord, RecoveredRecord] | null {
  let from = 1;
  for (let attempt = 0; attempt < MAX_GLUE_ATTEMPTS; attempt++) {
    const at = cur.bytes.indexOf(marker, from);
    if (at === -1) return null;
    from = at + 1;
    const tail: Line = { bytes: cur.bytes.subarray(at), lineNo: cur.lineNo, offset: cur.offset + at, torn: cur.torn };
    const parsed = parseJsonLine(tail);
    if (!parsed.ok || !isRecord(parsed.value)) continue;
    const fragment = cur.bytes.subarray(0, at).toString('utf8');
    const why = `a truncated record of ${at} bytes is glued to the next record`;
    return [
      { ok: false, warning: parseWarning(path, cur.lineNo, why, capRaw(fragment)), line: cur },
      { ok: true, value: parsed.value, line: tail, invalidUtf8: parsed.invalidUtf8, recovered: 'glued' },
    ];
  }
  return null;
}

/** The records of a JSONL file, with split and glued records repaired (see the top of this file). */
export function* readJsonRecordsRecovering(
  path: string,
  stats: ReadStats,
  opts: RecoverOptions = {},
): Generator<RecoveredRecord, void, undefined> {
  const limits: Limits = {
    maxJoinLines: opts.maxJoinLines ?? 32,
    maxJoinBytes: opts.maxJoinBytes ?? 64 * 1024 * 1024,
    marker: opts.restartMarker !== undefined && opts.restartMarker !== '' ? Buffer.from(opts.restartMarker) : null,
  };
  const lines = new Lookahead(readLines(path, stats)[Symbol.iterator]());
  for (let cur = lines.take(); cur; cur = lines.take()) {
    if (cur.parsed.ok) {
      yield { ok: true, value: cur.parsed.value, line: cur.line, invalidUtf8: cur.parsed.invalidUtf8 };
      continue;
    }
    const joined = joinSplit(cur, lines, limits);
    if (joined) {
      lines.take(joined.used);
      yield joined.record;
      continue;
    }
    const glued = limits.marker ? unglue(path, cur.line, limits.marker) : null;
    if (glued) yield* glued;
    else
      yield {
        ok: false,
        warning: parseWarning(path, cur.line.lineNo, cur.parsed.error, cur.parsed.raw),
        line: cur.line,
      };
  }
}

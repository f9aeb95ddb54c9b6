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

export function* readJsonRecordsRecovering(
  path: string,
  stats: ReadStats,
  opts: RecoverOptions = {},
): Generator<RecoveredRecord, void, undefined> {
  const maxJoinLines = opts.maxJoinLines ?? 32;
  const maxJoinBytes = opts.maxJoinBytes ?? 64 * 1024 * 1024;
  const marker = opts.restartMarker !== undefined && opts.restartMarker !== '' ? Buffer.from(opts.restartMarker) : null;
  const it = readLines(path, stats)[Symbol.iterator]();
  const ahead: Read[] = [];
  let exhausted = false;
  /** The k-th unconsumed line (1-based), read on demand. */
  const peek = (k: number): Read | null => {
    while (ahead.length < k && !exhausted) {
      const r = it.next();
      if (r.done) exhausted = true;
      else ahead.push({ line: r.value, parsed: parseJsonLine(r.value) });
    }
    return ahead[k - 1] ?? null;
  };

  for (;;) {
    const cur = peek(1);
    if (!cur) break;
    ahead.shift();
    if (cur.parsed.ok) {
      yield { ok: true, value: cur.parsed.value, line: cur.line, invalidUtf8: cur.parsed.invalidUtf8 };
      continue;
    }

    // 1. A record split by raw newlines: join with the next lines, but never swallow a line that
    //    is a record of its own or starts a new one.
    let joined: { line: Line; value: unknown; invalidUtf8: boolean; used: number } | null = null;
    const lines = [cur.line];
    let bytes = cur.line.bytes.length;
    for (let k = 1; k <= maxJoinLines; k++) {
      const next = peek(k);
      if (!next || next.parsed.ok) break;
      if (marker && next.line.bytes.subarray(0, marker.length).equals(marker)) break;
      bytes += next.line.bytes.length;
      if (bytes > maxJoinBytes) break;
      lines.push(next.line);
      const line = joinLines(lines);
      const parsed = parseJsonLine(line);
      if (parsed.ok && isRecord(parsed.value)) {
        joined = { line, value: parsed.value, invalidUtf8: parsed.invalidUtf8, used: k };
        break;
      }
    }
    if (joined) {
      ahead.splice(0, joined.used);
      yield { ok: true, value: joined.value, line: joined.line, invalidUtf8: joined.invalidUtf8, recovered: 'joined' };
      continue;
    }

    // 2. A fragment with a whole record glued after it.
    if (marker) {
      let from = 1;
      let glued = false;
      for (let attempt = 0; attempt < MAX_GLUE_ATTEMPTS; attempt++) {
        const at = cur.line.bytes.indexOf(marker, from);
        if (at === -1) break;
        from = at + 1;
        const tail: Line = {
          bytes: cur.line.bytes.subarray(at),
          lineNo: cur.line.lineNo,
          offset: cur.line.offset + at,
          torn: cur.line.torn,
        };
        const parsed = parseJsonLine(tail);
        if (!parsed.ok || !isRecord(parsed.value)) continue;
        const fragment = cur.line.bytes.subarray(0, at).toString('utf8');
        yield {
          ok: false,
          warning: parseWarning(
            path,
            cur.line.lineNo,
            `a truncated record of ${at} bytes is glued to the next record`,
            capRaw(fragment),
          ),
          line: cur.line,
        };
        yield { ok: true, value: parsed.value, line: tail, invalidUtf8: parsed.invalidUtf8, recovered: 'glued' };
        glued = true;
        break;
      }
      if (glued) continue;
    }

    yield { ok: false, warning: parseWarning(path, cur.line.lineNo, cur.parsed.error, cur.parsed.raw), line: cur.line };
  }
}

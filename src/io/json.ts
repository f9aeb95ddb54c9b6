/** Decoding and parsing native records, with failures described well enough for a parse_warning. */
import { isUtf8 } from 'node:buffer';
import { MAX_LINE_BYTES, type Line } from './lines.js';
import { RegularFile } from './regular-file.js';

/** Largest whole-file JSON document parsed (memory stays bounded); larger ones are reported. */
const MAX_PARSEABLE_BYTES = MAX_LINE_BYTES;
/** How much native text a parse_warning keeps. */
export const RAW_CAP = 4096;

export type ParsedLine = { ok: true; value: unknown; invalidUtf8: boolean } | { ok: false; error: string; raw: string };

function decodeUtf8(bytes: Buffer): { text: string; invalidUtf8: boolean } {
  const text = bytes.toString('utf8');
  return { text, invalidUtf8: maybeInvalid(text) && !isUtf8(bytes) };
}

/**
 * Lossy decoding puts U+FFFD where the bytes were not UTF-8, so text without one came from valid
 * UTF-8: the byte check then only runs on the rare text that holds U+FFFD (searching a one-byte
 * string for it costs nothing).
 */
function maybeInvalid(text: string): boolean {
  return text.includes('\uFFFD');
}

/**
 * JSON.parse's message, the same on every Node version: from Node 22 V8 appends
 * " (line L column C)" to "... at position N", which would make the archive differ by Node version.
 */
export function syntaxErrorReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/ \(line \d+ column \d+\)$/, '');
}

export function capRaw(text: string): string {
  return text.length > RAW_CAP ? `${text.slice(0, RAW_CAP)}… [${text.length - RAW_CAP} more characters]` : text;
}

/**
 * Deepest nesting of arrays and objects accepted. Native records nest a few dozen levels; values
 * nested thousands deep overflow the stack of whatever walks them later (schemas, JSON.stringify).
 */
export const MAX_NESTING = 512;

/** True when the JSON text in `bytes` nests arrays and objects deeper than `limit`. */
export function nestedDeeperThan(bytes: Buffer, limit: number): boolean {
  // Cheap bound first: fewer brackets than the limit cannot nest deeper (the common case).
  let brackets = 0;
  for (const open of [0x5b, 0x7b]) {
    for (let i = bytes.indexOf(open); i !== -1 && brackets <= limit; i = bytes.indexOf(open, i + 1)) brackets++;
  }
  if (brackets <= limit) return false;
  let depth = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === 0x22) {
      // Jump over the string: its closing quote is the first one after an even run of backslashes.
      let from = i + 1;
      for (;;) {
        const q = bytes.indexOf(0x22, from);
        if (q === -1) return false; // the rest of the line is inside a string
        let k = q - 1;
        while (k > i && bytes[k] === 0x5c) k--;
        if ((q - 1 - k) % 2 === 0) {
          i = q;
          break;
        }
        from = q + 1;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Parses one JSON line. Invalid UTF-8 is decoded lossily (U+FFFD) and flagged, not rejected. */
export function parseJsonLine(line: Line): ParsedLine {
  if (line.overlong !== undefined) {
    return {
      ok: false,
      error: `line of ${line.overlong} bytes is longer than the ${MAX_LINE_BYTES / 1024 / 1024} MiB limit; not parsed`,
      raw: capRaw(line.bytes.subarray(0, RAW_CAP).toString('utf8')),
    };
  }
  if (nestedDeeperThan(line.bytes, MAX_NESTING)) {
    return {
      ok: false,
      error: `JSON nested deeper than ${MAX_NESTING} levels; not parsed`,
      raw: capRaw(line.bytes.subarray(0, RAW_CAP).toString('utf8')),
    };
  }
  // Decoded inline (no result object per line); the same as decodeUtf8.
  const text = line.bytes.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text), invalidUtf8: maybeInvalid(text) && !isUtf8(line.bytes) };
  } catch (err) {
    const reason = syntaxErrorReason(err);
    return {
      ok: false,
      error: line.torn ? `truncated last line (${reason})` : `invalid JSON (${reason})`,
      raw: capRaw(text),
    };
  }
}

export type ParsedDocument =
  | { ok: true; value: unknown; bytesRead: number; invalidUtf8: boolean }
  | {
      ok: false;
      error: string;
      bytesRead: number;
      raw: string;
      /** The decoded text without its NUL padding, for salvaging a prefix ('' when not read). */
      text: string;
      invalidUtf8: boolean;
    };

/**
 * Reads and parses a file that is one JSON document: whole-file native formats (legacy sessions,
 * Gemini checkpoints and prompt logs) and side files such as Claude's settings.json and subagent
 * meta.json. Only a regular file is read (RegularFile); anything else throws, naming the path.
 */
export async function readJsonDocument(path: string): Promise<ParsedDocument> {
  const file = RegularFile.open(path);
  let bytes: Buffer;
  try {
    const { size } = file;
    if (size > MAX_PARSEABLE_BYTES) {
      return {
        ok: false,
        error: `file of ${size} bytes is too large to parse as one JSON document`,
        bytesRead: 0,
        raw: '',
        text: '',
        invalidUtf8: false,
      };
    }
    bytes = file.readAll();
  } finally {
    file.close();
  }
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const { text, invalidUtf8 } = decodeUtf8(bytes.subarray(0, end));
  try {
    return { ok: true, value: JSON.parse(text), bytesRead: bytes.length, invalidUtf8 };
  } catch (err) {
    const reason = syntaxErrorReason(err);
    return {
      ok: false,
      error: `invalid JSON document (${reason})`,
      bytesRead: bytes.length,
      raw: capRaw(text.slice(-RAW_CAP)),
      text,
      invalidUtf8,
    };
  }
}

/**
 * Tool arguments arrive as an object or as a JSON string (OpenAI-style function calls): a string
 * holding a JSON object or array becomes that value; any other value is returned unchanged.
 */
export function parseJsonString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

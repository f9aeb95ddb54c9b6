/**
 * Salvaging a JSON document that was cut short: files rewritten in place with a plain write can be
 * read mid-write, or left truncated by a crash. The longest prefix that ends right after a complete
 * value, at a nesting depth the caller trusts, is closed and parsed; deeper half-written values
 * are dropped rather than half-kept.
 */
import { capRaw, readJsonDocument } from './json.js';
import type { ReadStats } from './lines.js';

export interface JsonPrefix {
  value: unknown;
  /** Characters of the text that the salvaged value covers. */
  end: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;

/**
 * Parses the longest prefix of `text` that ends after a complete value whose container is at most
 * `maxDepth` levels deep (1 = members of the top-level object or array), closing the containers
 * still open. E.g. with `{"a":1,"list":[{…},{…},{"half` and `maxDepth` 2, the result keeps `a` and
 * the two complete list items. Returns undefined when no such prefix parses.
 */
export function parseJsonPrefix(text: string, maxDepth: number): JsonPrefix | undefined {
  const stack: number[] = [];
  let inString = false;
  let escaped = false;
  let cut = -1;
  let closers = '';
  const mark = (at: number) => {
    cut = at;
    closers = String.fromCharCode(...stack.slice().reverse());
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT) stack.push(CLOSE_OBJECT);
    else if (c === OPEN_ARRAY) stack.push(CLOSE_ARRAY);
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (stack.pop() !== c) return undefined; // not a truncation: the text is malformed
      if (stack.length <= maxDepth) mark(i + 1);
    } else if (c === COMMA && stack.length > 0 && stack.length <= maxDepth) mark(i);
  }
  if (cut < 0) return undefined;
  try {
    return { value: JSON.parse(text.slice(0, cut) + closers), end: cut };
  } catch {
    return undefined;
  }
}

export type SalvagedDocument =
  | {
      ok: true;
      value: unknown;
      invalidUtf8: boolean;
      /** Set when the document was cut: what JSON.parse said, and what the salvage kept. */
      truncated?: { error: string; end: number; length: number; tail: string };
    }
  | { ok: false; error: string };

/**
 * `readJsonDocument`, and when the document does not parse, the salvaged prefix of the text that
 * read decoded (see parseJsonPrefix); the file is read once. Bytes read are added to `stats`.
 */
export async function readJsonDocumentOrPrefix(
  path: string,
  maxDepth: number,
  stats: ReadStats,
): Promise<SalvagedDocument> {
  const doc = await readJsonDocument(path);
  stats.bytesRead += doc.bytesRead;
  if (doc.ok) return { ok: true, value: doc.value, invalidUtf8: doc.invalidUtf8 };
  if (doc.bytesRead === 0) return { ok: false, error: doc.error };
  const { text, invalidUtf8 } = doc;
  const prefix = parseJsonPrefix(text, maxDepth);
  if (!prefix) return { ok: false, error: `${doc.error}; nothing could be recovered` };
  return {
    ok: true,
    value: prefix.value,
    invalidUtf8,
    truncated: { error: doc.error, end: prefix.end, length: text.length, tail: capRaw(text.slice(prefix.end)) },
  };
}

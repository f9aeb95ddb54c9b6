/**
 * Streams a file as lines of raw bytes, split on `\n` only: agents write raw U+2028/U+2029 inside
 * JSON strings, and a `\r` before the `\n` is left for JSON.parse to ignore as white space.
 * NUL padding (left by crashes, or a file extended with holes) is stripped without ever being held
 * in memory; a last line without a newline is still yielded, flagged `torn`. Memory stays bounded
 * whatever the file: a line is held in pieces until it passes `MAX_LINE_BYTES` (64 MiB); then only
 * its first `HEAD_BYTES` (64 KB) and its length (`overlong`) are kept, so that a 2 GB line costs
 * at most 64 MiB while it is read and 64 KB once it has passed the limit.
 */
import { readSync } from 'node:fs';
import { RegularFile } from './regular-file.js';

export interface Line {
  /** The bytes of the line without its `\n` and without NUL padding (only the head if `overlong`). */
  bytes: Buffer;
  /** 1-based line number in the file. */
  lineNo: number;
  /** Byte offset of the line's first byte that is not NUL padding. */
  offset: number;
  /** True for a last line that has no terminating `\n` (possibly cut mid-write). */
  torn: boolean;
  /** Set when the line was longer than the reader's limit: its length in bytes. */
  overlong?: number;
}

export interface ReadStats {
  bytesRead: number;
}

/** Longest line kept whole; longer ones are reported (`overlong`) with their first `HEAD_BYTES`. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
const CHUNK = 1 << 20;
/** Room past the size seen at open, for a file that grows while it is read. */
const TAIL_SLACK = 4096;
const ZEROS = Buffer.alloc(CHUNK);

function allZero(buf: Buffer): boolean {
  return buf.equals(ZEROS.subarray(0, buf.length));
}

/** Collects the pieces of one line; leading and trailing NUL runs are counted, never stored. */
class LineBuilder {
  private parts: Buffer[] = [];
  private kept = 0;
  private length = 0;
  private zeros = 0;
  private head: Buffer | null = null;
  offset = -1;

  constructor(private readonly max: number) {}

  /** Adds `seg` (at most one read chunk), found at file offset `at`. */
  add(seg: Buffer, at: number): void {
    if (seg.length === 0) return;
    let start = 0;
    if (this.offset < 0) {
      if (allZero(seg)) return; // leading padding
      while (seg[start] === 0) start++;
      this.offset = at + start;
    }
    let end = seg.length;
    if (seg[end - 1] === 0) {
      if (allZero(seg.subarray(start))) {
        this.zeros += end - start; // content only if non-NUL bytes follow on this line
        return;
      }
      while (seg[end - 1] === 0) end--;
    }
    if (this.zeros > 0) this.keep(null, this.zeros);
    this.keep(seg.subarray(start, end), end - start);
    this.zeros = seg.length - end;
  }

  private keep(bytes: Buffer | null, n: number): void {
    this.zeros = 0;
    this.length += n;
    if (this.head) return;
    if (this.length > this.max) {
      const pieces = bytes ? [...this.parts, bytes] : [...this.parts, Buffer.alloc(Math.min(n, HEAD_BYTES))];
      this.head = Buffer.concat(pieces, Math.min(HEAD_BYTES, this.kept + Math.min(n, HEAD_BYTES)));
      this.parts = [];
      this.kept = 0;
      return;
    }
    this.parts.push(bytes ?? Buffer.alloc(n));
    this.kept += n;
  }

  /** The finished line, or null when it held nothing but NUL padding; resets the builder. */
  take(): { bytes: Buffer; offset: number; overlong?: number } | null {
    const offset = this.offset;
    const result =
      offset < 0
        ? null
        : this.head
          ? { bytes: this.head, offset, overlong: this.length }
          : { bytes: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.kept), offset };
    this.parts = [];
    this.kept = 0;
    this.length = 0;
    this.zeros = 0;
    this.head = null;
    this.offset = -1;
    return result;
  }
}

/** Yields every non-blank line of `path`. `stats.bytesRead` counts what was read from disk. */
export function* readLines(
  path: string,
  stats?: ReadStats,
  maxLineBytes = MAX_LINE_BYTES,
): Generator<Line, void, undefined> {
  // Synchronous reads (and a synchronous generator: no promise per line): conversion is CPU-bound and runs one unit per thread at a time, so
  // overlapping reads buys little, and a promise per chunk (and per open/close) costs more.
  // A source swapped for a FIFO or a device since it was found is refused, never waited on.
  const file = RegularFile.open(path);
  const { fd, size } = file;
  try {
    const builder = new LineBuilder(maxLineBytes);
    let position = 0;
    let lineNo = 0;
    let pending = false;
    // Chunks sized to what is left (the file may still grow: reading goes on until a read returns
    // nothing): most files are far smaller than CHUNK, and a fresh 1 MiB per file costs an
    // allocation the GC then has to account for.
    for (;;) {
      const want = Math.min(CHUNK, Math.max(size - position, 0) + TAIL_SLACK);
      const chunk = Buffer.allocUnsafe(want);
      const bytesRead = readSync(fd, chunk, 0, want, position);
      if (bytesRead === 0) break;
      if (stats) stats.bytesRead += bytesRead;
      const data = chunk.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl === -1) break;
        lineNo++;
        // Fast path, nearly every line: whole in this chunk, no NUL at its ends.
        if (!pending && nl > start && data[start] !== 0 && data[nl - 1] !== 0 && nl - start <= maxLineBytes) {
          const bytes = data.subarray(start, nl);
          if (!isBlank(bytes)) yield { bytes, lineNo, offset: position + start, torn: false };
          start = nl + 1;
          continue;
        }
        builder.add(data.subarray(start, nl), position + start);
        pending = false;
        const line = builder.take();
        if (line && !isBlank(line.bytes)) yield { ...line, lineNo, torn: false };
        start = nl + 1;
      }
      if (start < data.length) {
        builder.add(data.subarray(start), position + start);
        pending = true;
      }
      position += bytesRead;
    }
    if (pending) {
      lineNo++;
      const line = builder.take();
      if (line && !isBlank(line.bytes)) yield { ...line, lineNo, torn: true };
    }
  } finally {
    file.close();
  }
}

function isBlank(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

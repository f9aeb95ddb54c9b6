/**
 * Streams a file as lines of raw bytes, split on `\n` only: agents write raw U+2028/U+2029 inside
 * JSON strings, and a `\r` before the `\n` is left for JSON.parse to ignore as white space.
 * No line-length cap; trailing NUL padding (left by crashes) is stripped; a last line without
 * a newline is still yielded, flagged `torn`.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export interface Line {
  /** The bytes of the line without its `\n` and without NUL padding. */
  bytes: Buffer;
  /** 1-based line number in the file. */
  lineNo: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** True for a last line that has no terminating `\n` (possibly cut mid-write). */
  torn: boolean;
}

export interface ReadStats {
  bytesRead: number;
}

const CHUNK = 1 << 20;

function stripNul(buf: Buffer): Buffer {
  let start = 0;
  let end = buf.length;
  while (start < end && buf[start] === 0) start++;
  while (end > start && buf[end - 1] === 0) end--;
  return start === 0 && end === buf.length ? buf : buf.subarray(start, end);
}

/** Yields every non-blank line of `path`. `stats.bytesRead` counts what was read from disk. */
export async function* readLines(path: string, stats?: ReadStats): AsyncGenerator<Line> {
  // Synchronous reads: conversion is CPU-bound and runs one unit per thread at a time, so
  // overlapping reads buys little, and a promise per chunk (and per open/close) costs more.
  const fd = openSync(path, 'r');
  try {
    let carry: Buffer[] = [];
    let carryLen = 0;
    let carryOffset = 0;
    let position = 0;
    let lineNo = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const bytesRead = readSync(fd, chunk, 0, CHUNK, position);
      if (bytesRead === 0) break;
      if (stats) stats.bytesRead += bytesRead;
      const data = chunk.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl === -1) break;
        lineNo++;
        let bytes: Buffer;
        let offset: number;
        if (carryLen > 0) {
          carry.push(data.subarray(start, nl));
          bytes = Buffer.concat(carry, carryLen + nl - start);
          offset = carryOffset;
          carry = [];
          carryLen = 0;
        } else {
          bytes = data.subarray(start, nl);
          offset = position + start;
        }
        const clean = stripNul(bytes);
        if (!isBlank(clean)) yield { bytes: clean, lineNo, offset, torn: false };
        start = nl + 1;
      }
      if (start < data.length) {
        if (carryLen === 0) carryOffset = position + start;
        carry.push(data.subarray(start));
        carryLen += data.length - start;
      }
      position += bytesRead;
    }
    if (carryLen > 0) {
      lineNo++;
      const clean = stripNul(Buffer.concat(carry, carryLen));
      if (!isBlank(clean)) yield { bytes: clean, lineNo, offset: carryOffset, torn: true };
    }
  } finally {
    closeSync(fd);
  }
}

function isBlank(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * The baseline: a bare single-thread loop that reads every file under the given dirs and
 * JSON.parses every line (a `.json` file is parsed once, whole); nothing else. Run as its own
 * process so that it pays the same start-up as the import it is compared with.
 *
 * With `--reencode FILE`, the loop also JSON.stringifies every parsed value and writes it to FILE:
 * the least any converter that decodes its input and encodes its output does (the floor).
 *
 *   node dist/bench/baseline.js [--reencode FILE] DIR...   → {"files","bytes","lines","bad_lines","ms"}
 */
import { closeSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isMain } from './paths.js';

export interface BaselineResult {
  files: number;
  bytes: number;
  lines: number;
  bad_lines: number;
  ms: number;
}

/** Where `--reencode` writes, through a 4 MiB buffer; null for the plain baseline. */
interface Writer {
  fd: number;
  buf: Buffer;
  used: number;
}
type Sink = Writer | null;

function flush(sink: Writer): void {
  writeSync(sink.fd, sink.buf, 0, sink.used);
  sink.used = 0;
}

function put(sink: Writer, text: string): void {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (sink.used + text.length * 3 > sink.buf.length) flush(sink);
  if (text.length * 3 > sink.buf.length) writeSync(sink.fd, text);
  else sink.used += sink.buf.write(text, sink.used, 'utf8');
}

function parse(text: string, result: BaselineResult, sink: Sink): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    result.bad_lines++;
    return;
  }
  if (sink !== null) put(sink, `${JSON.stringify(value)}\n`);
}

function parseLines(buf: Buffer, result: BaselineResult, sink: Sink): void {
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end === -1) end = buf.length;
    if (end > start) {
      result.lines++;
      parse(buf.toString('utf8', start, end), result, sink);
    }
    start = end + 1;
  }
}

function visit(dir: string, result: BaselineResult, sink: Sink): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      visit(path, result, sink);
      continue;
    }
    if (!entry.isFile()) continue;
    const buf = readFileSync(path);
    result.files++;
    result.bytes += buf.length;
    if (entry.name.endsWith('.jsonl')) parseLines(buf, result, sink);
    else if (entry.name.endsWith('.json')) {
      result.lines++;
      parse(buf.toString('utf8'), result, sink);
    }
  }
}

export function baseline(dirs: readonly string[], reencodeTo: string | null = null): BaselineResult {
  const t = performance.now();
  const result: BaselineResult = { files: 0, bytes: 0, lines: 0, bad_lines: 0, ms: 0 };
  const sink: Sink =
    reencodeTo === null ? null : { fd: openSync(reencodeTo, 'w'), buf: Buffer.allocUnsafe(4 << 20), used: 0 };
  try {
    for (const dir of dirs) visit(dir, result, sink);
    if (sink !== null) flush(sink);
  } finally {
    if (sink !== null) closeSync(sink.fd);
  }
  result.ms = performance.now() - t;
  return result;
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const reencode = args[0] === '--reencode' ? (args[1] ?? null) : null;
  process.stdout.write(`${JSON.stringify(baseline(reencode === null ? args : args.slice(2), reencode))}\n`);
}

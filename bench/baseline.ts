/**
 * The baseline: a bare single-thread loop that reads every file under the given dirs and
 * JSON.parses every line (a `.json` file is parsed once, whole); nothing else. Run as its own
 * process so that it pays the same start-up as the import it is compared with.
 *
 * With `--reencode FILE`, the loop also JSON.stringifies every parsed value and writes it to FILE,
 * fsynced at the end: the least any converter that decodes its input and encodes its output does
 * (the floor). With `--threads N` as well, the files are split by size over N worker threads, each
 * writing its own `FILE.<n>`: the floor like for like with an import on N threads.
 *
 *   node dist/bench/baseline.js [--reencode FILE [--threads N]] DIR...   → {"files","bytes","lines","bad_lines","ms"}
 */
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parseArgs } from 'node:util';
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

/** Every regular file under `dir`, in directory order. */
function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

function visit(path: string, result: BaselineResult, sink: Sink): void {
  const buf = readFileSync(path);
  result.files++;
  result.bytes += buf.length;
  if (path.endsWith('.jsonl')) parseLines(buf, result, sink);
  else if (path.endsWith('.json')) {
    result.lines++;
    parse(buf.toString('utf8'), result, sink);
  }
}

function baselineOf(files: readonly string[], reencodeTo: string | null): BaselineResult {
  const t = performance.now();
  const result: BaselineResult = { files: 0, bytes: 0, lines: 0, bad_lines: 0, ms: 0 };
  const sink: Sink =
    reencodeTo === null ? null : { fd: openSync(reencodeTo, 'w'), buf: Buffer.allocUnsafe(4 << 20), used: 0 };
  try {
    for (const file of files) visit(file, result, sink);
    if (sink !== null) {
      flush(sink);
      fsyncSync(sink.fd);
    }
  } finally {
    if (sink !== null) closeSync(sink.fd);
  }
  result.ms = performance.now() - t;
  return result;
}

export function baseline(dirs: readonly string[], reencodeTo: string | null = null): BaselineResult {
  return baselineOf(
    dirs.flatMap((dir) => listFiles(dir)),
    reencodeTo,
  );
}

/** Splits files over `n` lists of about equal bytes, largest file first. */
export function splitBySize(files: readonly string[], n: number): string[][] {
  const parts = Array.from({ length: n }, () => ({ bytes: 0, files: [] as string[] }));
  const sized = files.map((path) => ({ path, bytes: statSync(path).size })).sort((a, b) => b.bytes - a.bytes);
  for (const file of sized) {
    const least = parts.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    least.files.push(file.path);
    least.bytes += file.bytes;
  }
  return parts.map((p) => p.files);
}

/** The re-encode floor over `threads` worker threads, each writing `<reencodeTo>.<n>`; the results summed. */
export async function threadedFloor(dirs: readonly string[], reencodeTo: string, threads: number) {
  const t = performance.now();
  const parts = splitBySize(
    dirs.flatMap((dir) => listFiles(dir)),
    threads,
  );
  const results = await Promise.all(
    parts.map(
      (files, i) =>
        new Promise<BaselineResult>((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { files, out: `${reencodeTo}.${i}` } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  for (let i = 0; i < threads; i++) unlinkSync(`${reencodeTo}.${i}`);
  const sum: BaselineResult = { files: 0, bytes: 0, lines: 0, bad_lines: 0, ms: performance.now() - t };
  for (const r of results) for (const k of ['files', 'bytes', 'lines', 'bad_lines'] as const) sum[k] += r[k];
  return sum;
}

if (!isMainThread) {
  const { files, out } = workerData as { files: string[]; out: string };
  parentPort!.postMessage(baselineOf(files, out));
} else if (isMain(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { reencode: { type: 'string' }, threads: { type: 'string', default: '1' } },
  });
  const threads = Number(values.threads);
  const result =
    values.reencode !== undefined && threads > 1
      ? await threadedFloor(positionals, values.reencode, threads)
      : baseline(positionals, values.reencode ?? null);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

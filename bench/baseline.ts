/**
 * The baseline: a bare single-thread loop that reads every file under the given dirs and
 * JSON.parses every line (a `.json` file is parsed once, whole); nothing else. Run as its own
 * process so that it pays the same start-up as the import it is compared with.
 *
 *   node dist/bench/baseline.js DIR...   → {"files","bytes","lines","bad_lines","ms"} on stdout
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMain } from './paths.js';

export interface BaselineResult {
  files: number;
  bytes: number;
  lines: number;
  bad_lines: number;
  ms: number;
}

function parseLines(buf: Buffer, result: BaselineResult): void {
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end === -1) end = buf.length;
    if (end > start) {
      result.lines++;
      try {
        JSON.parse(buf.toString('utf8', start, end));
      } catch {
        result.bad_lines++;
      }
    }
    start = end + 1;
  }
}

function visit(dir: string, result: BaselineResult): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      visit(path, result);
      continue;
    }
    if (!entry.isFile()) continue;
    const buf = readFileSync(path);
    result.files++;
    result.bytes += buf.length;
    if (entry.name.endsWith('.jsonl')) parseLines(buf, result);
    else if (entry.name.endsWith('.json')) {
      result.lines++;
      try {
        JSON.parse(buf.toString('utf8'));
      } catch {
        result.bad_lines++;
      }
    }
  }
}

export function baseline(dirs: readonly string[]): BaselineResult {
  const t = performance.now();
  const result: BaselineResult = { files: 0, bytes: 0, lines: 0, bad_lines: 0, ms: 0 };
  for (const dir of dirs) visit(dir, result);
  result.ms = performance.now() - t;
  return result;
}

if (isMain(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(baseline(process.argv.slice(2)))}\n`);
}

/**
 * The floor of a no-op re-run: what any tool that notices every change must do, and nothing
 * else — list every directory under the given dirs (the provider homes, the archive's session
 * files) and lstat every file in them, with nanosecond times, on one thread. Run as its own
 * process by the bench, so that it pays the same start-up as the no-op it is compared with.
 *
 *   node dist/bench/stat-floor.js DIR...   → {"dirs","files"}
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMain } from './paths.js';

export interface StatFloor {
  dirs: number;
  files: number;
}

function walk(dir: string, seen: StatFloor): void {
  seen.dirs++;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, seen);
    else {
      lstatSync(path, { bigint: true });
      seen.files++;
    }
  }
}

if (isMain(import.meta.url)) {
  const seen: StatFloor = { dirs: 0, files: 0 };
  for (const dir of process.argv.slice(2)) walk(dir, seen);
  process.stdout.write(`${JSON.stringify(seen)}\n`);
}

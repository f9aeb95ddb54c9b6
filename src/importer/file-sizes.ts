/**
 * The sizes of the archived session files, checked against the sizes the state recorded (a stat
 * each, nothing read). With many files the stats run on another thread while this one discovers
 * the sources: at 100,000 sessions they are a tenth of a no-op's time, and the two do not wait on
 * each other. Every file is stat'ed either way: a file deleted, cut short, grown, or published by
 * a run killed before its state is found as before.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Below this many files a thread costs more than the stats it takes over. */
const THREAD_MIN_FILES = 20_000;

/** What a check is sent: the files, one path a line below `dir`, and the size each should have. */
export interface SizeCheck {
  dir: string;
  paths: string;
  sizes: Float64Array;
}

/** The files whose size is not the expected one: their index in the check, and their size (-1: missing). */
export interface SizeMismatches {
  at: number[];
  sizes: number[];
}

/** Stats every file of `check` here, on this thread. */
export function mismatchesOf(check: SizeCheck): SizeMismatches {
  const out: SizeMismatches = { at: [], sizes: [] };
  const paths = check.paths.split('\n');
  for (let i = 0; i < paths.length; i++) {
    const size = statSync(`${check.dir}/${paths[i]}`, { throwIfNoEntry: false })?.size ?? -1;
    if (size === check.sizes[i]) continue;
    out.at.push(i);
    out.sizes.push(size);
  }
  return out;
}

// Written from the importer's folder up: the same path from the bundled CLI (dist/src/cli).
const WORKER_URL = new URL('../importer/file-sizes-worker.js', import.meta.url);

/**
 * Starts checking the sizes of `paths` (relative to `dir`) against `sizes`: on another thread
 * when there are many and the built worker is there (not from TypeScript sources), else here,
 * when the result is asked for.
 */
export function startSizeCheck(dir: string, paths: string[], sizes: Float64Array): () => Promise<SizeMismatches> {
  const check: SizeCheck = { dir, paths: paths.join('\n'), sizes };
  if (paths.length === 0) return () => Promise.resolve({ at: [], sizes: [] });
  if (paths.length < THREAD_MIN_FILES || !existsSync(fileURLToPath(WORKER_URL)) || !WORKER_URL.pathname.endsWith('.js'))
    return () => Promise.resolve(mismatchesOf(check));
  // Sent as a copy: should the thread fail, the check is done here.
  const worker = new Worker(WORKER_URL, { workerData: check });
  const result = new Promise<SizeMismatches>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', () => resolve(mismatchesOf(check)));
  });
  return () => result;
}

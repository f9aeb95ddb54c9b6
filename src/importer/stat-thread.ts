/**
 * The stats of a plan, on two threads when there are many. A no-op of a large archive is mostly
 * stats: an lstat of every source file (164,000 at 100,000 sessions) and a stat of every archived
 * session file, whose size is checked against the state's record (a file deleted, cut short, grown,
 * or published by a run killed before its state). From 20,000 session files a second thread takes
 * the size check and shares the sources' lstats with this one: both take chunks of the sources in
 * turn from a counter in shared memory, so neither waits while chunks are left, and the second
 * thread goes back to the sizes, which the plan needs only at its end. Every file is stat'ed either
 * way; without the built worker (tests from TypeScript sources) everything runs here.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { MessagePort } from 'node:worker_threads';
import type { BackfillState } from '../model/state.js';
import { LSTAT_FIELDS, lstatInto } from './fingerprint.js';

/** Below this many session files a thread costs more than the stats it takes over. */
const THREAD_MIN_FILES = 20_000;
/** Sources per turn of a thread. */
const CHUNK = 512;
/** How long this thread waits for the other's chunks without progress before it stats them itself. */
const STALL_MS = 5000;

/** What a size check is given: the files below `dir`, one a line, each as its expected size, a tab and its path. */
export interface SizeCheck {
  dir: string;
  list: string;
}

/** The files whose size is not the expected one: their index in the check, and their size (-1: missing). */
export interface SizeMismatches {
  at: number[];
  sizes: number[];
}

/** The state's session files with the size each was written with, as a check's list. */
export function sessionList(state: Pick<BackfillState, 'sessions'>): { list: string; count: number } {
  let list = '';
  let count = 0;
  for (const key in state.sessions) {
    list += `${state.sessions[key]!.log_bytes}\t${state.sessions[key]!.log_path}\n`;
    count++;
  }
  return { list, count };
}

/** Stats every file of `check`, calling `between` after every chunk of files. */
export function mismatchesOf(check: SizeCheck, between: () => void = () => {}): SizeMismatches {
  const out: SizeMismatches = { at: [], sizes: [] };
  const { dir, list } = check;
  for (let start = 0, i = 0; start < list.length; i++) {
    const tab = list.indexOf('\t', start);
    const end = list.indexOf('\n', tab);
    const expected = Number(list.slice(start, tab));
    const size = statSync(`${dir}/${list.slice(tab + 1, end)}`, { throwIfNoEntry: false })?.size ?? -1;
    start = end + 1;
    if (i % CHUNK === CHUNK - 1) between();
    if (size === expected) continue;
    out.at.push(i);
    out.sizes.push(size);
  }
  return out;
}

/**
 * Paths, each followed by a line feed, and where each starts: path `i` is the text from
 * `starts[i]` to `starts[i + 1] - 1` (`starts` has one more entry than there are paths).
 */
export interface Paths {
  text: string;
  starts: Int32Array;
}

export const pathAt = ({ text, starts }: Paths, i: number): string => text.slice(starts[i], starts[i + 1]! - 1);

/** A share of lstats: the paths' text, and the shared memory of the counters, the paths' starts and the results. */
export interface LstatJob {
  text: string;
  shared: SharedArrayBuffer;
  count: number;
}

/** `[next chunk, chunks done]`, a done flag per chunk and the paths' starts (int32), then the results (int64). */
function layout(count: number) {
  const chunks = Math.ceil(count / CHUNK);
  const ints = 2 + chunks + count + 1;
  return { chunks, ints, bytes: 8 * Math.ceil(ints / 2) + 8 * LSTAT_FIELDS * count };
}

function views(shared: SharedArrayBuffer, count: number) {
  const { chunks, ints } = layout(count);
  const ctl = new Int32Array(shared, 0, ints);
  const starts = ctl.subarray(2 + chunks);
  const out = new BigInt64Array(shared, 8 * Math.ceil(ints / 2), LSTAT_FIELDS * count);
  return { chunks, ctl, starts, out };
}

function statChunk(paths: Paths, count: number, out: BigInt64Array, chunk: number): void {
  const end = Math.min(count, (chunk + 1) * CHUNK);
  for (let i = chunk * CHUNK; i < end; i++) lstatInto(pathAt(paths, i), out, i * LSTAT_FIELDS);
}

/** Takes chunks of the job in turn with the other thread until none is left. */
export function lstatShare({ text, shared, count }: LstatJob): void {
  const { chunks, ctl, starts, out } = views(shared, count);
  for (let c = Atomics.add(ctl, 0, 1); c < chunks; c = Atomics.add(ctl, 0, 1)) {
    statChunk({ text, starts }, count, out, c);
    Atomics.store(ctl, 2 + c, 1);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
}

/** Waits for the chunks the other thread took; should it stall, stats what it left here. */
function awaitShare({ text, shared, count }: LstatJob): void {
  const { chunks, ctl, starts, out } = views(shared, count);
  let stalledSince = performance.now();
  for (let done = Atomics.load(ctl, 1); done < chunks; done = Atomics.load(ctl, 1)) {
    if (Atomics.wait(ctl, 1, done, 100) !== 'timed-out') stalledSince = performance.now();
    else if (performance.now() - stalledSince > STALL_MS) {
      for (let c = 0; c < chunks; c++) if (Atomics.load(ctl, 2 + c) === 0) statChunk({ text, starts }, count, out, c);
      return;
    }
  }
}

// Written from the importer's folder up: the same path from the bundled CLI (dist/src/cli).
const WORKER_URL = new URL('../importer/stat-thread-worker.js', import.meta.url);

/** The second thread of a plan's stats, when there is one, and the size check it was started with. */
export class StatThread {
  private port: MessagePort | null = null;
  private result: Promise<SizeMismatches> | null = null;
  private readonly check: SizeCheck;

  /**
   * Starts checking the `count` files of `list` (as `sessionList` writes it, paths relative to
   * `dir`): on another thread when there are many and the built worker is there, else here, when
   * the result is asked for.
   */
  constructor(dir: string, { list, count }: { list: string; count: number }) {
    this.check = { dir, list };
    const threaded =
      count >= THREAD_MIN_FILES && existsSync(fileURLToPath(WORKER_URL)) && WORKER_URL.pathname.endsWith('.js');
    if (!threaded) return;
    // Loaded only here: a run with few session files starts no thread.
    const { MessageChannel, Worker } = createRequire(import.meta.url)(
      'node:worker_threads',
    ) as typeof import('node:worker_threads');
    const { port1, port2 } = new MessageChannel();
    // Sent as a copy: should the thread fail, the check is done here.
    const worker = new Worker(WORKER_URL, {
      workerData: { ...this.check, port: port2 },
      transferList: [port2],
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    this.port = port1;
    this.result = new Promise<SizeMismatches>((resolve) => {
      const done = (found: SizeMismatches) => {
        this.port?.close();
        this.port = null;
        resolve(found);
      };
      worker.once('message', done);
      worker.once('error', () => done(mismatchesOf(this.check)));
    });
  }

  /** The size check's result (the second thread is let go once it is in). */
  sizes(): Promise<SizeMismatches> {
    return (this.result ??= Promise.resolve(mismatchesOf(this.check)));
  }

  /** The lstat fields (`lstatInto`'s, `LSTAT_FIELDS` per path) of every path, in order, shared with the second thread if there is one. */
  lstatAll(paths: Paths): BigInt64Array {
    const count = paths.starts.length - 1;
    const shared = new SharedArrayBuffer(layout(count).bytes);
    views(shared, count).starts.set(paths.starts);
    const job: LstatJob = { text: paths.text, shared, count };
    this.port?.postMessage(job);
    lstatShare(job);
    if (this.port !== null) awaitShare(job);
    return views(shared, count).out;
  }
}

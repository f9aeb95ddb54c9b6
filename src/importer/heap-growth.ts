/**
 * How far V8 lets a heap grow before its next full collection. By default up to four times what
 * survived the last one when collecting is cheap. A large unit raises what survives while it is
 * converted, and so the limit, and its conversion allocates much that dies soon after (each line's
 * objects and strings): each worker's heap swelled to several times its live data, the more so the
 * more large units a home has. The cold import of the 2 GB bench home peaked at 540 MB against
 * 346 MB for the 400 MB one (one worker's heap reached 238 MB, 19 MB of it live); with growth by
 * half at most, 387 MB against 301 MB, for 1.03× the CPU time. Only with a large unit: a home of
 * 10,000 small sessions gained nothing from it and took 1.16× the CPU time (its main thread holds
 * a large state, collected more often).
 */
import { createRequire } from 'node:module';

/** Bounds the growth of every heap of the process, this thread's and its workers'. */
export function boundHeapGrowth(): void {
  // node:v8 loaded here, where it is used: a run without a large unit does not load it.
  const v8 = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  // Read whenever V8 sets a heap's next limit, so it holds for workers already started too.
  v8.setFlagsFromString('--heap-growing-percent=50');
}

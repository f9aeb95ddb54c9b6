/**
 * How far V8 lets a heap grow before its next full collection. By default up to four times what
 * survived the last one when collecting is cheap; a conversion keeps little alive but allocates
 * much (each line's objects and strings), so each worker's heap swelled to several times its live
 * data, the more so the more large units a home has: the cold import of the 2 GB bench home peaked
 * at 540 MB against 346 MB for the 400 MB one (one worker's heap reached 238 MB, 19 MB of it
 * live). Growth by half at most: 365 MB against 302 MB, for about 3% more CPU time.
 */
import { setFlagsFromString } from 'node:v8';

/** Bounds the growth of every heap of the process, this thread's and its workers'. */
export function boundHeapGrowth(): void {
  // Read whenever V8 sets a heap's next limit, so it holds for workers already started too.
  setFlagsFromString('--heap-growing-percent=50');
}

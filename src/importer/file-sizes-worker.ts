/** Worker thread: checks the sizes of the session files it is given (see file-sizes.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { mismatchesOf, type SizeCheck } from './file-sizes.js';

parentPort!.postMessage(mismatchesOf(workerData as SizeCheck));

/**
 * The second thread of a plan's stats (see stat-thread.ts): checks the sizes it is given, and
 * between chunks of them, or after, takes its share of each job of lstats the plan sends.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { lstatShare, mismatchesOf, type LstatJob, type SizeCheck } from './stat-thread.js';

const { port, ...check } = workerData as SizeCheck & { port: MessagePort };
const sizes = mismatchesOf(check, () => {
  const job = receiveMessageOnPort(port);
  if (job) lstatShare(job.message as LstatJob);
});
port.on('message', lstatShare);
parentPort!.postMessage(sizes);

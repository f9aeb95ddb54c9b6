// Preloaded into an import process (`node --import ./faults.mjs …`) to stop it at a chosen point.
// It counts the file-system operations of three phases and acts at the N-th one of a phase:
//   discovery   readdir / lstat calls (fast-glob walking the provider homes)
//   session     writes to and renames of session temp files (`sessions/.<id>.jsonl.tmp-…`)
//   checkpoint  writes to and renames of the state and index temp files (write-file-atomic)
// IMPORT_LOGS_FAULT=phase:N:kill    SIGKILL itself there (a write is cut in half first)
// IMPORT_LOGS_FAULT=phase:N:pause  create IMPORT_LOGS_FAULT_SIGNAL, then block until it is deleted
// IMPORT_LOGS_FAULT_COUNT=FILE     write the operation counts of the run, and its peak memory
//                                  (`maxRssMb`, all threads), to FILE at exit
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const counts = { discovery: 0, session: 0, checkpoint: 0 };
const [phase, nth, action] = (process.env.IMPORT_LOGS_FAULT ?? '').split(':');
const target = Number(nth);
const signal = process.env.IMPORT_LOGS_FAULT_SIGNAL;
const countFile = process.env.IMPORT_LOGS_FAULT_COUNT;

const original = {
  readdir: fs.readdir,
  lstat: fs.lstat,
  openSync: fs.openSync,
  writeSync: fs.writeSync,
  renameSync: fs.renameSync,
  open: fs.open,
  write: fs.write,
  rename: fs.rename,
  closeSync: fs.closeSync,
};

const SESSION_TEMP = /\/sessions\/\.[^/]*\.tmp-[^/]*$/;
const CHECKPOINT_TEMP = /\/(?:backfill_state|index|sessions_index)\.json\.\d+$/;
const tempFds = new Map();

function block() {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  original.closeSync(original.openSync(signal, 'w'));
  while (fs.existsSync(signal)) Atomics.wait(cell, 0, 0, 20);
}

/** Counts one operation of `p`; true when the fault is due now (`before` runs first). */
function due(p) {
  counts[p]++;
  return p === phase && counts[p] === target;
}

function act(before) {
  if (action === 'pause') {
    block();
    return;
  }
  before?.();
  process.kill(process.pid, 'SIGKILL');
}

/** A write cut in half: what a crash in the middle of `write(2)` leaves. */
function halfWrite(fd, buffer, offset, length, position) {
  const buf = typeof buffer === 'string' ? Buffer.from(buffer) : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const start = typeof offset === 'number' ? offset : 0;
  const len = typeof length === 'number' ? length : buf.length - start;
  original.writeSync(fd, buf, start, Math.floor(len / 2), typeof position === 'number' ? position : null);
}

fs.readdir = function (...args) {
  if (due('discovery')) act();
  return original.readdir.apply(this, args);
};
fs.lstat = function (...args) {
  if (due('discovery')) act();
  return original.lstat.apply(this, args);
};
fs.openSync = function (path, ...rest) {
  const fd = original.openSync.call(this, path, ...rest);
  if (typeof path === 'string' && SESSION_TEMP.test(path)) tempFds.set(fd, 'session');
  return fd;
};
fs.writeSync = function (fd, ...rest) {
  if (tempFds.get(fd) === 'session' && due('session')) act(() => halfWrite(fd, ...rest));
  return original.writeSync.call(this, fd, ...rest);
};
fs.renameSync = function (from, to) {
  if (typeof from === 'string' && SESSION_TEMP.test(from) && due('session')) act(() => original.renameSync(from, to));
  return original.renameSync.call(this, from, to);
};
fs.open = function (path, ...rest) {
  const cb = rest.pop();
  return original.open.call(this, path, ...rest, (err, fd) => {
    if (!err && typeof path === 'string' && CHECKPOINT_TEMP.test(path)) tempFds.set(fd, 'checkpoint');
    cb(err, fd);
  });
};
fs.write = function (fd, ...rest) {
  if (tempFds.get(fd) === 'checkpoint' && due('checkpoint')) act(() => halfWrite(fd, ...rest.slice(0, -1)));
  return original.write.call(this, fd, ...rest);
};
fs.rename = function (from, to, cb) {
  if (typeof from === 'string' && CHECKPOINT_TEMP.test(from) && due('checkpoint')) act(() => original.renameSync(from, to));
  return original.rename.call(this, from, to, cb);
};
syncBuiltinESMExports();

if (countFile) {
  process.on('exit', () => fs.writeFileSync(countFile, JSON.stringify({ ...counts, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })));
}

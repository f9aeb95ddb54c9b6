// Preloaded into an import process (`node --import ./faults.mjs …`) to stop it at a chosen point,
// or to make its writes short.
// It counts the file-system operations of three phases and acts at the N-th one of a phase:
//   discovery   readdir / lstat calls, sync or not, once the import holds its lock (fast-glob
//               walking the provider homes)
//   session     writes to and renames of session temp files (`sessions/.<id>.jsonl.tmp-…`)
//   checkpoint  writes to and renames of the state and index temp files (`.index.json.tmp-…`),
//               and appends to the state's journal
//   index       opens of session files (`sessions/<id>.jsonl`) once a build of the local index
//               from nothing has created its file (`archive.db-building-…`): the build reads them
//   stamp       writes to and renames of the local index's stamp temp file (`.archive-db.stamp.tmp-…`),
//               written once the database is updated and closed
// IMPORT_LOGS_FAULT=phase:N:kill    SIGKILL itself there (a write is cut in half first)
// IMPORT_LOGS_FAULT=phase:N:pause  create IMPORT_LOGS_FAULT_SIGNAL, then block until it is deleted
// IMPORT_LOGS_FAULT=f1,f2,…        several faults in turn: each is armed once the one before it has
//                                  acted, and its N counts from then
// IMPORT_LOGS_SHORT_WRITES=half     every write to a file the tool writes (see SITES) writes only
//                                  its first half and returns that count, as write(2) may
// IMPORT_LOGS_SHORT_WRITES=full:SITE  the disk fills up at the first write to a file of SITE: that
//                                  write stores half and returns the count, and every later write
//                                  to any file of SITES fails with ENOSPC
// IMPORT_LOGS_FAULT_COUNT=FILE     write the operation counts of the run (and the short writes per
//                                  site, `short`), and its peak memory (`maxRssMb`, all threads),
//                                  to FILE at exit
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const counts = { discovery: 0, session: 0, checkpoint: 0, index: 0, stamp: 0 };
const faults = (process.env.IMPORT_LOGS_FAULT ?? '').split(',').map((f) => {
  const [phase, nth, action] = f.split(':');
  return { phase, target: Number(nth), action };
});
/** The fault armed now, and the count of its phase when it was armed. */
let armed = 0;
let base = 0;
const signal = process.env.IMPORT_LOGS_FAULT_SIGNAL;
const countFile = process.env.IMPORT_LOGS_FAULT_COUNT;

const original = {
  readdir: fs.readdir,
  lstat: fs.lstat,
  readdirSync: fs.readdirSync,
  lstatSync: fs.lstatSync,
  linkSync: fs.linkSync,
  openSync: fs.openSync,
  writeSync: fs.writeSync,
  renameSync: fs.renameSync,
  closeSync: fs.closeSync,
};

const SESSION_TEMP = /\/sessions\/\.[^/]*\.tmp-[^/]*$/;
const JOURNAL = /\/backfill_state\.journal$/;
const CHECKPOINT_TEMP =
  /\/\.(?:(?:backfill_state|backfill_sessions|index|sessions_index)\.json|backfill_state\.digest)\.tmp-\d+-\d+$/;
const SESSION_FILE = /\/sessions\/[^/.][^/]*\.jsonl$/;
const INDEX_BUILD = /\/archive\.db-building-[^/]*$/;
const STAMP_TEMP = /\/\.archive-db\.stamp\.tmp-\d+-\d+$/;
let building = false;
/** Every kind of file the tool writes, by the name of its temp file. */
const SITES = {
  session: SESSION_TEMP,
  index: /\/\.index\.json\.tmp-\d+-\d+$/,
  state: /\/\.backfill_state\.json\.tmp-\d+-\d+$/,
  entries: /\/\.backfill_sessions\.json\.tmp-\d+-\d+$/,
  journal: JOURNAL,
  store_index: /\/\.sessions_index\.json\.tmp-\d+-\d+$/,
  lock: /\/\.import\.lock\.\d+$/,
  store_lock: /\/\.sessions_index\.lock\.\d+$/,
};
const siteOf = (path) =>
  typeof path === 'string' ? Object.keys(SITES).find((site) => SITES[site].test(path)) : undefined;
const [shortMode, fullSite] = (process.env.IMPORT_LOGS_SHORT_WRITES ?? '').split(':');
const short = {};
let diskFull = false;
/** fd -> the phase and the site of the temp file it writes. */
const tempFds = new Map();

function block() {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  original.closeSync(original.openSync(signal, 'w'));
  while (fs.existsSync(signal)) Atomics.wait(cell, 0, 0, 20);
}

/** Counts one operation of `p`; true when the fault is due now (`before` runs first). */
function due(p) {
  counts[p]++;
  const fault = faults[armed];
  if (fault?.phase !== p || counts[p] - base !== fault.target) return false;
  armed++;
  base = faults[armed] ? counts[faults[armed].phase] : 0;
  return true;
}

function act(before) {
  if (faults[armed - 1].action === 'pause') {
    block();
    return;
  }
  before?.();
  process.kill(process.pid, 'SIGKILL');
}

/** A write cut in half: what a crash in the middle of `write(2)`, or a full disk, leaves. Returns the count. */
function halfWrite(fd, buffer, offset, length, position) {
  const buf =
    typeof buffer === 'string' ? Buffer.from(buffer) : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const start = typeof offset === 'number' ? offset : 0;
  const len = typeof length === 'number' ? length : buf.length - start;
  return original.writeSync(fd, buf, start, Math.ceil(len / 2), typeof position === 'number' ? position : null);
}

fs.readdir = function (...args) {
  if (due('discovery')) act();
  return original.readdir.apply(this, args);
};
fs.lstat = function (...args) {
  if (due('discovery')) act();
  return original.lstat.apply(this, args);
};
let locked = false;
fs.linkSync = function (from, to) {
  original.linkSync.call(this, from, to);
  if (typeof to === 'string' && to.endsWith('/.import.lock')) locked = true;
};
fs.readdirSync = function (...args) {
  if (locked && due('discovery')) act();
  return original.readdirSync.apply(this, args);
};
fs.lstatSync = function (...args) {
  if (locked && due('discovery')) act();
  return original.lstatSync.apply(this, args);
};
const phaseOf = (path) =>
  typeof path !== 'string'
    ? undefined
    : SESSION_TEMP.test(path)
      ? 'session'
      : CHECKPOINT_TEMP.test(path) || JOURNAL.test(path)
        ? 'checkpoint'
        : STAMP_TEMP.test(path)
          ? 'stamp'
          : undefined;

/**
 * The short write IMPORT_LOGS_SHORT_WRITES asks for at this write to `site`, if any: the count it
 * returns, or an ENOSPC error.
 */
function shortWrite(site, fd, buffer, offset, length, position) {
  if (!shortMode || site === undefined) return null;
  if (diskFull)
    return Object.assign(new Error(`ENOSPC: no space left on device, write`), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
    });
  if (shortMode === 'full' && site !== fullSite) return null;
  diskFull = shortMode === 'full';
  short[site] = (short[site] ?? 0) + 1;
  return halfWrite(fd, buffer, offset, length, position);
}

fs.openSync = function (path, ...rest) {
  if (typeof path === 'string' && INDEX_BUILD.test(path)) building = true;
  if (building && typeof path === 'string' && SESSION_FILE.test(path) && due('index')) act();
  const fd = original.openSync.call(this, path, ...rest);
  const site = siteOf(path);
  const phase = phaseOf(path);
  if (site !== undefined || phase !== undefined) tempFds.set(fd, { phase, site });
  return fd;
};
fs.closeSync = function (fd) {
  tempFds.delete(fd);
  return original.closeSync.call(this, fd);
};
fs.writeSync = function (fd, ...rest) {
  const temp = tempFds.get(fd);
  if (temp?.phase !== undefined && due(temp.phase)) act(() => halfWrite(fd, ...rest));
  const cut = shortWrite(temp?.site, fd, ...rest);
  if (cut instanceof Error) throw cut;
  if (cut !== null) return cut;
  return original.writeSync.call(this, fd, ...rest);
};
fs.renameSync = function (from, to) {
  const phase = phaseOf(from);
  if (phase !== undefined && due(phase)) act(() => original.renameSync(from, to));
  return original.renameSync.call(this, from, to);
};
syncBuiltinESMExports();

if (countFile) {
  process.on('exit', () =>
    fs.writeFileSync(
      countFile,
      JSON.stringify({ ...counts, short, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }),
    ),
  );
}

/**
 * What identifies a version of a source file without reading it: size, mtime, inode and device,
 * and the ctime, which no tool can set back: a same-size rewrite whose mtime was restored (`touch
 * -d`, `rsync -t`) or a new file that got a freed inode with the old size and mtime still changes
 * it. Times are compared to the nanosecond where the file system keeps them.
 */
import { lstatSync, type BigIntStats } from 'node:fs';
import type { SourceFile } from '../../adapters/types.js';
import type { FileRecord, UnitRecord } from '../model/state.js';
import { commonDir } from '../util/paths.js';

const NS_PER_S = 1_000_000_000n;

/** Milliseconds exactly as Node computes `Stats.mtimeMs` (seconds × 1e3 + nanoseconds / 1e6, in doubles). */
function msOf(ns: bigint): number {
  let sec = ns / NS_PER_S;
  let nsec = ns % NS_PER_S;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += NS_PER_S;
  }
  return Number(sec) * 1e3 + Number(nsec) / 1e6;
}

/**
 * Fields of a source's lstat, as `lstatInto` writes them: its kind (1: a regular file, 0: anything
 * else, -1: gone or not stat'able), size, inode, device, mtime and ctime in nanoseconds.
 */
export const LSTAT_FIELDS = 6;

/** Writes the lstat fields of `path` (symlinks are not followed) at `at`. */
export function lstatInto(path: string, out: BigInt64Array, at: number): void {
  let st: BigIntStats;
  try {
    st = lstatSync(path, { bigint: true });
  } catch {
    out[at] = -1n;
    return;
  }
  out[at] = st.isFile() ? 1n : 0n;
  out[at + 1] = st.size;
  out[at + 2] = st.ino;
  out[at + 3] = st.dev;
  out[at + 4] = st.mtimeNs;
  out[at + 5] = st.ctimeNs;
}

/** The found file whose lstat fields are at `at`; null when it is gone or not a regular file. */
export function sourceOf(path: string, rel: string, fields: BigInt64Array, at: number): SourceFile | null {
  if (fields[at] !== 1n) return null;
  const mtimeNs = fields[at + 4]!;
  return {
    path,
    rel,
    size: Number(fields[at + 1]),
    mtimeMs: msOf(mtimeNs),
    // Unsigned, as lstat gives them (the fields are signed).
    ino: Number(BigInt.asUintN(64, fields[at + 2]!)),
    dev: Number(BigInt.asUintN(64, fields[at + 3]!)),
    mtimeNs: mtimeNs.toString(),
    ctimeNs: fields[at + 5]!.toString(),
  };
}

/** A found file, stat'ed; null when it is gone or not a regular file (symlinks are not followed). */
export function statSource(path: string, rel: string): SourceFile | null {
  const fields = new BigInt64Array(LSTAT_FIELDS);
  lstatInto(path, fields, 0);
  return sourceOf(path, rel, fields, 0);
}

/** The record the state keeps of `file`, named `name` (its path below its unit's `dir`). */
export function fileRecordOf(name: string, file: SourceFile): FileRecord {
  const { size, ino, dev, mtimeNs, ctimeNs } = file;
  if (mtimeNs === undefined || ctimeNs === undefined) return [name, size, ino, dev, file.mtimeMs];
  return ctimeNs === mtimeNs ? [name, size, ino, dev, mtimeNs] : [name, size, ino, dev, mtimeNs, ctimeNs];
}

/** The record of a unit converted from `files`. */
export function unitRecordOf(unit: Omit<UnitRecord, 'dir' | 'files'>, files: readonly SourceFile[]): UnitRecord {
  const dir = commonDir(files.map((f) => f.path));
  return { ...unit, dir, files: files.map((f) => fileRecordOf(f.path.slice(dir.length), f)) };
}

/** The record of the file at `path` in a unit's record. */
export function fileIn(rec: UnitRecord, path: string): FileRecord | undefined {
  const at = rec.dir.length;
  if (!path.startsWith(rec.dir)) return undefined;
  for (const f of rec.files) if (f[0].length === path.length - at && path.endsWith(f[0])) return f;
  return undefined;
}

/**
 * `same`: the file is the one the state describes. `adopt`: a record written before the state
 * kept nanosecond times, matching on size, mtime, inode and device: taken as the same file, and
 * the record gains the times (no mass re-conversion on upgrade). `changed`: anything else.
 */
export function compareFingerprint(file: SourceFile, rec: FileRecord): 'same' | 'adopt' | 'changed' {
  if (rec[1] !== file.size || rec[2] !== file.ino || rec[3] !== file.dev) return 'changed';
  const mtime = rec[4];
  if (typeof mtime === 'number') {
    if (mtime !== file.mtimeMs) return 'changed';
    return file.ctimeNs === undefined ? 'same' : 'adopt';
  }
  if (file.mtimeNs === undefined) return msOf(BigInt(mtime)) === file.mtimeMs ? 'same' : 'changed';
  return mtime === file.mtimeNs && (rec[5] ?? mtime) === file.ctimeNs ? 'same' : 'changed';
}

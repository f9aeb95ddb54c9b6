/**
 * What identifies a version of a source file without reading it: size, mtime, inode and device,
 * and the ctime, which no tool can set back: a same-size rewrite whose mtime was restored (`touch
 * -d`, `rsync -t`) or a new file that got a freed inode with the old size and mtime still changes
 * it. Times are compared to the nanosecond where the file system keeps them.
 */
import { lstatSync, type BigIntStats } from 'node:fs';
import type { SourceFile } from '../../adapters/types.js';
import type { SourceFingerprint } from '../model/state.js';

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

/** The stat of a found file; null when it is gone or not a regular file (symlinks are not followed). */
export function statSource(path: string): Omit<SourceFile, 'path' | 'rel'> | null {
  let st: BigIntStats;
  try {
    st = lstatSync(path, { bigint: true });
  } catch {
    return null;
  }
  if (!st.isFile()) return null;
  return {
    size: Number(st.size),
    mtimeMs: msOf(st.mtimeNs),
    ino: Number(st.ino),
    dev: Number(st.dev),
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
  };
}

/** The fingerprint the state keeps for `file`. */
export function fingerprintOf(file: SourceFile): SourceFingerprint {
  return {
    size: file.size,
    mtime_ms: file.mtimeMs,
    ino: file.ino,
    dev: file.dev,
    ...(file.mtimeNs !== undefined && file.ctimeNs !== undefined
      ? { mtime_ns: file.mtimeNs, ctime_ns: file.ctimeNs }
      : {}),
  };
}

/** `rec` with the fingerprint of `file`, its fields first, in the schema's order (the state's fast check wants it). */
export function withFingerprint<T extends SourceFingerprint>(rec: T, file: SourceFile): T {
  return Object.assign(fingerprintOf(file), rec, fingerprintOf(file));
}

/**
 * `same`: the file is the one the state describes. `adopt`: a record written before the state
 * kept nanosecond times, matching on size, mtime, inode and device: taken as the same file, and
 * the record gains the times (no mass re-conversion on upgrade). `changed`: anything else.
 */
export function compareFingerprint(file: SourceFile, rec: SourceFingerprint): 'same' | 'adopt' | 'changed' {
  if (rec.size !== file.size || rec.mtime_ms !== file.mtimeMs || rec.ino !== file.ino || rec.dev !== file.dev)
    return 'changed';
  if (file.ctimeNs === undefined) return 'same';
  if (rec.ctime_ns === undefined) return 'adopt';
  return rec.ctime_ns === file.ctimeNs && rec.mtime_ns === file.mtimeNs ? 'same' : 'changed';
}

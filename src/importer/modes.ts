/**
 * What the tool owns is private to the user: its dirs 0700, its files 0600. New ones are created
 * so; an existing one made looser (by hand, by an older version, by a copy) is tightened at the
 * start of each import, and reported where that is not possible (another user owns it).
 */
import { chmodSync, lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from '../errors.js';
import { DIR_MODE, FILE_MODE } from '../writer/atomic-file.js';
import { globalIndexPath, indexPath, sessionsDirOf, statePath } from '../archive/layout.js';
import type { Locations } from './locations.js';
import { isInside } from '../util/paths.js';

export interface LooseMode {
  path: string;
  mode: number;
  /** The mode it should have (0700 or 0600). */
  want: number;
  uid: number;
}

/** The dirs and the top-level files of the logs dir and of the store this run writes. */
export function ownedPaths(locations: Locations): string[] {
  const { logsDir, storeDir } = locations;
  const paths = [logsDir, sessionsDirOf(logsDir), statePath(logsDir), indexPath(logsDir)];
  if (storeDir !== null) {
    paths.push(storeDir, globalIndexPath(storeDir));
    // The store's own dirs between it and the logs dir (`logs/`, `projects/<slug>/logs/`).
    for (let dir = dirname(logsDir); isInside(storeDir, dir) && dir !== storeDir; dir = dirname(dir)) paths.push(dir);
  }
  return paths;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** The paths that exist and are looser than they should be (symlinks are not followed, nor changed). */
export function looseModes(paths: readonly string[]): LooseMode[] {
  const loose: LooseMode[] = [];
  for (const path of paths) {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (!st.isDirectory() && !st.isFile()) continue;
    const want = st.isDirectory() ? DIR_MODE : FILE_MODE;
    if ((st.mode & 0o777 & ~want) !== 0) loose.push({ path, mode: st.mode & 0o777, want, uid: st.uid });
  }
  return loose;
}

/** What `doctor` and the run summary say about a path left loose. */
export function looseModeWarning(l: LooseMode, why: string): string {
  return `${l.path} is mode ${octal(l.mode)} (others can read the archive) and should be ${octal(l.want)}: ${why}`;
}

/** Tightens what is loose; returns a warning for each path it could not change. */
export function tightenModes(paths: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const l of looseModes(paths)) {
    try {
      chmodSync(l.path, l.want);
    } catch (err) {
      warnings.push(looseModeWarning(l, `it could not be changed (${errorMessage(err)}; owner uid ${l.uid})`));
    }
  }
  return warnings;
}

/** Finding provider homes and their source files: stat only, nothing is read. */
import { realpathSync, statSync } from 'node:fs';
import fg from 'fast-glob';
import { statSource } from './fingerprint.js';
import type { Adapter, HomeCandidate, HomeEnvironment, SourceFile, SourceUnit } from '../../adapters/types.js';

export interface ResolvedHome extends HomeCandidate {
  /** Real path of the home; sources are found below it. */
  real: string;
}

export interface HomeLookup {
  looked: HomeCandidate[];
  homes: ResolvedHome[];
}

/** The flag wins; else the adapter's candidates. Missing dirs are skipped, duplicates merged. */
export function resolveHomes(adapter: Adapter, flagValue: string | undefined, environment: HomeEnvironment): HomeLookup {
  const looked: HomeCandidate[] =
    flagValue !== undefined && flagValue !== '' ? [{ path: flagValue, via: `--${adapter.home.flag}` }] : adapter.home.resolve(environment);
  const homes: ResolvedHome[] = [];
  const seen = new Set<string>();
  for (const candidate of looked) {
    let real: string;
    try {
      real = realpathSync(candidate.path);
      if (!statSync(real).isDirectory()) continue;
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    homes.push({ ...candidate, real });
  }
  return { looked, homes };
}

/**
 * Synchronous on purpose: a walk of a thousand files through the thread pool costs a round trip
 * per directory and per stat, and the no-op re-run is mostly this walk. The walk reads file types
 * from the directories; only the files it matches are stat'ed (with nanosecond times).
 */
export function discoverSources(adapter: Adapter, home: string): SourceFile[] {
  const rels = fg.sync(adapter.sources, {
    cwd: home,
    ignore: adapter.ignore ?? [],
    onlyFiles: true,
    dot: true,
    followSymbolicLinks: false,
    suppressErrors: true,
  });
  const files: SourceFile[] = [];
  for (const rel of rels) {
    const path = `${home}/${rel}`;
    const st = statSource(path);
    if (st) files.push({ path, rel, ...st });
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return files;
}

export function unitsOf(adapter: Adapter, files: SourceFile[], home: string): SourceUnit[] {
  const units = adapter.units ? adapter.units(files, home) : files.map((file) => ({ key: file.path, files: [file] }));
  return units.filter((unit) => unit.files.length > 0);
}

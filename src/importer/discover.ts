/**
 * Finding provider homes and their source files: stat only, nothing is read. Every home is listed
 * first, then every file found is lstat'ed at once (on two threads when there are many), and the
 * source files and units are made of that only when asked for: a run that finds nothing changed
 * (see state-digest.ts) needs no more than the paths and their lstat fields.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { errorMessage } from '../errors.js';
import { isSimpleGlob, listingOf, walkGlobs } from '../io/glob-walk.js';
import type { DirListings } from './dir-listings.js';
import { pathAt, type Paths, type StatThread } from './stat-thread.js';
import { LSTAT_FIELDS, lstatInto, sourceOf } from './fingerprint.js';
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
export function resolveHomes(
  adapter: Adapter,
  flagValue: string | undefined,
  environment: HomeEnvironment,
): HomeLookup {
  const looked: HomeCandidate[] =
    flagValue !== undefined && flagValue !== ''
      ? [{ path: flagValue, via: `--${adapter.home.flag}` }]
      : adapter.home.resolve(environment);
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

/** A directory or file discovery could not list or stat: nothing below it is known. */
export interface DiscoveryError {
  path: string;
  message: string;
}

export interface Discovered {
  files: SourceFile[];
  errors: DiscoveryError[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A file name's bytes as text, those that are not valid UTF-8 written `\xNN`. */
function escapedName(raw: Buffer): string {
  let out = '';
  for (let i = 0; i < raw.length;) {
    const lead = raw[i]!;
    const n = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    try {
      out += strictUtf8.decode(raw.subarray(i, i + n));
      i += n;
    } catch {
      out += `\\x${lead.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/**
 * What went wrong with `path`: a name that is not valid UTF-8 (Node lists it with U+FFFD, and no
 * file has that name) is named exactly, from its directory listed as bytes.
 */
function describe(path: string, err: unknown): string {
  if (path.includes('\ufffd')) {
    try {
      const dir = dirname(path);
      const names = readdirSync(dir, { encoding: 'buffer' }).filter((b) => b.toString('utf8').includes('\ufffd'));
      const shown = names.map((b) => `${dir}/${escapedName(b)}`).join(', ');
      return `${shown || path}: name is not valid UTF-8 and cannot be read; what is below it was left as it was`;
    } catch {
      // fall through to the plain message
    }
  }
  return `${path}: ${errorMessage(err)}; what is below it was left as it was`;
}

/** fast-glob, for patterns `walkGlobs` does not understand: loaded only then. */
function fastGlob(): typeof import('fast-glob') {
  return createRequire(import.meta.url)('fast-glob') as typeof import('fast-glob');
}

/**
 * The paths below `home` that `adapter`'s patterns match, relative to it. Synchronous on purpose:
 * a walk of a thousand files through the thread pool costs a round trip per directory, and the
 * no-op re-run is mostly this walk. Simple patterns are walked here, each directory listed once;
 * others go to fast-glob. Listing failures are reported through `failed` (fast-glob skips a
 * directory it cannot list without saying so): a directory of the patterns that does not exist is
 * no error, a name that is not UTF-8 is.
 */
function matchSources(
  adapter: Adapter,
  home: string,
  failed: (path: string, err: unknown) => void,
  listings: DirListings | undefined,
): string[] {
  const fail = (path: string, err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.includes('\ufffd')) failed(path, err);
  };
  if (adapter.sources.every(isSimpleGlob) && (adapter.ignore ?? []).length === 0) {
    return walkGlobs(adapter.sources, (rel) => {
      const path = rel === '' ? home : `${home}/${rel}`;
      try {
        return listings ? listings.list(path) : listingOf(readdirSync(path, { withFileTypes: true }));
      } catch (err) {
        fail(path, err);
        return null;
      }
    });
  }
  const readdir = ((path: string, options?: unknown) => {
    try {
      return (readdirSync as (p: string, o?: unknown) => unknown)(path, options);
    } catch (err) {
      fail(resolve(home, path), err);
      throw err;
    }
  }) as typeof readdirSync;
  // Its `stats` option drops a whole directory when one entry cannot be stat'ed (a name that is
  // not valid UTF-8): the files found are stat'ed by the caller, with nanosecond times.
  return fastGlob().sync(adapter.sources, {
    cwd: home,
    ignore: adapter.ignore ?? [],
    onlyFiles: true,
    dot: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    fs: { readdirSync: readdir },
  });
}

/** What discovery listed below a home, not yet stat'ed: the paths the patterns match (relative to it), and what could not be listed. */
export interface Listed {
  entries: string[];
  errors: DiscoveryError[];
}

/** The paths below `home` that `adapter`'s patterns match; `listings`: the directories as last listed, listed again only when changed. */
export function listSources(adapter: Adapter, home: string, listings?: DirListings): Listed {
  const errors: DiscoveryError[] = [];
  const failed = (path: string, err: unknown) => errors.push({ path, message: describe(path, err) });
  return { entries: matchSources(adapter, home, failed, listings), errors };
}

/** The paths of what was listed below `home`. */
/** The paths of what was listed below each home, in order (`Paths`). */
function pathsOf(homes: readonly (Listed & { home: string })[]): Paths {
  const starts = new Int32Array(homes.reduce((n, h) => n + h.entries.length, 0) + 1);
  let text = '';
  let i = 0;
  for (const { home, entries } of homes) {
    for (const rel of entries) {
      starts[i++] = text.length;
      text += `${home}/${rel}\n`;
    }
  }
  starts[i] = text.length;
  return { text, starts };
}

/**
 * The source files of what was listed, from their paths and lstat fields (those of `entries[i]`
 * are path `from + i` and at `fields[(from + i) * LSTAT_FIELDS]`), sorted by path, and what could
 * not be stat'ed.
 */
export function sourcesOf({ entries, errors }: Listed, paths: Paths, fields: BigInt64Array, from: number): Discovered {
  const files: SourceFile[] = [];
  entries.forEach((rel, i) => {
    const path = pathAt(paths, from + i);
    const st = sourceOf(path, rel, fields, (from + i) * LSTAT_FIELDS);
    // Gone since it was listed, or not a regular file: nothing to import. A name that is not UTF-8 is listed but cannot be stat'ed.
    if (st) files.push(st);
    else if (path.includes('\ufffd')) errors.push({ path, message: describe(path, null) });
  });
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, errors };
}

/** The source files of `adapter` below `home`, stat'ed here, and what could not be listed or stat'ed, with its path. */
export function discoverSources(adapter: Adapter, home: string, listings?: DirListings): Discovered {
  const listed = listSources(adapter, home, listings);
  const paths = pathsOf([{ home, ...listed }]);
  const fields = new BigInt64Array(listed.entries.length * LSTAT_FIELDS);
  listed.entries.forEach((_, i) => lstatInto(pathAt(paths, i), fields, i * LSTAT_FIELDS));
  return sourcesOf(listed, paths, fields, 0);
}

export function unitsOf(adapter: Adapter, files: SourceFile[], home: string): SourceUnit[] {
  const units = adapter.units ? adapter.units(files, home) : files.map((file) => ({ key: file.path, files: [file] }));
  return units.filter((unit) => unit.files.length > 0);
}

/** What discovery found of one provider: where it looked, and in each home found its files. */
export interface FoundProvider {
  adapter: Adapter;
  lookup: HomeLookup;
  homes: { home: string; files: SourceFile[]; errors: DiscoveryError[]; units: SourceUnit[] }[];
}

/** Where the homes' options come from. */
export interface DiscoveryOptions {
  adapters: readonly Adapter[];
  /** Flag overrides of provider homes, by adapter id. */
  homeFlags: Record<string, string | undefined>;
  environment: HomeEnvironment;
  /** The source directories as last listed: each is listed only when it changed. */
  listings?: DirListings | undefined;
}

/** Every provider's homes, listed, and every file found lstat'ed; its source files made on demand. */
export class Discovery {
  private found: FoundProvider[] | null = null;

  private constructor(
    readonly listed: readonly { adapter: Adapter; lookup: HomeLookup; homes: (Listed & { home: string })[] }[],
    /** Every path listed, provider by provider and home by home. */
    readonly paths: Paths,
    /** Their lstat fields (`lstatInto`'s), in that order. */
    readonly fields: BigInt64Array,
  ) {}

  /** Lists every provider's homes, then lstats every file found (on both threads of `stats`). */
  static of(opts: DiscoveryOptions, stats: StatThread): Discovery {
    const listed = opts.adapters.map((adapter) => {
      const lookup = resolveHomes(adapter, opts.homeFlags[adapter.id], opts.environment);
      const homes = lookup.homes.map(({ real }) => ({ home: real, ...listSources(adapter, real, opts.listings) }));
      return { adapter, lookup, homes };
    });
    const paths = pathsOf(listed.flatMap((p) => p.homes));
    return new Discovery(listed, paths, stats.lstatAll(paths));
  }

  /** What was found of each provider: its homes, with how many paths each listed, and its paths and their lstat fields. */
  *byProvider(): Generator<{ adapter: Adapter; homes: string; paths: string; fields: Uint8Array }> {
    const { text, starts } = this.paths;
    const { buffer, byteOffset } = this.fields;
    const bytes = 8 * LSTAT_FIELDS;
    let first = 0;
    for (const { adapter, homes } of this.listed) {
      const count = homes.reduce((n, h) => n + h.entries.length, 0);
      yield {
        adapter,
        homes: homes.map(({ home, entries }) => `${home}\t${entries.length}\n`).join(''),
        paths: text.slice(starts[first], starts[first + count]),
        fields: new Uint8Array(buffer, byteOffset + first * bytes, count * bytes),
      };
      first += count;
    }
  }

  /**
   * Whether every home was listed, every name found can be stat'ed (a name that is not UTF-8
   * cannot), and no path holds a line feed: each ends one in `paths`, so that their text says
   * where each path ends.
   */
  get complete(): boolean {
    const { text, starts } = this.paths;
    let ends = 0;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) ends++;
    if (ends !== starts.length - 1 || text.includes('\ufffd')) return false;
    return this.listed.every((p) => p.homes.every((h) => h.errors.length === 0));
  }

  /** Per provider, per home, its source files (sorted by path), what could not be listed or stat'ed, and its units. */
  providers(): FoundProvider[] {
    if (this.found !== null) return this.found;
    let from = 0;
    this.found = this.listed.map(({ adapter, lookup, homes }) => ({
      adapter,
      lookup,
      homes: homes.map((listing) => {
        const { home } = listing;
        const { files, errors } = sourcesOf(listing, this.paths, this.fields, from);
        from += listing.entries.length;
        return { home, files, errors, units: unitsOf(adapter, files, home) };
      }),
    }));
    return this.found;
  }
}

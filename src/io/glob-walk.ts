/**
 * The files below a directory that match glob patterns of the simple kind: `*` within a name (any
 * characters, dot files included) and whole `**` segments (any depth, dot folders included). All
 * the patterns are matched in one walk: each directory is listed once, and only where a pattern
 * can still match below it; the literal names the patterns start with are entered without listing.
 * Symbolic links are neither followed nor returned, as fast-glob does with `followSymbolicLinks:
 * false` and `onlyFiles`; but a path a pattern spells out in full is returned unseen, whatever it
 * is or whether it exists: the caller stats every path it gets (discovery does).
 */
import type { Dirent } from 'node:fs';

/** At most this many segments in a pattern (a walk's position packs the pattern and segment in one number). */
const SEGMENTS = 256;

/** A pattern this walk understands; others (`?`, classes, braces, extglobs, escapes, `..`) are not. */
export function isSimpleGlob(pattern: string): boolean {
  const segments = pattern.split('/');
  if (/[?[\]{}()!+@\\]/.test(pattern) || segments.length >= SEGMENTS) return false;
  return segments.every(
    (segment) => segment !== '' && segment !== '.' && segment !== '..' && (segment === '**' || !segment.includes('**')),
  );
}

/** One segment of a pattern: `**`, a literal name, or a name with `*` in it. */
type Segment = { kind: 'any-depth' } | { kind: 'literal'; name: string } | { kind: 'wildcard'; re: RegExp };

function compileSegment(segment: string): Segment {
  if (segment === '**') return { kind: 'any-depth' };
  if (!segment.includes('*')) return { kind: 'literal', name: segment };
  const escaped = segment.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { kind: 'wildcard', re: new RegExp(`^${escaped.join('.*')}$`, 's') };
}

/** Where a walk stands in the patterns: pattern `p`, its segment `i` next to match, as `p * SEGMENTS + i`. */
type Position = number;

/** The names in a directory of its files and of its folders (other entries, links included, are not walked). */
export interface Listing {
  files: readonly string[];
  dirs: readonly string[];
}

/** The listing of a directory read with its entries' types. */
export function listingOf(entries: readonly Dirent[]): Listing {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const entry of entries) {
    if (entry.isFile()) files.push(entry.name);
    else if (entry.isDirectory()) dirs.push(entry.name);
  }
  return { files, dirs };
}

/**
 * Lists a directory; null when it cannot be (the caller decides what a failure is worth saying).
 * Called with the directory's path below the root (`''` for the root itself).
 */
export type ListDir = (rel: string) => Listing | null;

/** Relative paths (`/`-separated) of the files below the root that match one of `patterns`. */
export function walkGlobs(patterns: readonly string[], list: ListDir): string[] {
  const compiled = patterns.map((p) => p.split('/').map(compileSegment));
  const segmentAt = (pos: Position): Segment | undefined => compiled[Math.floor(pos / SEGMENTS)]![pos % SEGMENTS];
  const isEnd = (pos: Position) => pos % SEGMENTS === compiled[Math.floor(pos / SEGMENTS)]!.length;
  /** Adds `pos` to `into`, and the position after it when it is at a `**` (which may match no folder). */
  const add = (into: Position[], pos: Position): void => {
    if (into.includes(pos)) return;
    into.push(pos);
    if (segmentAt(pos)?.kind === 'any-depth') add(into, pos + 1);
  };
  /** Positions after an entry named `name` (a directory or not) at `positions`. */
  const advance = (positions: readonly Position[], name: string): Position[] => {
    const next: Position[] = [];
    for (const pos of positions) {
      const segment = segmentAt(pos);
      if (segment === undefined) continue;
      if (segment.kind === 'any-depth') add(next, pos);
      else if (segment.kind === 'literal' ? segment.name === name : segment.re.test(name)) add(next, pos + 1);
    }
    return next;
  };
  const out: string[] = [];
  /** `listed`: `rel` was found by listing its parent (else it is on the literal path from the root). */
  const visit = (rel: string, positions: readonly Position[], listed: boolean): void => {
    const prefix = rel === '' ? '' : `${rel}/`;
    const ahead = positions.filter((pos) => !isEnd(pos)).map((pos) => segmentAt(pos)!);
    if (!listed && ahead.every((s) => s.kind === 'literal')) {
      // The patterns' literal start, entered without listing (a link there is followed, as
      // fast-glob follows a pattern's base); below a listed directory, links are seen by listing.
      for (const name of new Set(ahead.map((s) => (s as { name: string }).name))) {
        const next = advance(positions, name);
        if (next.some(isEnd)) out.push(`${prefix}${name}`);
        if (!next.every(isEnd)) visit(`${prefix}${name}`, next, false);
      }
      return;
    }
    const listing = list(rel);
    if (listing === null) return;
    for (const name of listing.files) if (advance(positions, name).some(isEnd)) out.push(`${prefix}${name}`);
    for (const name of listing.dirs) {
      const next = advance(positions, name);
      if (next.length > 0 && !next.every(isEnd)) visit(`${prefix}${name}`, next, true);
    }
  };
  const start: Position[] = [];
  compiled.forEach((_, p) => add(start, p * SEGMENTS));
  visit('', start, false);
  return out;
}

/**
 * The source directories as discovery last listed them (`backfill_dirs.json`), so that a run
 * lists only the directories that changed. Linux sets a directory's mtime and ctime on every
 * entry created, removed or renamed in it: a directory whose inode, device, mtime and ctime (in
 * nanoseconds) are those recorded holds the names recorded, and is stat'ed instead of listed.
 * Files are stat'ed as before (appending to one does not touch its directory).
 *
 * A listing is recorded only when the directory's times are older than the run by a margin: an
 * entry created in the same tick of the file system's clock as the listing would leave the times
 * as recorded. The stat comes before the listing, so a change between the two makes the record
 * older than the names, never the other way. It is a cache: a file that is missing, cut short or
 * of another shape is an empty one, and every directory is listed again.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { listingOf, type Listing } from '../io/glob-walk.js';
import { dirListingsPath } from '../archive/layout.js';
import { writeWholeFile } from '../writer/atomic-file.js';

/** A directory's times must be older than the run by this much for its listing to be recorded. */
const TRUST_AFTER_MS = 2000n;

/** `[ino, dev, mtime_ns, ctime_ns, file names, folder names]`. */
type DirRecord = [number, number, string, string, string[], string[]];

const VERSION = 1;

function isNames(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((name) => typeof name === 'string');
}

function isRecord(v: unknown): v is DirRecord {
  return (
    Array.isArray(v) &&
    v.length === 6 &&
    typeof v[2] === 'string' &&
    typeof v[3] === 'string' &&
    isNames(v[4]) &&
    isNames(v[5])
  );
}

/** The records of a listings file; none when it cannot be read or is not ours. */
function readRecords(path: string | null): Record<string, unknown> {
  if (path === null) return {};
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; dirs?: unknown };
    if (raw.version === VERSION && typeof raw.dirs === 'object' && raw.dirs !== null && !Array.isArray(raw.dirs))
      return raw.dirs as Record<string, unknown>;
  } catch {
    // no listings yet, or not usable: every directory is listed
  }
  return {};
}

export class DirListings {
  /** The records of this run: of each directory it visited. */
  private readonly next: Record<string, DirRecord> = {};
  private readonly recordedCount: number;
  private changed = false;
  /** Only directories whose times are before this (nanoseconds) have their listing recorded. */
  private readonly trustBefore: bigint;

  private constructor(
    private readonly path: string | null,
    private readonly recorded: Record<string, unknown>,
    nowMs: number,
  ) {
    this.recordedCount = Object.keys(recorded).length;
    this.trustBefore = (BigInt(Math.floor(nowMs)) - TRUST_AFTER_MS) * 1_000_000n;
  }

  /** The listings recorded in `logsDir` (null: none, and none saved), for a run started at `nowMs`. */
  static load(logsDir: string | null, nowMs = Date.now()): DirListings {
    const path = logsDir === null ? null : dirListingsPath(logsDir);
    return new DirListings(path, readRecords(path), nowMs);
  }

  /** The files and folders in the directory at `path`; throws as listing it would. */
  list(path: string): Listing {
    const st = statSync(path, { bigint: true });
    const ino = Number(st.ino);
    const dev = Number(st.dev);
    const mtime = st.mtimeNs.toString();
    const ctime = st.ctimeNs.toString();
    const rec = this.recorded[path];
    if (isRecord(rec) && rec[0] === ino && rec[1] === dev && rec[2] === mtime && rec[3] === ctime) {
      this.next[path] = rec;
      return { files: rec[4], dirs: rec[5] };
    }
    const listing = listingOf(readdirSync(path, { withFileTypes: true }));
    // A name that is not valid UTF-8 comes as U+FFFD: such a directory is listed every time, so that it is reported.
    const valid = ![...listing.files, ...listing.dirs].some((name) => name.includes('\ufffd'));
    if (valid && st.mtimeNs < this.trustBefore && st.ctimeNs < this.trustBefore) {
      this.next[path] = [ino, dev, mtime, ctime, [...listing.files], [...listing.dirs]];
      this.changed = true;
    } else if (rec !== undefined) this.changed = true;
    return listing;
  }

  /** Writes the records of the directories this run visited, when they are not those it read. */
  async save(): Promise<void> {
    if (this.path === null) return;
    if (!this.changed && Object.keys(this.next).length === this.recordedCount) return;
    await writeWholeFile(this.path, `${JSON.stringify({ version: VERSION, dirs: this.next })}\n`, false);
  }
}

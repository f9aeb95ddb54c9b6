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
 * older than the names, never the other way. The same holds for the sessions directory of the
 * logs dir: once swept of what a killed run left there, it is swept again only when changed. It
 * is a cache: a file that is missing, cut short or of another shape is an empty one, and every
 * directory is listed (and swept) again.
 */
import { readFileSync, readdirSync, statSync, type BigIntStats } from 'node:fs';
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

/** `[ino, dev, mtime_ns, ctime_ns]` of a directory. */
type Stamp = [number, number, string, string];

function stampOf(st: BigIntStats): Stamp {
  return [Number(st.ino), Number(st.dev), st.mtimeNs.toString(), st.ctimeNs.toString()];
}

const sameStamp = (rec: unknown, stamp: Stamp): boolean =>
  Array.isArray(rec) && rec[0] === stamp[0] && rec[1] === stamp[1] && rec[2] === stamp[2] && rec[3] === stamp[3];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The records of a listings file: `dirs`, the listings of source directories, and `swept`, the
 * stamps of directories as a sweep of leftovers left them. None when it cannot be read or is not ours.
 */
function readRecords(path: string | null): { dirs: Record<string, unknown>; swept: Record<string, unknown> } {
  try {
    const raw = JSON.parse(readFileSync(path!, 'utf8')) as { version?: unknown; dirs?: unknown; swept?: unknown };
    if (raw.version === VERSION && isObject(raw.dirs) && isObject(raw.swept))
      return { dirs: raw.dirs, swept: raw.swept };
  } catch {
    // no listings yet, or not usable: every directory is listed
  }
  return { dirs: {}, swept: {} };
}

export class DirListings {
  /** The records of this run: of each directory it visited or swept. */
  private readonly next: Record<string, DirRecord> = {};
  private readonly nextSwept: Record<string, Stamp> = {};
  private readonly recordedCount: number;
  private changed = false;
  /** Only directories whose times are before this (nanoseconds) have their listing recorded. */
  private readonly trustBefore: bigint;

  private constructor(
    private readonly path: string | null,
    private readonly recorded: Record<string, unknown>,
    private readonly swept: Record<string, unknown>,
    nowMs: number,
  ) {
    this.recordedCount = Object.keys(recorded).length + Object.keys(swept).length;
    this.trustBefore = (BigInt(Math.floor(nowMs)) - TRUST_AFTER_MS) * 1_000_000n;
  }

  /** The listings recorded in `logsDir` (null: none, and none saved), for a run started at `nowMs`. */
  static load(logsDir: string | null, nowMs = Date.now()): DirListings {
    const path = logsDir === null ? null : dirListingsPath(logsDir);
    const { dirs, swept } = readRecords(path);
    return new DirListings(path, dirs, swept, nowMs);
  }

  /** The files and folders in the directory at `path`; throws as listing it would. */
  list(path: string): Listing {
    const st = statSync(path, { bigint: true });
    const [ino, dev, mtime, ctime] = stampOf(st);
    const rec = this.recorded[path];
    if (isRecord(rec) && sameStamp(rec, [ino, dev, mtime, ctime])) {
      this.next[path] = rec;
      return { files: rec[4], dirs: rec[5] };
    }
    const listing = listingOf(readdirSync(path, { withFileTypes: true }));
    // A name that is not valid UTF-8 comes as U+FFFD: such a directory is listed every time, so that it is reported.
    const valid = ![...listing.files, ...listing.dirs].some((name) => name.includes('\ufffd'));
    if (valid && this.settled(st)) {
      this.next[path] = [ino, dev, mtime, ctime, [...listing.files], [...listing.dirs]];
      this.changed = true;
    } else if (rec !== undefined) this.changed = true;
    return listing;
  }

  /** Whether a directory's times are old enough for a record of it to hold (see the top). */
  private settled(st: BigIntStats): boolean {
    return st.mtimeNs < this.trustBefore && st.ctimeNs < this.trustBefore;
  }

  /**
   * Runs `sweep` (removing what a killed run left) in the directory at `path`, unless the
   * directory is as a sweep left it: anything created in it since changed its times.
   */
  sweep(path: string, sweep: () => void): void {
    const before = statSync(path, { bigint: true, throwIfNoEntry: false });
    const rec = this.swept[path];
    if (before !== undefined && sameStamp(rec, stampOf(before))) {
      this.nextSwept[path] = rec as Stamp;
      return;
    }
    sweep();
    const after = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (after !== undefined && this.settled(after)) this.nextSwept[path] = stampOf(after);
    if (rec !== undefined || this.nextSwept[path] !== undefined) this.changed = true;
  }

  /** Writes the records of the directories this run visited, when they are not those it read. */
  async save(): Promise<void> {
    if (this.path === null) return;
    if (!this.changed && Object.keys(this.next).length + Object.keys(this.nextSwept).length === this.recordedCount)
      return;
    const text = JSON.stringify({ version: VERSION, dirs: this.next, swept: this.nextSwept });
    await writeWholeFile(this.path, `${text}\n`, false);
  }
}

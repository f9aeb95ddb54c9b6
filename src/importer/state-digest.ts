/**
 * The state's digest (`backfill_state.digest`): what a run that finds nothing changed needs of the
 * state, so that it never reads the state itself (79 MB at 100,000 sessions). Per provider and
 * home, a hash of every source file's fingerprint as the state records it, with the adapter
 * version and redaction rules its units were converted with; the state's redaction and index
 * size; and every session file with its size, for the size check.
 *
 * It is a cache of the state, exact while the state is as it was: it records the size, mtime and
 * ctime (ns) and inode of the state file and of its journal, and a digest whose record is not what
 * they are now is not used (every checkpoint appends to the journal, every compaction replaces the
 * state file). A run compares the hash of the fingerprints it discovers with the digest's: equal,
 * home by home, means the state holds exactly these files as they are, each in a unit of the
 * current adapter version and rules, grouped into the same units (each line names its file's
 * unit), so the full comparison would find every unit unchanged. Anything else (another
 * hash, a home more or less, a file the state holds outside every home, a discovery error, a
 * session file of another size, a missing or damaged digest) and the run reads the state as before.
 *
 * Format: one JSON line (`DigestHead`), then one line per session file (stat-thread.ts). Written
 * without an fsync at the end of a run that changed the state: lost or cut short, it is not used.
 */
import { createHash, type Hash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Adapter, SourceFile, SourceUnit } from '../../adapters/types.js';
import { stateDigestPath, stateJournalPath, statePath } from '../archive/layout.js';
import type { BackfillState } from '../model/state.js';
import { writeWholeFile } from '../writer/atomic-file.js';
import { sessionList } from './stat-thread.js';
import { recordedRedaction, rulesOf } from './redaction.js';

const VERSION = 1;

/** `[size, inode, mtime ns, ctime ns]` of a state file, or null when there is none. */
type FileStamp = [number, number, string, string] | null;

/** What the digest holds of one provider: its homes as that run resolved them, and its units. */
export interface ProviderDigest {
  /** Per home (real path, in the run's order), the hash of the fingerprints of the state's files below it. */
  homes: [string, string][];
  /** Files of its units below none of those homes, or recorded before fingerprints had nanosecond times. */
  outside: number;
  /** The adapter version every unit was converted with; null when they differ. */
  version: number | null;
  /** The redaction rules every unit was converted with; null when they differ or there is no unit. */
  rules: number | null;
  units: number;
  /** Sessions its units produced, counted per unit. */
  sessions: number;
}

export interface DigestHead {
  version: typeof VERSION;
  /** The state file and its journal as the digest was taken from them. */
  stamp: [FileStamp, FileStamp];
  /** `state.redact`'s rules (0: none) and what the state says the logs dir was masked with. */
  redact: number;
  recorded_redaction: number;
  index_bytes: number | null;
  /** Session files, one line each after the head. */
  sessions: number;
  providers: Record<string, ProviderDigest>;
}

export interface StateDigest {
  head: DigestHead;
  /** The session files as a size check's list (`sessionList`). */
  sessionList: string;
}

function fileStamp(path: string): FileStamp {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  return st ? [Number(st.size), Number(st.ino), st.mtimeNs.toString(), st.ctimeNs.toString()] : null;
}

const stampOf = (logsDir: string): [FileStamp, FileStamp] => [
  fileStamp(statePath(logsDir)),
  fileStamp(stateJournalPath(logsDir)),
];

const sameStamp = (a: unknown, b: [FileStamp, FileStamp]): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The line a file adds to its home's hash: its unit's key, its path and fingerprint (from a stat or the state's record). */
const fingerprintLine = (
  unit: string,
  path: string,
  size: number,
  ino: number,
  dev: number,
  mtimeNs: string,
  ctimeNs: string,
) => `${unit}\t${path}\t${size}\t${ino}\t${dev}\t${mtimeNs}\t${ctimeNs}\n`;

/** Hashes lines, a megabyte of text per update. */
class LineHash {
  private readonly hash: Hash = createHash('sha256');
  private text = '';
  add(line: string): void {
    this.text += line;
    if (this.text.length >= 1 << 20) this.flush();
  }
  private flush(): void {
    this.hash.update(this.text);
    this.text = '';
  }
  digest(): string {
    this.flush();
    return this.hash.digest('base64');
  }
}

/**
 * The hash of the files of `units` found in one home, in the order of `files` (discovery's, by
 * path), each with its unit's key; null when one has no nanosecond times (a fingerprint the state
 * cannot have recorded the same way). Files in no unit (an adapter's side files) are not in it.
 */
export function foundHash(files: readonly SourceFile[], units: readonly SourceUnit[]): string | null {
  const unitOf = new Map<SourceFile, string>();
  for (const unit of units) for (const f of unit.files) unitOf.set(f, unit.key);
  const hash = new LineHash();
  for (const f of files) {
    const key = unitOf.get(f);
    if (key === undefined) continue;
    if (f.mtimeNs === undefined || f.ctimeNs === undefined) return null;
    hash.add(fingerprintLine(key, f.path, f.size, f.ino, f.dev, f.mtimeNs, f.ctimeNs));
  }
  return hash.digest();
}

/** The digest of one provider's units in `state`, for the homes (real paths) a run scanned. */
function providerDigest(state: BackfillState, adapterId: string, homes: readonly string[]): ProviderDigest {
  const lines: [string, string][][] = homes.map(() => []);
  const out: ProviderDigest = { homes: [], outside: 0, version: null, rules: null, units: 0, sessions: 0 };
  const versions = new Set<number>();
  const rules = new Set<number>();
  const prefix = `${adapterId}:`;
  for (const key in state.units) {
    if (!key.startsWith(prefix)) continue;
    const rec = state.units[key]!;
    const unitKey = key.slice(prefix.length);
    out.units++;
    out.sessions += rec.sessions.length;
    versions.add(rec.adapter_version);
    rules.add(rulesOf(rec));
    for (const [name, size, ino, dev, mtime, ctime] of rec.files) {
      const path = rec.dir + name;
      let placed = false;
      homes.forEach((home, i) => {
        if (typeof mtime !== 'string' || !path.startsWith(`${home}/`)) return;
        lines[i]!.push([path, fingerprintLine(unitKey, path, size, ino, dev, mtime, ctime ?? mtime)]);
        placed = true;
      });
      if (!placed) out.outside++;
    }
  }
  out.homes = homes.map((home, i) => {
    const hash = new LineHash();
    for (const [, line] of lines[i]!.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) hash.add(line);
    return [home, hash.digest()];
  });
  if (versions.size === 1) out.version = [...versions][0]!;
  if (rules.size === 1) out.rules = [...rules][0]!;
  return out;
}

/** The digest of `state`, for the providers a run scanned and the homes it found for each. */
function digestOf(logsDir: string, state: BackfillState, homes: ReadonlyMap<string, readonly string[]>): StateDigest {
  const { list, count } = sessionList(state);
  const providers: Record<string, ProviderDigest> = {};
  for (const [adapterId, found] of homes) providers[adapterId] = providerDigest(state, adapterId, found);
  const head: DigestHead = {
    version: VERSION,
    stamp: stampOf(logsDir),
    redact: state.redact?.rules_version ?? 0,
    recorded_redaction: recordedRedaction(state),
    index_bytes: state.index_bytes,
    sessions: count,
    providers,
  };
  return { head, sessionList: list };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The head's fields a run reads have the types it reads them as (the rest is compared, not read). */
function isHead(v: unknown): v is DigestHead {
  return (
    isObject(v) &&
    v.version === VERSION &&
    typeof v.redact === 'number' &&
    typeof v.recorded_redaction === 'number' &&
    (v.index_bytes === null || typeof v.index_bytes === 'number') &&
    typeof v.sessions === 'number' &&
    isObject(v.providers) &&
    Object.values(v.providers).every(
      (p) =>
        isObject(p) &&
        Array.isArray(p.homes) &&
        p.homes.every((h) => Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'string') &&
        typeof p.outside === 'number' &&
        typeof p.units === 'number' &&
        typeof p.sessions === 'number',
    )
  );
}

/** The digest of the logs dir's state as it is now, or null: none, unreadable, cut short, or of another state. */
export function readStateDigest(logsDir: string): StateDigest | null {
  let text: string;
  try {
    text = readFileSync(stateDigestPath(logsDir), 'utf8');
  } catch {
    return null;
  }
  const end = text.indexOf('\n');
  let head: unknown;
  try {
    head = JSON.parse(text.slice(0, end));
  } catch {
    return null;
  }
  if (!isHead(head) || !sameStamp(head.stamp, stampOf(logsDir))) return null;
  const sessionList = text.slice(end + 1);
  let lines = 0;
  for (let at = sessionList.indexOf('\n'); at !== -1; at = sessionList.indexOf('\n', at + 1)) lines++;
  if (lines !== head.sessions || (sessionList !== '' && !sessionList.endsWith('\n'))) return null;
  return { head, sessionList };
}

/**
 * Writes the digest of `state` as it is now on disk (after the run's last checkpoint), unless
 * `current`, the digest read at the start, is still the digest of it for these providers and
 * homes: a run that changed nothing writes nothing. A state without sessions gets none (the run
 * reads the session files back), nor one with a session path a line could not hold.
 */
export async function saveStateDigest(
  logsDir: string,
  state: BackfillState,
  homes: ReadonlyMap<string, readonly string[]>,
  current: StateDigest | null,
): Promise<void> {
  if (current !== null && sameStamp(current.head.stamp, stampOf(logsDir)) && coversHomes(current.head, homes)) return;
  const path = stateDigestPath(logsDir);
  const keys = Object.keys(state.sessions);
  if (keys.length === 0 || keys.some((k) => /[\t\n]/.test(state.sessions[k]!.log_path))) return;
  const { head, sessionList } = digestOf(logsDir, state, homes);
  try {
    await writeWholeFile(path, `${JSON.stringify(head)}\n${sessionList}`, false);
  } catch {
    // A cache: without it the next run reads the state.
  }
}

/** Whether `head` has each of these providers, with these homes in this order. */
function coversHomes(head: DigestHead, homes: ReadonlyMap<string, readonly string[]>): boolean {
  for (const [adapterId, found] of homes) {
    const digest = head.providers[adapterId];
    if (digest === undefined || digest.homes.length !== found.length) return false;
    if (digest.homes.some(([home], i) => home !== found[i])) return false;
  }
  return true;
}

/**
 * Whether the state holds exactly the files found for `adapter` (per home, in the run's order of
 * homes), each in a unit of the adapter's current version converted with `redactRules`.
 */
export function unchangedSince(
  head: DigestHead,
  adapter: Pick<Adapter, 'id' | 'version'>,
  found: readonly { home: string; hash: string | null }[],
  redactRules: number,
): boolean {
  const digest = head.providers[adapter.id];
  if (digest === undefined || digest.outside > 0 || digest.homes.length !== found.length) return false;
  if (digest.units > 0 && (digest.version !== adapter.version || digest.rules !== redactRules)) return false;
  return found.every(
    ({ home, hash }, i) => hash !== null && digest.homes[i]![0] === home && digest.homes[i]![1] === hash,
  );
}

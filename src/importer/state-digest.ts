/**
 * The state's digest (`backfill_state.digest`): what a run that finds nothing changed needs, so
 * that it never reads the state itself (79 MB at 100,000 sessions) nor makes a source file or a
 * unit of what it discovers. Per provider, it is written by a run that found every unit of the
 * provider recorded in the state exactly as discovered (each file's fingerprint, the unit's files,
 * the adapter version, the redaction rules) and no other: it keeps a hash of what that run found
 * of the provider (its homes and paths, in order, with their lstat fields) and the figures of the
 * run's summary. With them go the state's redaction and index size, and every session file with
 * its size. A later run whose discovery of each provider hashes the same found the same files,
 * unchanged, so the full comparison would find every unit unchanged: with whole indexes and
 * session files of the recorded sizes, it ends there. Anything else (a file changed, added or
 * gone, a home more or less, a name that cannot be listed or stat'ed, another adapter version or
 * redaction, `--force`) and the run reads the state as before.
 *
 * It is a cache of the state, exact while the state is as it was: it records the size, mtime and
 * ctime (ns) and inode of the state file and of its journal, and a digest whose record is not what
 * they are now is not used (every checkpoint appends to the journal, every compaction replaces the
 * state file). Format: one JSON line (`DigestHead`), then one line per session file
 * (`sessionList`). Written without an fsync: lost or cut short, it is not used.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { stateDigestPath, stateJournalPath, statePath } from '../archive/layout.js';
import type { ProviderSummary } from '../model/reports.js';
import type { BackfillState } from '../model/state.js';
import { writeWholeFile } from '../writer/atomic-file.js';
import { Discovery, type FoundProvider } from './discover.js';
import { compareFingerprint, fileIn } from './fingerprint.js';
import {
  emptyProviderSummary,
  startSessionCheck,
  unitChange,
  type ImportPlan,
  type PlanOptions,
  type Prepared,
} from './plan.js';
import { recordedRedaction } from './redaction.js';
import { sessionList } from './stat-thread.js';

const VERSION = 1;

/** `[size, inode, mtime ns, ctime ns]` of a state file, or null when there is none. */
type FileStamp = [number, number, string, string] | null;

/** What the digest holds of one provider: the adapter version, and the figures of the summary of a run that finds nothing changed. */
interface ProviderDigest {
  /** The hash of what discovery found of it when every unit was found unchanged (`providerHash`). */
  discovery: string;
  version: number;
  /** The redaction rules every unit was converted with (0: none). */
  rules: number;
  sources: number;
  source_bytes: number;
  units: number;
  /** Sessions its units produced, counted per unit. */
  sessions: number;
}

export interface DigestHead {
  version: typeof VERSION;
  /** The state file and its journal as the digest was taken after them. */
  stamp: [FileStamp, FileStamp];
  /** `state.redact`'s rules (0: none), and what the state says the logs dir was masked with. */
  redact: number;
  recorded_redaction: number;
  index_bytes: number | null;
  /** Session files, one line each after the head. */
  sessions: number;
  /** The providers found unchanged, each as the last run that scanned it found it. */
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

/** The hash of what discovery found of a provider: its homes with how many paths each listed, then the paths and their lstat fields. */
const providerHash = ({ homes, paths, fields }: { homes: string; paths: string; fields: Uint8Array }): string =>
  createHash('sha256').update(`${homes}\0${paths}\0`).update(fields).digest('base64');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The head's fields a run reads have the types it reads them as. */
function isHead(v: unknown): v is DigestHead {
  const counts = ['version', 'rules', 'sources', 'source_bytes', 'units', 'sessions'];
  return (
    isObject(v) &&
    v.version === VERSION &&
    ['redact', 'recorded_redaction', 'sessions'].every((k) => typeof v[k] === 'number') &&
    (v.index_bytes === null || typeof v.index_bytes === 'number') &&
    isObject(v.providers) &&
    Object.values(v.providers).every(
      (p) => isObject(p) && typeof p.discovery === 'string' && counts.every((k) => typeof p[k] === 'number'),
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
  const list = text.slice(end + 1);
  let lines = 0;
  for (let at = list.indexOf('\n'); at !== -1; at = list.indexOf('\n', at + 1)) lines++;
  if (lines !== head.sessions || (list !== '' && !list.endsWith('\n'))) return null;
  return { head, sessionList: list };
}

/** Whether every provider discovered is in the digest, found as its run found it, by the same adapter version and with `redactRules`. */
function sameDiscovery(head: DigestHead, discovery: Discovery, redactRules: number): boolean {
  for (const found of discovery.byProvider()) {
    const recorded = head.providers[found.adapter.id];
    if (recorded?.version !== found.adapter.version || recorded.rules !== redactRules) return false;
    if (providerHash(found) !== recorded.discovery) return false;
  }
  return true;
}

/**
 * The plan of a run that finds nothing changed since `digest`, made without reading the state:
 * `plan` is null when anything changed or could not be seen, and `prepared` is what the full plan
 * then starts from.
 */
export async function planFromDigest(
  opts: PlanOptions,
  digest: StateDigest,
): Promise<{ plan: ImportPlan | null; prepared: Prepared }> {
  const { head } = digest;
  const check = startSessionCheck(opts.logsDir, { list: digest.sessionList, count: head.sessions });
  const discovery = Discovery.of(opts, check.stats);
  const prepared = { discovery, check };
  const unchanged = !opts.force && discovery.complete && sameDiscovery(head, discovery, opts.redactRules);
  if (!unchanged || (await check.stats.sizes()).at.length > 0) return { plan: null, prepared };
  const providers: Record<string, ProviderSummary> = {};
  for (const { adapter, lookup } of discovery.listed) {
    const { sources, source_bytes, units, sessions } = head.providers[adapter.id]!;
    const ps = (providers[adapter.id] = emptyProviderSummary(lookup));
    Object.assign(ps, { sources, source_bytes, units, unchanged_units: units, unchanged_sessions: sessions });
  }
  const plan: ImportPlan = {
    providers,
    pending: [],
    adopt: [],
    vanished: [],
    orphaned: new Map(),
    scannedAdapters: new Set(discovery.listed.map((p) => p.adapter.id)),
    failures: [],
    damaged: new Set(),
    warnings: [],
    discovery,
    unchanged: new Set(),
  };
  return { plan, prepared };
}

/**
 * The digest's figures of a provider found, or null unless the state records every unit found
 * exactly as found (its files' fingerprints, the adapter version, `redactRules`) and no other
 * unit of the provider. Units the plan compared and found unchanged (`unchanged`) are not compared
 * again: only what the run converted is.
 */
function unchangedFigures(
  state: BackfillState,
  { adapter, homes }: FoundProvider,
  { discovery, redactRules, unchanged }: { discovery: string; redactRules: number; unchanged: ReadonlySet<string> },
): ProviderDigest | null {
  const seen = new Set<string>();
  const f = {
    discovery,
    version: adapter.version,
    rules: redactRules,
    sources: 0,
    source_bytes: 0,
    units: 0,
    sessions: 0,
  };
  for (const { files, errors, units } of homes) {
    if (errors.length > 0) return null;
    f.sources += files.length;
    for (const file of files) f.source_bytes += file.size;
    for (const unit of units) {
      const key = `${adapter.id}:${unit.key}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rec = state.units[key];
      if (rec === undefined) return null;
      // Converted by this run: its record must be what was found, to the nanosecond.
      const converted = !unchanged.has(key);
      if (converted && unitChange(unit, rec, { force: false, redactRules }, adapter) !== null) return null;
      if (converted && unit.files.some((file) => compareFingerprint(file, fileIn(rec, file.path)!) !== 'same'))
        return null;
      f.units++;
      f.sessions += rec.sessions.length;
    }
  }
  const prefix = `${adapter.id}:`;
  for (const key in state.units) if (key.startsWith(prefix) && !seen.has(key)) return null;
  return f;
}

/**
 * Writes the digest of `state` as it is now on disk (after the run's last checkpoint): each
 * provider `discovery` found, when the state records all of it unchanged, and the others as
 * `current`, the digest read at the start, had them (a run does not touch the units of a provider
 * it does not scan). Nothing when `current` still is the digest of this state and of what was
 * found (a run that changed nothing writes nothing). A state without sessions gets none (the run
 * reads the session files back), nor one with a session path a line could not hold.
 */
export async function saveStateDigest(
  logsDir: string,
  state: BackfillState,
  { discovery, unchanged }: Pick<ImportPlan, 'discovery' | 'unchanged'>,
  redactRules: number,
  current: StateDigest | null,
): Promise<void> {
  const stamp = stampOf(logsDir);
  const hashes = new Map([...discovery.byProvider()].map((found) => [found.adapter.id, providerHash(found)]));
  const kept = current?.head.providers ?? {};
  const same = [...hashes].every(([id, hash]) => kept[id]?.discovery === hash && kept[id]?.rules === redactRules);
  if (current !== null && sameStamp(current.head.stamp, stamp) && same) return;
  const keys = Object.keys(state.sessions);
  if (keys.length === 0 || keys.some((k) => /[\t\n]/.test(state.sessions[k]!.log_path))) return;
  const providers: Record<string, ProviderDigest> = {};
  for (const [id, recorded] of Object.entries(kept)) if (!hashes.has(id)) providers[id] = recorded;
  for (const found of discovery.providers()) {
    const figures = unchangedFigures(state, found, {
      discovery: hashes.get(found.adapter.id)!,
      redactRules,
      unchanged,
    });
    if (figures !== null) providers[found.adapter.id] = figures;
  }
  const { list, count } = sessionList(state);
  const head: DigestHead = {
    version: VERSION,
    stamp,
    redact: state.redact?.rules_version ?? 0,
    recorded_redaction: recordedRedaction(state),
    index_bytes: state.index_bytes,
    sessions: count,
    providers,
  };
  try {
    await writeWholeFile(stateDigestPath(logsDir), `${JSON.stringify(head)}\n${list}`, false);
  } catch {
    // A cache: without it the next run reads the state.
  }
}

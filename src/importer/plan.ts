/**
 * The plan of an import: discover every provider's sources (stat only, nothing is read), compare
 * their fingerprints with the state, and say what is to convert and what vanished. It writes
 * nothing and changes nothing: `runImport` applies it, `doctor` reports it.
 */
import type { Logger } from 'pino';
import { join } from 'node:path';
import type { Adapter, HomeEnvironment, SourceFile, SourceUnit } from '../../adapters/types.js';
import type { ProviderSummary } from '../model/reports.js';
import type { BackfillState, UnitRecord } from '../model/state.js';
import { Discovery, type FoundProvider, type HomeLookup } from './discover.js';
import { compareFingerprint, fileIn } from './fingerprint.js';
import { isInside } from '../util/paths.js';
import { rulesOf } from './redaction.js';
import { sessionList, StatThread } from './stat-thread.js';
import type { DirListings } from './dir-listings.js';

export interface PlannedUnit {
  adapter: Adapter;
  home: string;
  allFiles: SourceFile[];
  unit: SourceUnit;
  /** `<adapter id>:<unit key>`, the unit's name in the state. */
  stateKey: string;
  bytes: number;
  /** Why it is converted (for --verbose). */
  reason: string;
}

export interface PlanOptions {
  adapters: readonly Adapter[];
  /** Flag overrides of provider homes, by adapter id. */
  homeFlags: Record<string, string | undefined>;
  environment: HomeEnvironment;
  since: number | null;
  force: boolean;
  /** Version of the redaction rules this run masks with (0: none). */
  redactRules: number;
  /** Says why each unit is converted or skipped (debug level, for --verbose). */
  log?: Logger;
  /** The logs dir whose session files are checked (a stat each), or null. */
  logsDir: string | null;
  /** The source directories as last listed: each is listed only when it changed. */
  listings?: DirListings;
}

export interface ImportPlan {
  providers: Record<string, ProviderSummary>;
  /** Units to convert, in discovery order. */
  pending: PlannedUnit[];
  /** Unchanged units whose record of an older state gains the fingerprint's new fields, with their files. */
  adopt: { stateKey: string; files: SourceFile[] }[];
  /** Units of the state no longer found (of the providers scanned). */
  vanished: string[];
  /** Sessions of the vanished units that no unit still found holds (their source is gone), with their provider. */
  orphaned: Map<string, string>;
  scannedAdapters: Set<string>;
  /**
   * Directories and files discovery could not list or stat (an unreadable directory, a name that
   * is not valid UTF-8, a vanished mount): the units of the state below them are left untouched.
   */
  failures: { provider: string; path: string; message: string }[];
  /**
   * Sessions whose file is missing or not of the size the state says (changed by hand, or
   * published by a run killed before its state): written again from their sources, merged with
   * what is left of the file when its lines are intact.
   */
  damaged: Set<string>;
  /** Damaged session files whose source is gone: they cannot be written again. */
  warnings: string[];
  /** What discovery found. */
  discovery: Discovery;
  /** Units found unchanged (compared with the state) and not converted, by state key. */
  unchanged: Set<string>;
}

/** The size check of the archive's session files, started: its list (`sessionList`) and the stats it runs on. */
export interface SessionCheck {
  list: string;
  stats: StatThread;
}

/** What a plan can start from: the discovery and the size check a run made before reading the state. */
export interface Prepared {
  discovery: Discovery;
  check: SessionCheck;
}

export function emptyProviderSummary(lookup: HomeLookup): ProviderSummary {
  const found = new Set(lookup.homes.map((h) => h.path));
  return {
    homes: lookup.looked.map((h) => ({ path: h.path, via: h.via, found: found.has(h.path) })),
    sources: 0,
    source_bytes: 0,
    units: 0,
    unchanged_units: 0,
    pending_units: 0,
    skipped_since: 0,
    failed_units: 0,
    new_sessions: 0,
    updated_sessions: 0,
    unchanged_sessions: 0,
    removed_at_source: 0,
    bytes_to_read: 0,
    version_drift: null,
  };
}

/** Why a unit's record says it must be converted again whatever its files: another adapter version or redaction. */
function recordChange(rec: UnitRecord, adapter: Adapter, redactRules: number): string | null {
  const was = rulesOf(rec);
  if (was !== redactRules)
    return redactRules === 0
      ? 'imported with --redact'
      : was === 0
        ? 'imported without --redact'
        : `redaction rules version ${was} → ${redactRules}`;
  if (rec.adapter_version !== adapter.version) return `adapter version ${rec.adapter_version} → ${adapter.version}`;
  return null;
}

/** Why a file must be converted again, or null when its fingerprint matches the unit's record. */
function fingerprintChange(file: SourceFile, rec: UnitRecord): string | null {
  const was = fileIn(rec, file.path);
  if (was === undefined) return `new file ${file.rel}`;
  if (compareFingerprint(file, was) !== 'changed') return null;
  if (was[2] !== file.ino || was[3] !== file.dev) return `${file.rel} replaced (new inode)`;
  if (was[1] !== file.size) return `${file.rel} size ${was[1]} → ${file.size} bytes`;
  return `${file.rel} modified`;
}

/** Why a unit must be converted, or null when it is unchanged since the last import. */
export function unitChange(
  unit: SourceUnit,
  rec: UnitRecord | undefined,
  opts: { force: boolean; redactRules: number },
  adapter: Adapter,
): string | null {
  if (opts.force) return '--force';
  if (rec === undefined) return 'new';
  if (rec.files.length !== unit.files.length) return `${rec.files.length} files before, ${unit.files.length} now`;
  const change = recordChange(rec, adapter, opts.redactRules);
  if (change !== null) return change;
  for (const f of unit.files) {
    const change = fingerprintChange(f, rec);
    if (change !== null) return change;
  }
  return null;
}

/** The paths of a unit's files. */
export const pathsOf = (rec: UnitRecord): string[] => rec.files.map((f) => rec.dir + f[0]);

/** What discovery found, unit by unit, before copies of changed sessions are pulled in. */
interface Scan {
  providers: Record<string, ProviderSummary>;
  pending: PlannedUnit[];
  /** Units found unchanged, converted after all when another copy of one of their sessions changed. */
  idle: PlannedUnit[];
  /** Units found, by state key. */
  seen: Set<string>;
  scannedAdapters: Set<string>;
  adopt: ImportPlan['adopt'];
  failures: ImportPlan['failures'];
}

/** Inputs of the scan that every unit reads. */
interface ScanContext {
  opts: PlanOptions;
  state: BackfillState;
  scan: Scan;
}

/** A file of the unit's record below a path discovery could not list or stat: nothing is known of it. */
function unknownPaths(failures: ImportPlan['failures'], rec: UnitRecord | undefined): boolean {
  return (
    failures.length > 0 && rec !== undefined && pathsOf(rec).some((p) => failures.some((f) => isInside(f.path, p)))
  );
}

/** The summary of a provider before its units are compared: its homes and the files found in them. */
function foundSummary({ lookup, homes }: FoundProvider): ProviderSummary {
  const ps = emptyProviderSummary(lookup);
  for (const { files } of homes) {
    ps.sources += files.length;
    ps.source_bytes += files.reduce((n, f) => n + f.size, 0);
  }
  return ps;
}

/** Goes through what discovery found, unit by unit. */
function scanProviders(ctx: ScanContext, found: readonly FoundProvider[]): void {
  const { scan } = ctx;
  for (const provider of found) {
    const { adapter, homes } = provider;
    const ps = (scan.providers[adapter.id] = foundSummary(provider));
    scan.scannedAdapters.add(adapter.id);
    for (const { home, files, errors, units } of homes) {
      for (const e of errors) scan.failures.push({ provider: adapter.id, ...e });
      for (const unit of units) {
        const stateKey = `${adapter.id}:${unit.key}`;
        if (scan.seen.has(stateKey)) continue; // found already in another home of this provider (homes nested one in the other)
        scan.seen.add(stateKey);
        ps.units++;
        const bytes = unit.files.reduce((n, f) => n + f.size, 0);
        scanUnit(ctx, ps, { adapter, home, allFiles: files, unit, stateKey, bytes, reason: '' });
      }
    }
  }
}

/** Says whether one unit found is to convert, unchanged, or skipped. */
function scanUnit(ctx: ScanContext, ps: ProviderSummary, found: PlannedUnit): void {
  const { opts, state, scan } = ctx;
  const { adapter, unit, stateKey } = found;
  const rec = state.units[stateKey];
  const unchanged = () => {
    ps.unchanged_units++;
    ps.unchanged_sessions += rec?.sessions.length ?? 0;
  };
  // Part of the unit could not be seen: converting what is left would take it for lost.
  if (unknownPaths(scan.failures, rec)) return unchanged();
  const reason = unitChange(unit, rec, opts, adapter);
  const where = { provider: adapter.id, unit: unit.key };
  if (reason === null) {
    if (unit.files.some((f) => compareFingerprint(f, fileIn(rec!, f.path)!) === 'adopt'))
      scan.adopt.push({ stateKey, files: unit.files });
    unchanged();
    opts.log?.debug(where, 'skipped: unchanged since the last import (size, time and inode as imported)');
    found.reason = 'another copy of its sessions changed';
    scan.idle.push(found);
    return;
  }
  const newest = Math.max(...unit.files.map((f) => f.mtimeMs));
  if (opts.since !== null && newest < opts.since) {
    ps.skipped_since++;
    opts.log?.debug(where, `skipped: ${reason}, but last changed before --since`);
    return;
  }
  scan.pending.push({ ...found, reason });
}

/** Sessions some unit of the state but the vanished ones holds: built on first use (a no-op asks nothing). */
function heldBy(state: BackfillState, vanished: readonly string[]): (key: string) => boolean {
  let held: Set<string> | null = null;
  return (key) => {
    if (held === null) {
      held = new Set();
      const gone = new Set(vanished);
      for (const unit in state.units) if (!gone.has(unit)) for (const k of state.units[unit]!.sessions) held.add(k);
    }
    return held.has(key);
  };
}

/** Units of the state no longer found (of the providers scanned, and not below a path that could not be seen). */
function vanishedUnits(ctx: ScanContext): string[] {
  const { scan, state } = ctx;
  const vanished: string[] = [];
  for (const unit in state.units) {
    const adapterId = unit.slice(0, unit.indexOf(':'));
    if (scan.scannedAdapters.has(adapterId) && !scan.seen.has(unit) && !unknownPaths(scan.failures, state.units[unit]))
      vanished.push(unit);
  }
  return vanished;
}

/** Starts checking each session file of `list` against the size it was written with (a stat each). */
export function startSessionCheck(
  logsDir: string | null,
  { list, count }: { list: string; count: number },
): SessionCheck {
  if (logsDir === null) return { list: '', stats: new StatThread('', { list: '', count: 0 }) };
  return { list, stats: new StatThread(logsDir, { list, count }) };
}

/** Session files deleted or changed since they were written, and warnings for those whose source is gone. */
async function damagedSessions(check: SessionCheck, ctx: ScanContext, stillHeld: (key: string) => boolean) {
  const damaged = new Set<string>();
  const warnings: string[] = [];
  const found = await check.stats.sizes();
  if (found.at.length === 0) return { damaged, warnings };
  const lines = check.list.split('\n');
  const keyOf = new Map<string, string>();
  for (const key in ctx.state.sessions) keyOf.set(ctx.state.sessions[key]!.log_path, key);
  found.at.forEach((at, i) => {
    const key = keyOf.get(lines[at]!.slice(lines[at]!.indexOf('\t') + 1))!;
    damaged.add(key);
    if (!stillHeld(key))
      warnings.push(
        `${join(ctx.opts.logsDir!, ctx.state.sessions[key]!.log_path)} is ${found.sizes[i] === -1 ? 'missing' : 'not as it was written'} and the source of its session is gone: it cannot be written again`,
      );
  });
  return { damaged, warnings };
}

/**
 * A session held by several units (copies in several homes) is merged from all of them: when one
 * changes or vanishes, or its file is damaged, the others are converted again, so that the merge
 * sees every copy.
 */
function pullInCopies(ctx: ScanContext, vanished: readonly string[], damaged: ReadonlySet<string>): void {
  const { scan, state } = ctx;
  const touched = [...scan.pending.map((p) => p.stateKey), ...vanished];
  if (touched.length === 0 && damaged.size === 0) return;
  const sessionsOf = (unit: string) => state.units[unit]?.sessions ?? [];
  const idle = new Map(scan.idle.map((p) => [p.stateKey, p]));
  const unitsOfSession = new Map<string, string[]>();
  for (const unit in state.units)
    for (const key of sessionsOf(unit)) (unitsOfSession.get(key) ?? unitsOfSession.set(key, []).get(key)!).push(unit);
  for (const key of damaged) for (const unit of unitsOfSession.get(key) ?? []) if (idle.has(unit)) touched.push(unit);
  for (let i = 0; i < touched.length; i++) {
    for (const key of sessionsOf(touched[i]!)) {
      for (const unit of unitsOfSession.get(key) ?? []) {
        const copy = idle.get(unit);
        if (copy === undefined) continue;
        idle.delete(unit);
        const ps = scan.providers[copy.adapter.id]!;
        ps.unchanged_units--;
        ps.unchanged_sessions -= sessionsOf(unit).length;
        scan.pending.push(copy);
        touched.push(unit);
      }
    }
  }
}

/** Sessions of the vanished units that no unit still found holds, with their provider. */
function orphanedSessions(ctx: ScanContext, vanished: readonly string[], stillHeld: (key: string) => boolean) {
  const orphaned = new Map<string, string>();
  for (const unit of vanished) {
    for (const key of ctx.state.units[unit]!.sessions) {
      const entry = ctx.state.sessions[key];
      if (!entry || entry.source_missing || stillHeld(key) || orphaned.has(key)) continue;
      const adapterId = unit.slice(0, unit.indexOf(':'));
      orphaned.set(key, adapterId);
      ctx.scan.providers[adapterId]!.removed_at_source++;
    }
  }
  return orphaned;
}

/**
 * The plan, from the state: `prepared`, what the run discovered and the size check it started
 * before reading the state (from the state's digest, which lists the same session files).
 */
export async function planImport(opts: PlanOptions, state: BackfillState, prepared?: Prepared): Promise<ImportPlan> {
  const sessionFiles = prepared?.check ?? startSessionCheck(opts.logsDir, sessionList(state));
  const scan: Scan = {
    providers: {},
    pending: [],
    idle: [],
    seen: new Set(),
    scannedAdapters: new Set(),
    adopt: [],
    failures: [],
  };
  const ctx: ScanContext = { opts, state, scan };
  const discovery = prepared?.discovery ?? Discovery.of(opts, sessionFiles.stats);
  scanProviders(ctx, discovery.providers());
  const vanished = vanishedUnits(ctx);
  const stillHeld = heldBy(state, vanished);
  const { damaged, warnings } = await damagedSessions(sessionFiles, ctx, stillHeld);
  pullInCopies(ctx, vanished, damaged);
  for (const p of scan.pending) {
    scan.providers[p.adapter.id]!.pending_units++;
    scan.providers[p.adapter.id]!.bytes_to_read += p.bytes;
  }
  const orphaned = orphanedSessions(ctx, vanished, stillHeld);
  const { providers, pending, adopt, scannedAdapters, failures } = scan;
  const unchanged = new Set(scan.idle.map((p) => p.stateKey));
  for (const p of pending) unchanged.delete(p.stateKey);
  return {
    ...{ providers, pending, adopt, vanished, orphaned, scannedAdapters, failures, damaged, warnings },
    ...{ discovery, unchanged },
  };
}

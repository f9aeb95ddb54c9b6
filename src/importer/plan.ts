/**
 * The plan of an import: discover every provider's sources (stat only, nothing is read), compare
 * their fingerprints with the state, and say what is to convert and what vanished. It writes
 * nothing and changes nothing: `runImport` applies it, `doctor` reports it.
 */
import type { Logger } from 'pino';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter, HomeEnvironment, SourceFile, SourceUnit } from '../../adapters/types.js';
import type { ProviderSummary } from '../model/reports.js';
import type { BackfillState, SourceRecord } from '../model/state.js';
import { discoverSources, resolveHomes, unitsOf, type HomeLookup } from './discover.js';
import { compareFingerprint } from './fingerprint.js';
import { isInside } from '../util/paths.js';
import { rulesOf } from './redaction.js';

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
}

export interface ImportPlan {
  providers: Record<string, ProviderSummary>;
  /** Units to convert, in discovery order. */
  pending: PlannedUnit[];
  /** Files of each unit of the state, by unit. */
  unitFiles: Map<string, string[]>;
  /** Unchanged sources whose record of an older state gains the fingerprint's new fields. */
  adopt: { path: string; file: SourceFile }[];
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
}

function emptyProviderSummary(lookup: HomeLookup): ProviderSummary {
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

/** Why a file must be converted again, or null when its fingerprint matches the state. */
function fingerprintChange(
  file: SourceFile,
  rec: SourceRecord | undefined,
  adapter: Adapter,
  unitKey: string,
  redactRules: number,
): string | null {
  if (rec === undefined) return `new file ${file.rel}`;
  const was = rulesOf(rec);
  if (was !== redactRules)
    return redactRules === 0
      ? 'imported with --redact'
      : was === 0
        ? 'imported without --redact'
        : `redaction rules version ${was} → ${redactRules}`;
  if (rec.adapter !== adapter.id || rec.adapter_version !== adapter.version)
    return `adapter version ${rec.adapter_version} → ${adapter.version}`;
  if (rec.unit !== unitKey) return 'grouped differently';
  if (compareFingerprint(file, rec) !== 'changed') return null;
  if (rec.ino !== file.ino || rec.dev !== file.dev) return `${file.rel} replaced (new inode)`;
  if (rec.size !== file.size) return `${file.rel} size ${rec.size} → ${file.size} bytes`;
  return `${file.rel} modified`;
}

/** Why a unit must be converted, or null when it is unchanged since the last import. */
function unitChange(
  unit: SourceUnit,
  previous: readonly string[],
  opts: { force: boolean; redactRules: number },
  state: { sources: Record<string, SourceRecord> },
  adapter: Adapter,
  stateKey: string,
): string | null {
  if (opts.force) return '--force';
  if (previous.length === 0) return 'new';
  if (previous.length !== unit.files.length) return `${previous.length} files before, ${unit.files.length} now`;
  for (const f of unit.files) {
    const change = fingerprintChange(f, state.sources[f.path], adapter, stateKey, opts.redactRules);
    if (change !== null) return change;
  }
  return null;
}

/** Sessions each unit of the state produced. */
function sessionsOfUnits(state: BackfillState): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const rec of Object.values(state.sources)) {
    let set = out.get(rec.unit);
    if (!set) out.set(rec.unit, (set = new Set()));
    for (const key of rec.sessions) set.add(key);
  }
  return out;
}

/** Files of each unit of the state, by unit. */
function filesOfUnits(state: BackfillState): Map<string, string[]> {
  const unitFiles = new Map<string, string[]>();
  for (const [path, rec] of Object.entries(state.sources)) {
    const list = unitFiles.get(rec.unit);
    if (list) list.push(path);
    else unitFiles.set(rec.unit, [path]);
  }
  return unitFiles;
}

/** What discovery found, unit by unit, before copies of changed sessions are pulled in. */
interface Scan {
  providers: Record<string, ProviderSummary>;
  pending: PlannedUnit[];
  /** Units found unchanged, converted after all when another copy of one of their sessions changed. */
  idle: Map<string, PlannedUnit>;
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
  unitFiles: Map<string, string[]>;
  sessionsOf: Map<string, Set<string>>;
  scan: Scan;
}

/** A file of the state below a path discovery could not list or stat: nothing is known of it. */
function unknownPaths(failures: ImportPlan['failures'], paths: readonly string[]): boolean {
  return failures.length > 0 && paths.some((p) => failures.some((f) => isInside(f.path, p)));
}

/** Discovers every provider's homes, unit by unit. */
function scanProviders(ctx: ScanContext): void {
  const { opts, scan } = ctx;
  for (const adapter of opts.adapters) {
    const lookup = resolveHomes(adapter, opts.homeFlags[adapter.id], opts.environment);
    const ps = (scan.providers[adapter.id] = emptyProviderSummary(lookup));
    scan.scannedAdapters.add(adapter.id);
    for (const home of lookup.homes) {
      const { files, errors } = discoverSources(adapter, home.real);
      for (const e of errors) scan.failures.push({ provider: adapter.id, ...e });
      ps.sources += files.length;
      ps.source_bytes += files.reduce((n, f) => n + f.size, 0);
      for (const unit of unitsOf(adapter, files, home.real)) {
        const stateKey = `${adapter.id}:${unit.key}`;
        if (scan.seen.has(stateKey)) continue; // found already in another home of this provider (homes nested one in the other)
        scan.seen.add(stateKey);
        ps.units++;
        const bytes = unit.files.reduce((n, f) => n + f.size, 0);
        scanUnit(ctx, ps, { adapter, home: home.real, allFiles: files, unit, stateKey, bytes, reason: '' });
      }
    }
  }
}

/** Says whether one unit found is to convert, unchanged, or skipped. */
function scanUnit(ctx: ScanContext, ps: ProviderSummary, found: PlannedUnit): void {
  const { opts, state, scan } = ctx;
  const { adapter, unit, stateKey } = found;
  const previous = ctx.unitFiles.get(stateKey) ?? [];
  const unchanged = () => {
    ps.unchanged_units++;
    ps.unchanged_sessions += ctx.sessionsOf.get(stateKey)?.size ?? 0;
  };
  // Part of the unit could not be seen: converting what is left would take it for lost.
  if (unknownPaths(scan.failures, previous)) return unchanged();
  const reason = unitChange(unit, previous, opts, state, adapter, stateKey);
  const where = { provider: adapter.id, unit: unit.key };
  if (reason === null) {
    for (const f of unit.files)
      if (compareFingerprint(f, state.sources[f.path]!) === 'adopt') scan.adopt.push({ path: f.path, file: f });
    unchanged();
    opts.log?.debug(where, 'skipped: unchanged since the last import (size, time and inode as imported)');
    scan.idle.set(stateKey, { ...found, reason: 'another copy of its sessions changed' });
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

/** Units of the state no longer found, and the sessions some unit still found holds. */
function vanishedUnits(ctx: ScanContext): { vanished: string[]; stillHeld: Set<string> } {
  const { scan } = ctx;
  const vanished: string[] = [];
  const stillHeld = new Set<string>();
  for (const unit of ctx.unitFiles.keys()) {
    const adapterId = unit.slice(0, unit.indexOf(':'));
    if (
      !scan.scannedAdapters.has(adapterId) ||
      scan.seen.has(unit) ||
      unknownPaths(scan.failures, ctx.unitFiles.get(unit)!)
    ) {
      for (const key of ctx.sessionsOf.get(unit) ?? []) stillHeld.add(key);
    } else vanished.push(unit);
  }
  return { vanished, stillHeld };
}

/** Session files deleted or changed since they were written (a stat each), and warnings for those whose source is gone. */
function damagedSessions(logsDir: string | null, state: BackfillState, stillHeld: ReadonlySet<string>) {
  const damaged = new Set<string>();
  const warnings: string[] = [];
  if (logsDir === null) return { damaged, warnings };
  for (const [key, entry] of Object.entries(state.sessions)) {
    const path = join(logsDir, entry.log_path);
    let size: number | null = null;
    try {
      size = statSync(path).size;
    } catch {
      // missing
    }
    if (size === entry.log_bytes) continue;
    damaged.add(key);
    if (!stillHeld.has(key))
      warnings.push(
        `${path} is ${size === null ? 'missing' : 'not as it was written'} and the source of its session is gone: it cannot be written again`,
      );
  }
  return { damaged, warnings };
}

/**
 * A session held by several units (copies in several homes) is merged from all of them: when one
 * changes or vanishes, or its file is damaged, the others are converted again, so that the merge
 * sees every copy.
 */
function pullInCopies(ctx: ScanContext, vanished: readonly string[], damaged: ReadonlySet<string>): void {
  const { scan, sessionsOf } = ctx;
  const unitsOfSession = new Map<string, string[]>();
  for (const [unit, keys] of sessionsOf)
    for (const key of keys) (unitsOfSession.get(key) ?? unitsOfSession.set(key, []).get(key)!).push(unit);
  const touched = [...scan.pending.map((p) => p.stateKey), ...vanished];
  for (const key of damaged)
    for (const unit of unitsOfSession.get(key) ?? []) if (scan.idle.has(unit)) touched.push(unit);
  for (let i = 0; i < touched.length; i++) {
    for (const key of sessionsOf.get(touched[i]!) ?? []) {
      for (const unit of unitsOfSession.get(key) ?? []) {
        const copy = scan.idle.get(unit);
        if (copy === undefined) continue;
        scan.idle.delete(unit);
        const ps = scan.providers[copy.adapter.id]!;
        ps.unchanged_units--;
        ps.unchanged_sessions -= sessionsOf.get(unit)?.size ?? 0;
        scan.pending.push(copy);
        touched.push(unit);
      }
    }
  }
}

/** Sessions of the vanished units that no unit still found holds, with their provider. */
function orphanedSessions(ctx: ScanContext, vanished: readonly string[], stillHeld: ReadonlySet<string>) {
  const orphaned = new Map<string, string>();
  for (const unit of vanished) {
    for (const key of ctx.sessionsOf.get(unit) ?? []) {
      const entry = ctx.state.sessions[key];
      if (!entry || entry.source_missing || stillHeld.has(key) || orphaned.has(key)) continue;
      const adapterId = unit.slice(0, unit.indexOf(':'));
      orphaned.set(key, adapterId);
      ctx.scan.providers[adapterId]!.removed_at_source++;
    }
  }
  return orphaned;
}

export function planImport(opts: PlanOptions, state: BackfillState): ImportPlan {
  const scan: Scan = {
    providers: {},
    pending: [],
    idle: new Map(),
    seen: new Set(),
    scannedAdapters: new Set(),
    adopt: [],
    failures: [],
  };
  const unitFiles = filesOfUnits(state);
  const ctx: ScanContext = { opts, state, unitFiles, sessionsOf: sessionsOfUnits(state), scan };
  scanProviders(ctx);
  const { vanished, stillHeld } = vanishedUnits(ctx);
  const { damaged, warnings } = damagedSessions(opts.logsDir, state, stillHeld);
  pullInCopies(ctx, vanished, damaged);
  for (const p of scan.pending) {
    scan.providers[p.adapter.id]!.pending_units++;
    scan.providers[p.adapter.id]!.bytes_to_read += p.bytes;
  }
  const orphaned = orphanedSessions(ctx, vanished, stillHeld);
  const { providers, pending, adopt, scannedAdapters, failures } = scan;
  return { providers, pending, unitFiles, adopt, vanished, orphaned, scannedAdapters, failures, damaged, warnings };
}

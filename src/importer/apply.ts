/**
 * What an import does with each converted unit (in the main thread): its sessions merged with
 * what the archive holds (the keep-the-archive rules: an archived event the new conversion lacks
 * stays; several copies of a session are merged, the outranking one leading), queued for the next
 * checkpoint, and recorded in the state with the unit's fingerprints.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import type { ProviderSummary } from '../model/reports.js';
import { discard } from '../writer/atomic-file.js';
import type { MergePlan } from '../writer/merge.js';
import type { Checkpoints, QueuedFile } from './checkpoint.js';
import type { PreparedSession } from './convert-unit.js';
import { unitRecordOf } from './fingerprint.js';
import type { PlannedUnit } from './plan.js';
import type { RetriedResult } from './retry.js';

/** A session written by this run: its file, entry, and which copy of its source leads it. */
export interface RunSession {
  file: QueuedFile;
  entry: Omit<SessionLogIndexEntry, 'imported_at'>;
  /** Rank of the copy whose events lead (`outranks`). */
  rank: Rank;
  /** Keys of the events no copy of the source holds any more. */
  retained: ReadonlySet<string>;
  bytesWritten: number;
}

/** The copy of a session that leads a merge of copies: more events, then newer files, then unit key. */
type Rank = readonly [events: number, newestMtime: number, unit: string];
function outranks(a: Rank, b: Rank): boolean {
  return a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] < b[2];
}

/** What the run summary gathers while units are applied. */
export interface ApplySummary {
  providers: Record<string, ProviderSummary>;
  bytes_read: number;
  bytes_written: number;
  warnings: string[];
  errors: { provider: string; path: string; message: string }[];
  outside_root: Record<string, number>;
}

export interface ApplyContext {
  /** Every session's entry, by key. */
  entries: ReadonlyMap<string, SessionLogIndexEntry>;
  summary: ApplySummary;
  checkpoints: Checkpoints;
  /** Version of the redaction rules this run masks with (0: none). */
  redactRules: number;
  /** The time written to the entries of this run (`imported_at`). */
  importedAt: string;
  log: Logger;
}

export class Apply {
  /** Sessions written by this run, by session key. */
  readonly sessions = new Map<string, RunSession>();
  /** The sessions this run wrote, per provider (for the version check at the end). */
  readonly written = new Map<string, Map<string, SessionLogIndexEntry>>();
  /** The merge code, and zod with it (the trailer's schema): loaded by `prepare`, only when a unit is converted. */
  private merging: typeof import('../writer/merge.js') | null = null;

  constructor(private readonly ctx: ApplyContext) {}

  /** Loads what applying a unit needs; a run that converts nothing never does. */
  async prepare(): Promise<void> {
    this.merging ??= await import('../writer/merge.js');
  }

  private get merger(): typeof import('../writer/merge.js') {
    if (this.merging === null) throw new Error('Apply.prepare() was not awaited before the first unit');
    return this.merging;
  }

  /** Whether secrets are masked (`--redact`). */
  get redact(): boolean {
    return this.ctx.redactRules > 0;
  }

  get bytesRead(): number {
    return this.ctx.summary.bytes_read;
  }

  /** Publishes what a unit produced and records it in the state. */
  unit(plan: PlannedUnit, result: RetriedResult): void {
    const { summary, log } = this.ctx;
    summary.bytes_read += result.bytesRead;
    summary.warnings.push(...result.warnings);
    // Gone mid-run: the state keeps what it knew, and the next run sees the unit removed at source.
    if (!result.ok && 'vanished' in result) {
      summary.warnings.push(`${result.error}; the next run records it as removed at source`);
      return;
    }
    if (!result.ok) {
      const { adapter, unit } = plan;
      const path = unit.files[0]!.path;
      summary.providers[adapter.id]!.failed_units++;
      summary.errors.push({
        provider: adapter.id,
        path,
        message: result.error.includes(path) ? result.error : `${path}: ${result.error}`,
      });
      // Reported once, in the summary; the log says it only when asked to explain every source.
      log.debug({ provider: adapter.id, unit: unit.key }, `failed (${plan.reason}): ${result.error}`);
      return;
    }
    const { produced, outside } = this.sessionsOf(plan, result.sessions);
    const kept = produced.length;
    log.debug(
      { provider: plan.adapter.id, unit: plan.unit.key },
      `converted (${plan.reason}): ${kept} session${kept === 1 ? '' : 's'}${outside > 0 ? `, ${outside} outside --root left out` : ''}`,
    );
    this.recordSources(plan, produced);
    this.ctx.checkpoints.due();
  }

  /** Merges and queues each session of a unit; returns their keys and how many `--root` left out. */
  private sessionsOf(plan: PlannedUnit, sessions: readonly PreparedSession[]) {
    const { entries, summary, importedAt, checkpoints } = this.ctx;
    const { adapter, unit, stateKey } = plan;
    const ps = summary.providers[adapter.id]!;
    const newest = Math.max(...unit.files.map((f) => f.mtimeMs));
    const produced = new Set<string>();
    let outside = 0;
    for (const session of sessions) {
      if (session.tempPath === null) {
        outside++;
        const workspace = session.entry.workspace_path ?? '';
        summary.outside_root[workspace] = (summary.outside_root[workspace] ?? 0) + 1;
        continue;
      }
      const { key } = session;
      const previous = entries.get(key);
      const current = this.sessions.get(key);
      const rank: Rank = [session.entry.event_count, newest, stateKey];
      const merged = this.merge(session, current, rank, previous?.adapter_version === adapter.version);
      if (merged.file !== current?.file) {
        if (current) current.file.cancelled = true;
        checkpoints.enqueue(merged.file);
      }
      summary.bytes_written += merged.bytesWritten;
      this.sessions.set(key, merged);
      if (current === undefined) {
        if (previous) ps.updated_sessions++;
        else ps.new_sessions++;
      }
      const entry: SessionLogIndexEntry = { ...merged.entry, imported_at: importedAt };
      checkpoints.setEntry(key, entry);
      this.written.set(adapter.id, (this.written.get(adapter.id) ?? new Map()).set(key, entry));
      produced.add(key);
    }
    return { produced: [...produced].sort(), outside };
  }

  /** The unit's files, with their fingerprints and the sessions they produced, replace its old record. */
  private recordSources(plan: PlannedUnit, sessions: string[]): void {
    const { checkpoints, redactRules } = this.ctx;
    const { adapter, unit, stateKey } = plan;
    const rec = { adapter_version: adapter.version, ...(redactRules > 0 ? { redact: redactRules } : {}), sessions };
    checkpoints.setUnit(stateKey, unitRecordOf(rec, unit.files));
  }

  /**
   * What one converted copy of a session makes of it: merged with the copy this run already
   * wrote (another source holding the same session), else with the archived file, whose events
   * absent from the new conversion are kept. Between copies, the outranking one leads (its
   * events and metadata win); the archived file never leads. The entry lists every copy's
   * files, and so does the file's trailer.
   */
  private merge(session: PreparedSession, current: RunSession | undefined, rank: Rank, sameAdapter: boolean) {
    const fresh: QueuedFile = {
      temp: session.tempPath!,
      final: session.finalPath,
      bytes: session.bytesWritten,
      cancelled: false,
      published: false,
    };
    const alone: RunSession = {
      file: fresh,
      entry: session.entry,
      rank,
      retained: new Set(),
      bytesWritten: fresh.bytes,
    };
    if (current === undefined) {
      const plan = existsSync(fresh.final) ? this.merger.planMerge(fresh.temp, fresh.final, sameAdapter) : null;
      if (plan === null || (plan.inserted.length === 0 && plan.kept.size === 0)) return alone;
      const retained = new Set(plan.inserted.map((e) => e.key));
      const merged = this.combine(fresh.temp, session.entry, fresh.final, plan, retained, rank, fresh.final);
      discard(fresh.temp);
      return merged;
    }
    return this.mergeCopies(session, current, rank, alone);
  }

  /** `merge` of a second copy of a session this run already wrote. */
  private mergeCopies(session: PreparedSession, current: RunSession, rank: Rank, alone: RunSession): RunSession {
    const { planMerge, NO_MERGE } = this.merger;
    const fresh = alone.file;
    const currentPath = current.file.published ? current.file.final : current.file.temp;
    const source_paths = [...new Set([...current.entry.source_paths, ...session.entry.source_paths])].sort();
    let merged: RunSession;
    if (outranks(rank, current.rank)) {
      const plan = planMerge(fresh.temp, currentPath, true) ?? NO_MERGE;
      if (
        plan.inserted.length === 0 &&
        plan.kept.size === 0 &&
        source_paths.length === session.entry.source_paths.length
      )
        return alone;
      const retained = new Set(plan.inserted.filter((e) => current.retained.has(e.key)).map((e) => e.key));
      merged = this.combine(
        fresh.temp,
        { ...session.entry, source_paths },
        currentPath,
        plan,
        retained,
        rank,
        fresh.final,
      );
    } else {
      const plan = planMerge(currentPath, fresh.temp, true) ?? NO_MERGE;
      const retained = new Set([...current.retained].filter((k) => !plan.otherKeys.has(k)));
      const entry = { ...current.entry, source_paths };
      merged =
        plan.inserted.length === 0 &&
        plan.kept.size === 0 &&
        retained.size === current.retained.size &&
        source_paths.length === current.entry.source_paths.length
          ? { ...current, bytesWritten: 0 }
          : this.combine(currentPath, entry, fresh.temp, plan, retained, current.rank, fresh.final);
    }
    discard(fresh.temp);
    return merged;
  }

  /** The merged session file of `plan`, `spine` leading, and its entry. */
  private combine(
    spine: string,
    entry: RunSession['entry'],
    other: string,
    plan: MergePlan,
    retained: Set<string>,
    rank: Rank,
    final: string,
  ): RunSession {
    const written = this.merger.writeMerge(spine, other, plan, final, entry, retained.size, this.redact);
    const file = { temp: written.tempPath, final, bytes: written.bytesWritten, cancelled: false, published: false };
    return { file, entry: written.entry, rank, retained, bytesWritten: written.bytesWritten };
  }

  /** Sessions written by this run that keep events no longer in their source, by id. */
  retained(): { session: string; events: number }[] {
    const out: { session: string; events: number }[] = [];
    for (const { entry } of this.sessions.values())
      if (entry.retained_events > 0) out.push({ session: entry.wrapper_session_id, events: entry.retained_events });
    return out.sort((a, b) => (a.session < b.session ? -1 : 1));
  }
}

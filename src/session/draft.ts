/**
 * A session as an adapter describes it while it streams the session's events. The adapter sets
 * what it knows (ids, workspace, title, explicit times, reasons); the writer derives the rest
 * (times, model tally, usage totals, completeness) from the events themselves.
 */
import { newerVersion } from '../util/version.js';

export interface SessionInit {
  /** Native id that makes the session unique for its provider (sub-agents: a composed id). */
  id: string;
  /** The provider's own session id written on every event; defaults to `id`. */
  providerSessionId?: string | null;
  /** `id` of the parent session (same provider), for sub-agents. */
  parentId?: string | null;
  /** Detected native format variant, e.g. `claude:jsonl`. */
  format: string;
  workspacePath?: string | null;
  title?: string | null;
  tags?: string[];
}

export class SessionDraft {
  readonly id: string;
  providerSessionId: string | null;
  parentId: string | null;
  format: string;
  workspacePath: string | null;
  title: string | null;
  tags: string[];
  /** Explicit session times; when unset, the first and last event times are used. */
  startedAt: string | null = null;
  endedAt: string | null = null;
  /** `session_ended.success`: false only when the native record says the session failed. */
  success = true;
  error: string | null = null;
  /** Source files the session was read from; defaults to every file of its unit. */
  sourcePaths: string[] | null = null;
  /** Version of the agent that wrote the session, as the native records state it (e.g. `0.146.0`). */
  agentVersion: string | null = null;
  private lastVersionNoted: string | null = null;

  readonly reasons = new Set<string>();
  readonly modelCounts = new Map<string, number>();
  readonly unknownTypes = new Map<string, number>();

  constructor(init: SessionInit) {
    this.id = init.id;
    this.providerSessionId = init.providerSessionId === undefined ? init.id : init.providerSessionId;
    this.parentId = init.parentId ?? null;
    this.format = init.format;
    this.workspacePath = init.workspacePath ?? null;
    this.title = init.title ?? null;
    this.tags = init.tags ?? [];
  }

  /** Counts one use of a model (the index shows the most used one). */
  noteModel(model: string | null | undefined): void {
    if (!model) return;
    this.modelCounts.set(model, (this.modelCounts.get(model) ?? 0) + 1);
  }

  /** Notes the agent version a record states; the session keeps the newest (a resumed session spans updates). */
  noteAgentVersion(version: string | null | undefined): void {
    // Records state it on every line: the same text again changes nothing (newerVersion is idempotent).
    if (!version || version === this.lastVersionNoted) return;
    this.lastVersionNoted = version;
    this.agentVersion = newerVersion(this.agentVersion, version);
  }

  /** Records why the session is not `full`; reasons are listed in the index. */
  addReason(reason: string): void {
    this.reasons.add(reason);
  }

  /**
   * Counts a native record of a type the adapter does not know; it makes the session partial.
   * Prefer `unknownRecord()` (src/session/records.ts), which also keeps the record in the archive.
   */
  skipUnknown(type: string): void {
    this.unknownTypes.set(type, (this.unknownTypes.get(type) ?? 0) + 1);
  }

  /** Most used model; ties go to the model seen first. */
  mostUsedModel(): string | null {
    let best: string | null = null;
    let bestCount = 0;
    for (const [model, count] of this.modelCounts) {
      if (count > bestCount) {
        best = model;
        bestCount = count;
      }
    }
    return best;
  }

  /** The model to put in `session_started`: the first one noted. */
  firstModel(): string | null {
    const first = this.modelCounts.keys().next();
    return first.done ? null : first.value;
  }
}

/**
 * Converts one unit of sources into closed temp session files, without publishing them: the
 * importer decides which to make durable and rename into place. Runs in the main thread or in a
 * worker thread.
 */
import type {
  Adapter,
  ConvertContext,
  ConvertItem,
  ConvertOutput,
  SourceFile,
  SourceUnit,
} from '../../adapters/types.js';
import { sessionFile } from '../archive/layout.js';
import { errorMessage } from '../errors.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import type { SessionDraft } from '../session/draft.js';
import { SessionRecorder } from '../writer/session-recorder.js';
import { isInside } from '../util/paths.js';

export interface PreparedSession {
  key: string;
  entry: Omit<SessionLogIndexEntry, 'imported_at'>;
  /** Closed temp file to publish; null when the session was filtered out by `--root`. */
  tempPath: string | null;
  finalPath: string;
  bytesWritten: number;
}

export type UnitResult =
  | { ok: true; sessions: PreparedSession[]; bytesRead: number; warnings: string[] }
  | { ok: false; error: string; bytesRead: number; warnings: string[] };

export interface UnitJob {
  adapter: Adapter;
  unit: SourceUnit;
  home: string;
  allFiles: readonly SourceFile[];
  sessionsDir: string;
  /** Real path of `--root`, or null for all sessions. */
  root: string | null;
  /** Mask secrets in the sessions written (`--redact`). */
  redact: boolean;
  /** In-process conversion only: the run was asked to stop (a signal); the unit is dropped. */
  stop?: AbortSignal;
}

/** How long in-process conversion runs before it lets the event loop turn (signals, the lock's heartbeat). */
const YIELD_EVERY_MS = 50;

const isBatch = (output: ConvertOutput): output is readonly ConvertItem[] => Array.isArray(output);

/** The session recorders of one unit: one per session the adapter yields, made on its first item. */
class UnitRecorders {
  private readonly recorders = new Map<SessionDraft, SessionRecorder>();
  private readonly fallbackTs: string;

  constructor(private readonly job: UnitJob) {
    this.fallbackTs = new Date(Math.max(...job.unit.files.map((f) => f.mtimeMs))).toISOString();
  }

  take(item: ConvertItem): void {
    const rec = this.recorderOf(item.session);
    if ('event' in item) rec.add(item.event);
    else rec.finish();
  }

  /** Every session's temp file, closed and ready to publish. */
  prepareAll(): PreparedSession[] {
    return [...this.recorders.values()].map((rec) => {
      const tempPath = rec.prepare();
      const result = rec.finish();
      const finalPath = sessionFile(this.job.sessionsDir, rec.wrapperId);
      return { key: result.key, entry: result.entry, tempPath, finalPath, bytesWritten: result.bytesWritten };
    });
  }

  /** Every recorder drops its temp file, prepared or not. */
  abortAll(): void {
    for (const rec of this.recorders.values()) rec.abort();
  }

  private recorderOf(draft: SessionDraft): SessionRecorder {
    let rec = this.recorders.get(draft);
    if (!rec) {
      const { adapter, unit, root } = this.job;
      rec = new SessionRecorder(draft, {
        provider: adapter.id,
        adapterVersion: adapter.version,
        sessionsDir: this.job.sessionsDir,
        defaultSourcePaths: unit.files.map((f) => f.path),
        fallbackTs: this.fallbackTs,
        accept: (d) => root === null || (d.workspacePath !== null && isInside(root, d.workspacePath)),
        redact: this.job.redact,
        home: this.job.home,
      });
      this.recorders.set(draft, rec);
    }
    return rec;
  }
}

/** Feeds every item the adapter yields to the recorders, letting the event loop turn now and then. */
async function drain(job: UnitJob, ctx: ConvertContext, recorders: UnitRecorders): Promise<void> {
  let ranSince = performance.now();
  for await (const output of job.adapter.convert(job.unit, ctx)) {
    if (isBatch(output)) for (const item of output) recorders.take(item);
    else recorders.take(output);
    if (performance.now() - ranSince > YIELD_EVERY_MS) {
      await new Promise(setImmediate);
      if (job.stop?.aborted) throw new Error('stopped');
      ranSince = performance.now();
    }
  }
}

export async function convertUnit(job: UnitJob): Promise<UnitResult> {
  const stats = { bytesRead: 0 };
  const warnings: string[] = [];
  const ctx: ConvertContext = { home: job.home, allFiles: job.allFiles, stats, warn: (m) => warnings.push(m) };
  const recorders = new UnitRecorders(job);
  try {
    await drain(job, ctx, recorders);
    return { ok: true, sessions: recorders.prepareAll(), bytesRead: stats.bytesRead, warnings };
  } catch (err) {
    recorders.abortAll();
    return { ok: false, error: errorMessage(err), bytesRead: stats.bytesRead, warnings };
  }
}

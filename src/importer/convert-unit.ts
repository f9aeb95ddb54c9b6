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

export async function convertUnit(job: UnitJob): Promise<UnitResult> {
  const { adapter, unit, root } = job;
  const stats = { bytesRead: 0 };
  const warnings: string[] = [];
  const recorders = new Map<SessionDraft, SessionRecorder>();
  const newestMtime = Math.max(...unit.files.map((f) => f.mtimeMs));
  const accept = (draft: SessionDraft) =>
    root === null || (draft.workspacePath !== null && isInside(root, draft.workspacePath));
  const recorderOf = (draft: SessionDraft) => {
    let rec = recorders.get(draft);
    if (!rec) {
      rec = new SessionRecorder(draft, {
        provider: adapter.id,
        adapterVersion: adapter.version,
        sessionsDir: job.sessionsDir,
        defaultSourcePaths: unit.files.map((f) => f.path),
        fallbackTs: new Date(newestMtime).toISOString(),
        accept,
        redact: job.redact,
        home: job.home,
      });
      recorders.set(draft, rec);
    }
    return rec;
  };
  const ctx: ConvertContext = {
    home: job.home,
    allFiles: job.allFiles,
    stats,
    warn: (message) => warnings.push(message),
  };
  const prepared: PreparedSession[] = [];
  try {
    const take = (item: ConvertItem) => {
      const rec = recorderOf(item.session);
      if ('event' in item) rec.add(item.event);
      else rec.finish();
    };
    let ranSince = performance.now();
    for await (const output of adapter.convert(unit, ctx)) {
      if (isBatch(output)) for (const item of output) take(item);
      else take(output);
      if (performance.now() - ranSince > YIELD_EVERY_MS) {
        await new Promise(setImmediate);
        if (job.stop?.aborted) throw new Error('stopped');
        ranSince = performance.now();
      }
    }
    for (const rec of recorders.values()) {
      const tempPath = rec.prepare();
      const result = rec.finish();
      prepared.push({
        key: result.key,
        entry: result.entry,
        tempPath,
        finalPath: sessionFile(job.sessionsDir, rec.wrapperId),
        bytesWritten: result.bytesWritten,
      });
    }
  } catch (err) {
    // Every recorder drops its temp file, prepared or not.
    for (const rec of recorders.values()) rec.abort();
    return { ok: false, error: errorMessage(err), bytesRead: stats.bytesRead, warnings };
  }
  return { ok: true, sessions: prepared, bytesRead: stats.bytesRead, warnings };
}

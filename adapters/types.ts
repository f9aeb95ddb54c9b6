/**
 * The adapter contract. An adapter is a declarative object: where its provider keeps its files,
 * which files are sources, how they group into units, and how one unit converts into sessions.
 * The core never names a provider; it only reads these objects from the registry.
 */
import type { EventDraft } from '../src/model/events.js';
import type { ReadStats } from '../src/io/lines.js';
import type { SessionDraft } from '../src/session/draft.js';

/** A discovered native file, with the stat the importer fingerprints it by. */
export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the home it was found in, with `/` separators. */
  rel: string;
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
  /**
   * Modification and status-change times in nanoseconds (decimal strings), as precise as the file
   * system keeps them. Discovery sets them; the ctime catches a rewrite whose mtime was put back.
   */
  mtimeNs?: string;
  ctimeNs?: string;
}

/** Files converted together: one file, or a file plus its side files, or files of one session. */
export interface SourceUnit {
  /** Stable key of the unit (by convention the absolute path of its main file). */
  key: string;
  files: SourceFile[];
}

export interface HomeEnvironment {
  env: NodeJS.ProcessEnv;
  /** The user's home directory. */
  homedir: string;
}

export interface HomeCandidate {
  path: string;
  /** What chose it: `--flag`, `ENV_VAR`, or `default`. */
  via: string;
}

export interface HomeSpec {
  /** Environment variable that names the provider home (documented in README and doctor). */
  env: string;
  /** Command-line flag that overrides every other way (e.g. `claude-home`). */
  flag: string;
  /** Candidate homes from the environment, in order; missing ones are skipped quietly. */
  resolve(environment: HomeEnvironment): HomeCandidate[];
}

export interface ConvertContext {
  /** The provider home the unit was found in. */
  home: string;
  /** Every file the adapter discovered in that home (for rules that span files). */
  allFiles: readonly SourceFile[];
  /** Pass to the readers that take it (readLines, readJsonRecords, …) so bytes read are counted. */
  stats: ReadStats;
  /** A warning about the unit that belongs to no session (shown in the run summary). */
  warn(message: string): void;
}

export type ConvertItem =
  /** One event of a session; sessions of one unit may interleave. */
  | { session: SessionDraft; event: EventDraft }
  /** The session has no more events (optional: every session ends when the stream ends). */
  | { session: SessionDraft; end: true };

/**
 * What a converter yields: one item, or several at once. Each step of an async iterable costs a
 * promise; converters hand their items over in batches (`Batch`, `src/session/batch.ts`).
 */
export type ConvertOutput = ConvertItem | readonly ConvertItem[];

export interface Adapter {
  /** Provider name used in ids, keys and file names: lower case, no separators. */
  id: string;
  title: string;
  /** Bumped whenever the adapter's output changes: every session it wrote is re-converted. */
  version: number;
  /**
   * The newest agent version this adapter was tested on (compared with `SessionDraft.agentVersion`:
   * sessions from a newer agent are flagged by the run summary and `doctor`).
   */
  testedVersion?: string;
  home: HomeSpec;
  /** fast-glob patterns, relative to a home, of the files to fingerprint. */
  sources: string[];
  /** fast-glob ignore patterns, relative to a home. */
  ignore?: string[];
  /** Groups discovered files into units; default: one unit per file. Paths and stats only. */
  units?(files: SourceFile[], home: string): SourceUnit[];
  /**
   * How long the provider keeps its own history before deleting it, read from its settings
   * (`doctor` warns when imports lag behind it). Null when it keeps everything or cannot tell.
   */
  retention?(home: string, environment: HomeEnvironment): Promise<{ days: number; source: string } | null>;
  /** Streams the sessions of one unit. Throwing fails the unit (the run goes on). */
  convert(unit: SourceUnit, ctx: ConvertContext): AsyncIterable<ConvertOutput>;
}

/** Thrown by adapters for a unit that cannot be read at all; says where. */
export class SourceError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? `${path}: ${message}` : `${path}:${line}: ${message}`);
    this.name = 'SourceError';
  }
}

/** Test helpers: temp homes, running a real import into a temp logs dir, reading what it wrote. */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Adapter } from '../../adapters/types.js';
import type { AgentLogEvent } from '../../src/model/events.js';
import type { SessionLogIndexEntry } from '../../src/model/index-schema.js';
import { runImport } from '../../src/importer/run.js';
import type { ImportSummary } from '../../src/model/reports.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shared corpus of real native files, read in place (absent outside this workplace's CI). */
export const corpusRoot = join(repoRoot, '..', 'shared', 'corpus');

export function corpusDir(provider: string): string | null {
  const dir = join(corpusRoot, provider);
  return existsSync(dir) ? dir : null;
}

export function corpusFiles(provider: string): string[] {
  const dir = corpusDir(provider);
  return dir
    ? readdirSync(dir)
        .sort()
        .map((n) => join(dir, n))
    : [];
}

const temps: string[] = [];
export function tempDir(prefix = 'import-logs-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
export function cleanupTemps(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Builds a provider home: keys are paths inside the home; values are text or `{copy: path}`. */
export function buildHome(layout: Record<string, string | { copy: string }>, home = tempDir('home-')): string {
  for (const [rel, content] of Object.entries(layout)) {
    const target = join(home, rel);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === 'string') writeFileSync(target, content);
    else copyFileSync(content.copy, target);
  }
  return home;
}

export interface ImportResult {
  summary: ImportSummary;
  logsDir: string;
  index: SessionLogIndexEntry[];
  sessions: Map<string, AgentLogEvent[]>;
  raw: Map<string, string>;
}

export const silentLog = pino({ level: 'silent' });

/** Imports `home` with `adapter` into `logsDir` (a fresh temp dir by default) and reads it back. */
export async function importHome(
  adapter: Adapter,
  home: string,
  opts: {
    logsDir?: string;
    root?: string;
    force?: boolean;
    storeDir?: string;
    concurrency?: number;
    since?: number;
    dryRun?: boolean;
    checkpointMs?: number;
    redact?: boolean;
  } = {},
): Promise<ImportResult> {
  const logsDir = opts.logsDir ?? tempDir('logs-');
  const summary = await runImport({
    locations: { storeDir: opts.storeDir ?? null, logsDir, root: opts.root ?? null, project: '' },
    adapters: [adapter],
    homeFlags: { [adapter.id]: home },
    environment: { env: {}, homedir: home },
    since: opts.since ?? null,
    dryRun: opts.dryRun ?? false,
    force: opts.force ?? false,
    concurrency: opts.concurrency ?? 2,
    log: silentLog,
    ...(opts.checkpointMs !== undefined ? { checkpointMs: opts.checkpointMs } : {}),
    redact: opts.redact ?? false,
  });
  return { summary, logsDir, ...readLogs(logsDir) };
}

export function readLogs(logsDir: string): Pick<ImportResult, 'index' | 'sessions' | 'raw'> {
  const sessions = new Map<string, AgentLogEvent[]>();
  const raw = new Map<string, string>();
  const dir = join(logsDir, 'sessions');
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.jsonl')) continue;
      const text = readFileSync(join(dir, name), 'utf8');
      raw.set(name.replace(/\.jsonl$/, ''), text);
      sessions.set(
        name.replace(/\.jsonl$/, ''),
        text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as AgentLogEvent),
      );
    }
  }
  const indexPath = join(logsDir, 'index.json');
  const index = existsSync(indexPath)
    ? (JSON.parse(readFileSync(indexPath, 'utf8')) as { sessions: SessionLogIndexEntry[] }).sessions
    : [];
  // Every listed session's file carries its entry on its last line, from which the index is rebuilt.
  for (const entry of index) {
    const end = sessions.get(entry.wrapper_session_id)?.at(-1);
    if (end === undefined) continue;
    const { log_bytes: _b, source_missing: _m, imported_at: _i, ...listed } = entry;
    const { session_key: _k, ...carried } = (end as { entry?: Record<string, unknown> }).entry ?? {};
    if (JSON.stringify(carried) !== JSON.stringify(listed))
      throw new Error(`${entry.log_path}: its last line's entry is not its index entry`);
  }
  return { index, sessions, raw };
}

/**
 * A session file's text without the index entry its last line carries (that entry lists the
 * source paths and adapter version, which change with where the home is and with the adapter):
 * for comparing the events of two imports.
 */
export function eventsText(raw: string): string {
  const lines = raw.trimEnd().split('\n');
  const { entry: _e, ...end } = JSON.parse(lines.pop()!) as Record<string, unknown>;
  return [...lines, JSON.stringify(end)].join('\n');
}

export const cliPath = join(repoRoot, 'dist/src/cli/main.js');

/**
 * Runs the built CLI with a private HOME and store and none of the provider variables of this
 * machine (and UTC, so that local times are stable). `env` adds to or overrides that.
 */
export function runCli(args: string[], env: Record<string, string> = {}) {
  const home = env.HOME ?? tempDir('home-');
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: home, IMPORT_LOGS_HOME: join(home, 'store'), TZ: 'UTC', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, home };
}

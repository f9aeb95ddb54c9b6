/**
 * Reliability test support: the real CLI in a sandbox (private HOME, no provider variables of this
 * machine), generated provider homes, archive snapshots, and a check that nothing was written
 * outside the logs dir.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect } from 'vitest';
import { adapters } from '../../adapters/index.js';
import type { SessionLogIndexEntry } from '../../src/model/index-schema.js';
import { repoRoot, tempDir } from '../support/harness.js';
import { KITS, type Kit } from './kits.js';

export const cliScript = join(repoRoot, 'dist/src/cli/main.js');
export const faultsPreload = join(repoRoot, 'test/support/faults.mjs');

/** Kits of the providers in the registry. */
export function activeKits(): Kit[] {
  return KITS.filter((k) => adapters.some((a) => a.id === k.id));
}

/** The kit the provider-independent CLI tests use: the first provider in the registry. */
export function firstKit(): Kit {
  const kit = activeKits()[0];
  if (!kit) throw new Error('no provider adapter is registered');
  return kit;
}

export interface Sandbox {
  root: string;
  /** The private HOME of the CLI. */
  home: string;
  /** The logs dir (`--out`). */
  logs: string;
  /** Provider home dir of a kit. */
  homeOf(kit: Kit): string;
}

export function sandbox(): Sandbox {
  const root = tempDir('reliability-');
  const home = join(root, 'home');
  mkdirSync(home);
  return { root, home, logs: join(root, 'logs'), homeOf: (kit) => join(root, 'providers', kit.id) };
}

/** Writes files (relative to `dir`) creating their parents. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const target = join(dir, rel);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/** `--<flag> <home>` for every kit given. */
export function homeArgs(sb: Sandbox, kits: readonly Kit[]): string[] {
  return kits.flatMap((k) => [`--${k.flag}`, sb.homeOf(k)]);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** `phase:N:action` for the fault preload (test/support/faults.mjs). */
  fault?: string;
  faultSignal?: string;
  countFile?: string;
  /** Run as this user (root only): makes permission checks real. */
  uid?: number;
  env?: Record<string, string>;
}

/** Whether `uid` can read `path` (asked of the system as that user). */
function readableBy(uid: number, path: string): boolean {
  const probe = spawnSync(
    process.execPath,
    ['-e', 'require("node:fs").accessSync(process.argv[1], require("node:fs").constants.R_OK)', path],
    { uid, gid: uid },
  );
  return probe.status === 0;
}

let scriptsOfNobody: { cli: string; preload: string } | null = null;

/**
 * The CLI and the fault preload where `uid` can read them. A checkout under a 0700 directory
 * (/root, a `mktemp -d`) is out of nobody's reach: the built CLI, its production dependencies and
 * the preload are then copied, once, into a temp dir everyone can read.
 */
function scriptsFor(uid: number | undefined): { cli: string; preload: string } {
  if (uid === undefined) return { cli: cliScript, preload: faultsPreload };
  if (scriptsOfNobody) return scriptsOfNobody;
  if (readableBy(uid, cliScript) && readableBy(uid, faultsPreload))
    return (scriptsOfNobody = { cli: cliScript, preload: faultsPreload });
  const dir = tempDir('cli-for-nobody-');
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repoRoot, encoding: 'utf8' });
  const packages = ls.stdout.split('\n').filter((p) => p.startsWith(join(repoRoot, 'node_modules')));
  for (const rel of [
    'dist',
    'package.json',
    'test/support/faults.mjs',
    ...packages.map((p) => relative(repoRoot, p)),
  ]) {
    cpSync(join(repoRoot, rel), join(dir, rel), { recursive: true });
  }
  for (const p of [dir, ...listTree(dir).map((rel) => join(dir, rel))])
    chmodSync(p, lstatSync(p).isDirectory() ? 0o755 : 0o644);
  return (scriptsOfNobody = { cli: join(dir, 'dist/src/cli/main.js'), preload: join(dir, 'test/support/faults.mjs') });
}

/** Starts the CLI; `done` settles when it exits. */
export function startCli(
  sb: Sandbox,
  args: string[],
  opts: CliOptions = {},
): { pid: number; done: Promise<CliResult> } {
  const { cli, preload: preloadScript } = scriptsFor(opts.uid);
  const preload = opts.fault !== undefined || opts.countFile !== undefined ? ['--import', preloadScript] : [];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: sb.home, LOG_LEVEL: 'warn', ...opts.env };
  if (opts.fault) env.IMPORT_LOGS_FAULT = opts.fault;
  if (opts.faultSignal) env.IMPORT_LOGS_FAULT_SIGNAL = opts.faultSignal;
  if (opts.countFile) env.IMPORT_LOGS_FAULT_COUNT = opts.countFile;
  const child = spawn(process.execPath, [...preload, cli, ...args], {
    env,
    cwd: sb.root,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { pid: child.pid!, done };
}

export function runCli(sb: Sandbox, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return startCli(sb, args, opts).done;
}

/** An import of `kits` into the sandbox's logs dir (or `logs`), with `--json`. */
export function importArgs(sb: Sandbox, kits: readonly Kit[], extra: string[] = [], logs = sb.logs): string[] {
  return ['--out', logs, '--json', ...homeArgs(sb, kits), ...extra];
}

export interface Archive {
  /** Session file name -> content. */
  files: Map<string, string>;
  /** index.json without `imported_at`. */
  index: Omit<SessionLogIndexEntry, 'imported_at'>[];
}

export function readArchive(logs: string): Archive {
  const files = new Map<string, string>();
  const dir = join(logs, 'sessions');
  for (const name of existsSync(dir) ? readdirSync(dir).sort() : [])
    files.set(name, readFileSync(join(dir, name), 'utf8'));
  const indexPath = join(logs, 'index.json');
  const entries = existsSync(indexPath)
    ? (JSON.parse(readFileSync(indexPath, 'utf8')) as { sessions: SessionLogIndexEntry[] }).sessions
    : [];
  return { files, index: entries.map(({ imported_at: _i, ...e }) => e) };
}

/** The two archives have the same session files, byte for byte, and the same index. */
export function expectSameArchive(got: Archive, want: Archive, where = ''): void {
  expect([...got.files.keys()], where).toEqual([...want.files.keys()]);
  for (const [name, text] of want.files) expect(got.files.get(name), `${where} ${name}`).toBe(text);
  expect(got.index, where).toEqual(want.index);
}

/** Every path below `dir` (relative), recursively, without following links. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      out.push(relative(dir, p));
      if (lstatSync(p).isDirectory()) walk(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Temp files, lock files and anything else a finished run must not leave in a logs dir. */
export function leftovers(logs: string): string[] {
  return listTree(logs).filter((p) => p.includes('.tmp-') || /\.json\.\d+$/.test(p) || p.includes('.lock'));
}

/** Size, mtime and mode of every path below `dir` but `except`: what "nothing else changed" compares. */
export function fingerprintTree(dir: string, except: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of listTree(dir)) {
    const p = join(dir, rel);
    if (p === except || p.startsWith(`${except}/`)) continue;
    const st = lstatSync(p);
    out.set(rel, `${st.mode} ${st.size} ${st.mtimeMs}`);
  }
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32) in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const isRoot = process.getuid?.() === 0;
/** The unprivileged user the permission tests run the CLI as when the tests run as root. */
export const NOBODY = 65534;

/**
 * Hands a tree to `nobody` (root only), so that a CLI run as nobody meets the modes we set. Paths
 * nobody owns already are left alone: a chown changes the ctime, which makes a source changed.
 */
export function giveToNobody(...paths: string[]): void {
  if (!isRoot) return;
  const give = (path: string) => {
    const st = lstatSync(path);
    if (st.uid !== NOBODY || st.gid !== NOBODY) lchownSync(path, NOBODY, NOBODY);
  };
  for (const top of paths) {
    give(top);
    for (const rel of listTree(top)) give(join(top, rel));
  }
}

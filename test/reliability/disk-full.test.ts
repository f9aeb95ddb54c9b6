/**
 * Short writes and full disks. write(2) may store fewer bytes than it was asked to (on a full disk
 * the kernel stores what fits and says how much): a file must then be written on, or abandoned,
 * never published short. On a corpus import by the built CLI:
 * - every write made short by the fault preload, at every site the tool writes: the archive is
 *   exact;
 * - the disk filling up at the first write to each site: the run fails (never exit 0), no file is
 *   damaged, the state is untouched, nothing is left behind, and the next run converges;
 * - a real full file system (a small tmpfs; mounting needs root).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionLogIndexEntry } from '../../src/model/index-schema.js';
import type { BackfillState } from '../../src/model/state.js';
import { cleanupTemps } from '../support/harness.js';
import { corpusHomes, hasCorpus } from './corpus-homes.js';
import { isRoot, leftovers, listTree, runCli, sandbox, type Sandbox } from './support.js';

afterAll(cleanupTemps);

/** What the run says when it cannot write each kind of file. */
const FAILED_WRITING: [string, RegExp][] = [
  ['index.json', /index \S+\/index\.json cannot be written/],
  ['sessions_index.json', /store index \S+ cannot be written/],
  ['backfill_state.json', /state file \S+ cannot be written/],
];

/** The kinds of file the tool writes, as the fault preload names them. */
const SITES = ['session', 'index', 'state', 'entries', 'journal', 'store_index', 'lock', 'store_lock'] as const;

interface Target {
  logs: string;
  store: string;
}

// The importer's own files; the local index (archive.db) is SQLite's, written in its own
// transactions after the import, and left out here.
const importTo = (t: Target, homes: string[], extra: string[] = []) => [
  '--out',
  t.logs,
  '--store',
  t.store,
  '--json',
  '--no-index',
  ...homes,
  ...extra,
];

/** What a logs dir and its store hold, comparable across dirs (index times dropped, store paths relative). */
interface Snapshot {
  sessions: Map<string, string>;
  index: Map<string, Omit<SessionLogIndexEntry, 'imported_at'>> | null;
  state: string | null;
  global: Map<string, unknown> | null;
}

function readIfThere(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** Reads a target; every JSON file in it must parse. */
function snapshot(t: Target): Snapshot {
  for (const dir of [t.logs, t.store]) {
    for (const rel of listTree(dir).filter((p) => p.endsWith('.json'))) {
      expect(() => JSON.parse(readFileSync(join(dir, rel), 'utf8')), `${rel} parses`).not.toThrow();
    }
  }
  const sessions = new Map<string, string>();
  for (const rel of listTree(join(t.logs, 'sessions')))
    sessions.set(rel, readFileSync(join(t.logs, 'sessions', rel), 'utf8'));
  const indexText = readIfThere(join(t.logs, 'index.json'));
  const index =
    indexText === null
      ? null
      : new Map(
          (JSON.parse(indexText) as { sessions: SessionLogIndexEntry[] }).sessions.map(({ imported_at: _i, ...e }) => [
            e.wrapper_session_id,
            e,
          ]),
        );
  const globalText = readIfThere(join(t.store, 'sessions_index.json'));
  const global =
    globalText === null
      ? null
      : new Map(
          (JSON.parse(globalText) as { sessions: { log_path: string }[] }).sessions.map((e) => [
            e.log_path.slice(t.logs.length),
            { ...e, log_path: e.log_path.slice(t.logs.length) },
          ]),
        );
  const journal = readIfThere(join(t.logs, 'backfill_state.journal'));
  const base = readIfThere(join(t.logs, 'backfill_state.json'));
  return { sessions, index, state: base === null && journal === null ? null : `${base}\n${journal}`, global };
}

/** The session files the state names: its file's and those of each whole line of its journal. */
function stateLogPaths(logs: string): string[] {
  const base = readIfThere(join(logs, 'backfill_state.json'));
  const lines = (readIfThere(join(logs, 'backfill_state.journal')) ?? '').split('\n').slice(0, -1);
  const states = [...(base === null ? [] : [base]), ...lines].map(
    (text) => JSON.parse(text) as Pick<BackfillState, 'sessions'>,
  );
  return states.flatMap((s) => Object.values(s.sessions).map((e) => e.log_path));
}

/**
 * Nothing damaged: each session file, index entry and store entry is the one of some reference
 * (the archive before the run, or a clean import); the state names only sessions whose files are
 * in place; no temp file or lock is left.
 */
function expectUndamaged(t: Target, refs: Snapshot[], where: string): Snapshot {
  const now = snapshot(t);
  for (const [name, text] of now.sessions)
    expect(
      refs.some((r) => r.sessions.get(name) === text),
      `${where}: sessions/${name} is whole`,
    ).toBe(true);
  for (const [id, entry] of now.index ?? [])
    expect(
      refs.map((r) => r.index?.get(id)),
      `${where}: index entry ${id}`,
    ).toContainEqual(entry);
  for (const [path, entry] of now.global ?? [])
    expect(
      refs.map((r) => r.global?.get(path)),
      `${where}: store entry ${path}`,
    ).toContainEqual(entry);
  for (const logPath of stateLogPaths(t.logs))
    expect(now.sessions.has(logPath.slice('sessions/'.length)), `${where}: ${logPath} of the state`).toBe(true);
  expect([...leftovers(t.logs), ...leftovers(t.store)], where).toEqual([]);
  return now;
}

/** The archive equals the clean one: the same session files, index and store entries. */
function expectConverged(got: Snapshot, clean: Snapshot, where: string): void {
  expect([...got.sessions.keys()], where).toEqual([...clean.sessions.keys()]);
  for (const [name, text] of clean.sessions) expect(got.sessions.get(name), `${where}: ${name}`).toBe(text);
  expect(got.index, where).toEqual(clean.index);
  expect(got.global, where).toEqual(clean.global);
}

function target(sb: Sandbox, name: string): Target {
  return { logs: join(sb.root, name, 'logs'), store: join(sb.root, name, 'store') };
}

describe.skipIf(!hasCorpus)('short writes and full disks (corpus import, built CLI)', () => {
  const sb = sandbox();
  const homes = corpusHomes(join(sb.root, 'homes'));
  const emptyCodex = join(sb.root, 'no-codex');
  mkdirSync(emptyCodex);
  /** The first import holds the Claude sessions only; the next adds Codex's. */
  const claudeOnly = homes.map((arg, i) => (homes[i - 1] === '--codex-home' ? emptyCodex : arg));
  const clean = target(sb, 'clean');
  let cleanSnap: Snapshot;

  // The reference: a clean import of the corpus on a roomy disk.
  beforeAll(async () => {
    const run = await runCli(sb, importTo(clean, homes));
    expect(run.code, run.stderr).toBe(0);
    cleanSnap = snapshot(clean);
    expect(cleanSnap.sessions.size).toBeGreaterThan(10);
  });

  it('every write short (half of it stored, the count returned), at every site: the archive is exact', async () => {
    const t = target(sb, 'short');
    const countFile = join(sb.root, 'short-counts.json');
    const short: Record<string, number> = {};
    // A first import writes the state files at its end; a second one (forced) appends to the journal.
    for (const extra of [[], ['--force']]) {
      const run = await runCli(sb, importTo(t, homes, extra), { countFile, env: { IMPORT_LOGS_SHORT_WRITES: 'half' } });
      expect(run.code, run.stderr).toBe(0);
      const counts = JSON.parse(readFileSync(countFile, 'utf8')) as { short: Record<string, number> };
      for (const [site, n] of Object.entries(counts.short)) short[site] = (short[site] ?? 0) + n;
    }
    for (const site of SITES) expect(short[site], `short writes to ${site} files`).toBeGreaterThan(0);
    expectConverged(expectUndamaged(t, [cleanSnap], 'short writes'), cleanSnap, 'short writes');
  });

  it.each(SITES)(
    'the disk fills at the first write to a %s file: not exit 0, nothing damaged, state untouched; the next run converges',
    async (site) => {
      const t = target(sb, `full-${site}`);
      // The state files are written whole at the end of a first import (later runs append to the
      // journal): for them, the disk fills in a first import.
      if (site !== 'state' && site !== 'entries') {
        const first = await runCli(sb, importTo(t, claudeOnly));
        expect(first.code, first.stderr).toBe(0);
      }
      const before = snapshot(t);

      const countFile = join(sb.root, `full-${site}-counts.json`);
      const full = await runCli(sb, importTo(t, homes, ['--force']), {
        countFile,
        env: { IMPORT_LOGS_SHORT_WRITES: `full:${site}` },
      });
      expect(
        (JSON.parse(readFileSync(countFile, 'utf8')) as { short: Record<string, number> }).short[site],
        'the disk filled',
      ).toBe(1);
      expect([1, 3], `${site}: exit ${full.code} ${full.stderr}`).toContain(full.code);
      expect(`${full.stdout}${full.stderr}`).toMatch(/ENOSPC/);
      const after = expectUndamaged(t, [before, cleanSnap], site);
      expect(after.state, 'the state is written last, so never after a failure').toBe(before.state);

      const next = await runCli(sb, importTo(t, homes));
      expect(next.code, next.stderr).toBe(0);
      expectConverged(expectUndamaged(t, [cleanSnap], `${site}, next run`), cleanSnap, `${site}, next run`);
    },
  );

  // A sweep of tmpfs sizes up to what a clean import takes, in steps finer than the index and state
  // files, so that the disk fills while writing each kind of file. Whatever the size, a run exits
  // 0 with the exact archive, or fails with nothing damaged; given space, the next run converges.
  const mnt = join(sb.root, 'mnt');
  afterAll(() => {
    // A run cut short by a timeout leaves its file system mounted.
    if (readFileSync('/proc/mounts', 'utf8').includes(` ${mnt} `)) execFileSync('umount', [mnt]);
  });
  it.skipIf(!isRoot)(
    'a real full file system (tmpfs, mounted by root; skipped otherwise): every run exits 0 exact or fails undamaged, and converges once there is space',
    async () => {
      mkdirSync(mnt);
      const mount = (kb: number, remount = false) =>
        execFileSync('mount', ['-t', 'tmpfs', '-o', `${remount ? 'remount,' : ''}size=${kb}k,mode=0700`, 'tmpfs', mnt]);
      const t: Target = { logs: join(mnt, 'logs'), store: join(mnt, 'store') };
      // What a clean import takes on tmpfs (whole pages per file).
      mount(64 * 1024);
      let needKb: number;
      try {
        expect((await runCli(sb, importTo(t, homes))).code).toBe(0);
        needKb = Number(execFileSync('du', ['-sk', mnt], { encoding: 'utf8' }).split('\t')[0]);
      } finally {
        execFileSync('umount', [mnt]);
      }
      const sizes = [Math.floor(needKb * 0.3), ...Array.from({ length: 8 }, (_, i) => needKb - 84 + 12 * i)];
      const failedWriting = new Set<string>();
      for (const kb of sizes) {
        mount(kb);
        try {
          const run = await runCli(sb, importTo(t, homes));
          const where = `${kb} KB of ${needKb}`;
          if (run.code === 0) {
            expectConverged(expectUndamaged(t, [cleanSnap], where), cleanSnap, where);
            continue;
          }
          expect([1, 3], `${where}: exit ${run.code} ${run.stderr}`).toContain(run.code);
          const said = `${run.stdout}${run.stderr}`;
          expect(said, where).toMatch(/ENOSPC/);
          failedWriting.add(FAILED_WRITING.find(([, pattern]) => pattern.test(said))?.[0] ?? said);
          expectUndamaged(t, [cleanSnap], where);
          if (kb === sizes[0]) {
            // Once more on the full disk: still nothing damaged.
            const again = await runCli(sb, importTo(t, homes));
            expect([1, 3], `${where}, again: exit ${again.code} ${again.stderr}`).toContain(again.code);
            expectUndamaged(t, [cleanSnap], `${where}, again`);
          }
          mount(needKb * 4, true);
          const next = await runCli(sb, importTo(t, homes));
          expect(next.code, `${where}, with space: ${next.stderr}`).toBe(0);
          expectConverged(expectUndamaged(t, [cleanSnap], `${where}, with space`), cleanSnap, `${where}, with space`);
        } finally {
          execFileSync('umount', [mnt]);
        }
      }
      expect([...failedWriting].sort(), 'the sweep filled the disk while each file was written').toEqual([
        'backfill_state.json',
        'index.json',
        'sessions_index.json',
      ]);
    },
    600_000,
  );
});

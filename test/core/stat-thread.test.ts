/**
 * The stats of a plan on two threads: the size check of the archived session files, and the
 * sources' lstats shared between this thread and the second one. The built module, which runs the
 * second thread, gives what the stats on this thread alone give.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LSTAT_FIELDS, lstatInto } from '../../src/importer/fingerprint.js';
import * as here from '../../src/importer/stat-thread.js';
import { cleanupTemps, repoRoot, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

/** The module as built: its second thread runs (the worker exists only as built). */
const built = (await import(join(repoRoot, 'dist/src/importer/stat-thread.js'))) as typeof here;

/** 30,000 session files to check: a whole one, one cut short (its record says 4 bytes, it has 3) and a missing one, in turn. */
function sessions() {
  const dir = tempDir();
  writeFileSync(join(dir, 'whole.jsonl'), '12345');
  writeFileSync(join(dir, 'short.jsonl'), '123');
  const names = ['whole.jsonl', 'short.jsonl', 'gone.jsonl'];
  const recorded = [5, 4, 7];
  const state = {
    sessions: Object.fromEntries(
      Array.from({ length: 30_000 }, (_, i) => [`s${i}`, { log_path: names[i % 3]!, log_bytes: recorded[i % 3]! }]),
    ),
  };
  const want: here.SizeMismatches = { at: [], sizes: [] };
  for (let i = 0; i < 30_000; i++) {
    if (i % 3 === 0) continue;
    want.at.push(i);
    want.sizes.push(i % 3 === 1 ? 3 : -1);
  }
  return { dir, state, want };
}

/** The bytes of lstat fields, compared whole (an element-wise comparison of 300,000 fields takes seconds). */
const bytes = (fields: BigInt64Array) => Buffer.from(fields.buffer, fields.byteOffset, fields.byteLength);

/** `paths` as a plan gives them to the stats. */
function pathsOf(paths: string[]): here.Paths {
  const starts = new Int32Array(paths.length + 1);
  paths.forEach((p, i) => (starts[i + 1] = starts[i]! + p.length + 1));
  return { text: paths.map((p) => `${p}\n`).join(''), starts };
}

/** 50,000 paths: files of several sizes, a directory, a symlink and a missing name, in turn. */
function sources(): string[] {
  const dir = tempDir();
  mkdirSync(join(dir, 'sub'));
  for (let i = 0; i < 8; i++) writeFileSync(join(dir, `f${i}.jsonl`), 'x'.repeat(i * 100));
  symlinkSync(join(dir, 'f1.jsonl'), join(dir, 'link'));
  const names = [...Array.from({ length: 8 }, (_, i) => `f${i}.jsonl`), 'sub', 'link', 'gone'];
  return Array.from({ length: 50_000 }, (_, i) => join(dir, names[i % names.length]!));
}

describe('the stats of a plan', () => {
  it('find each session file cut short or missing, here and with the second thread', async () => {
    const { dir, state, want } = sessions();
    const list = here.sessionList(state);
    expect(list.count).toBe(30_000);
    expect(here.mismatchesOf({ dir, list: list.list })).toEqual(want);
    expect(await new here.StatThread(dir, list).sizes()).toEqual(want);
    expect(await new built.StatThread(dir, list).sizes()).toEqual(want);
  });

  it('lstat the sources as this thread alone does, while the second thread also checks sizes', async () => {
    const paths = sources();
    const alone = new BigInt64Array(paths.length * LSTAT_FIELDS);
    paths.forEach((p, i) => lstatInto(p, alone, i * LSTAT_FIELDS));
    // Regular files are the files, not the directory, the link or the missing name.
    const kinds = alone.filter((_, i) => i % LSTAT_FIELDS === 0);
    expect(kinds.filter((k) => k === 1n)).toHaveLength(paths.filter((p) => p.endsWith('.jsonl')).length);
    const { dir, state, want } = sessions();
    const thread = new built.StatThread(dir, built.sessionList(state));
    expect(bytes(thread.lstatAll(pathsOf(paths))).equals(bytes(alone))).toBe(true);
    expect(await thread.sizes()).toEqual(want);
    // Once the sizes are in, the second thread is let go: the stats are all here.
    expect(bytes(thread.lstatAll(pathsOf(paths))).equals(bytes(alone))).toBe(true);
    expect(bytes(new here.StatThread(dir, { list: '', count: 0 }).lstatAll(pathsOf(paths))).equals(bytes(alone))).toBe(
      true,
    );
  });

  it('find their worker from the bundled CLI too (else they run on this thread, silently)', () => {
    // Every file the bundle names relative to itself (workers, adapters, package.json) is there.
    const cliDir = join(repoRoot, 'dist/src/cli');
    // The bundle is CommonJS: its `import.meta.url` is a name the launcher gives it (src/cli/code-cache.ts).
    const named = readdirSync(cliDir)
      .filter((name) => name.endsWith('.js') || name.endsWith('.cjs'))
      .flatMap((name) => [
        ...readFileSync(join(cliDir, name), 'utf8').matchAll(
          /new URL\(["']([^"']+)["'], (?:import\.meta\.url|import_meta_url)\)/g,
        ),
      ])
      .map((m) => m[1]!);
    expect(named).toContain('../importer/stat-thread-worker.js');
    for (const rel of named) expect(existsSync(resolve(cliDir, rel)), rel).toBe(true);
  });
});

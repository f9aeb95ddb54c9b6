/**
 * The sizes of the archived session files are checked against the state on another thread when
 * there are many: the built worker gives the answer a check on this thread gives.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { mismatchesOf, startSizeCheck, type SizeMismatches } from '../../src/importer/file-sizes.js';
import { cleanupTemps, repoRoot, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

/** 30,000 files to check: a whole one, one cut short (its record says 4 bytes, it has 3) and a missing one, in turn. */
function sample() {
  const dir = tempDir();
  writeFileSync(join(dir, 'whole.jsonl'), '12345');
  writeFileSync(join(dir, 'short.jsonl'), '123');
  const names = ['whole.jsonl', 'short.jsonl', 'gone.jsonl'];
  const recorded = [5, 4, 7];
  const paths = Array.from({ length: 30_000 }, (_, i) => names[i % 3]!);
  const sizes = Float64Array.from(paths, (_, i) => recorded[i % 3]!);
  const want: SizeMismatches = { at: [], sizes: [] };
  for (let i = 0; i < paths.length; i++) {
    if (i % 3 === 0) continue;
    want.at.push(i);
    want.sizes.push(i % 3 === 1 ? 3 : -1);
  }
  return { dir, paths, sizes, want };
}

describe('the size check of session files', () => {
  it('finds each file cut short or missing, here and on the built worker thread', async () => {
    const { dir, paths, sizes, want } = sample();
    expect(mismatchesOf({ dir, paths: paths.join('\n'), sizes })).toEqual(want);
    expect(await startSizeCheck(dir, paths, sizes)()).toEqual(want);
    const worker = new Worker(join(repoRoot, 'dist/src/importer/file-sizes-worker.js'), {
      workerData: { dir, paths: paths.join('\n'), sizes },
    });
    const found = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(found).toEqual(want);
  });

  it('finds its worker from the bundled CLI too (else it checks on this thread, silently)', () => {
    // Every file the bundle names relative to itself (workers, adapters, package.json) is there.
    const cliDir = join(repoRoot, 'dist/src/cli');
    const named = readdirSync(cliDir)
      .filter((name) => name.endsWith('.js'))
      .flatMap((name) => [
        ...readFileSync(join(cliDir, name), 'utf8').matchAll(/new URL\(["']([^"']+)["'], import\.meta\.url\)/g),
      ])
      .map((m) => m[1]!);
    expect(named).toContain('../importer/file-sizes-worker.js');
    for (const rel of named) expect(existsSync(resolve(cliDir, rel)), rel).toBe(true);
  });
});

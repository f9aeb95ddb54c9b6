/**
 * Worker threads convert large imports on several cores (`--workers`, auto by default). They must
 * write exactly what a single-thread import writes: run the built CLI both ways on a generated
 * home of every provider and compare the archives byte for byte.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHome } from '../../bench/generate.js';
import { cleanupTemps, readLogs, repoRoot, runCli, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

describe('worker threads', () => {
  it('write the same session files and index as a single-thread import', () => {
    const gen = generateHome({ out: join(tempDir('gen-'), 'home'), sizeBytes: 4e6, seed: 'workers' });
    // A home flag must name a directory: only the providers the generated home has files of.
    const homeArgs = Object.entries(gen.providerHomes)
      .filter(([provider]) => gen.providers[provider as keyof typeof gen.providers].files > 0)
      .flatMap(([provider, dir]) => [`--${provider}-home`, dir]);
    const run = (workers: number) => {
      const out = tempDir('out-');
      const r = runCli(['--out', out, '--workers', String(workers), '--json', ...homeArgs]);
      expect(r.code, r.stderr).toBe(0);
      return { out, summary: JSON.parse(r.stdout) as { bytes_read: number } };
    };
    const single = run(0);
    const threaded = run(2);
    const a = readLogs(single.out);
    const b = readLogs(threaded.out);
    expect(a.raw.size).toBeGreaterThan(10);
    expect(new Set(a.index.map((e) => e.provider))).toEqual(
      new Set(
        ['claude', 'codex', 'gemini', 'copilot'].filter(
          (p) => gen.providers[p as keyof typeof gen.providers].files > 0,
        ),
      ),
    );
    expect([...b.raw.keys()]).toEqual([...a.raw.keys()]);
    for (const [id, text] of a.raw) expect(b.raw.get(id), id).toBe(text);
    const strip = (entries: typeof a.index) => entries.map(({ imported_at: _i, ...e }) => e);
    expect(strip(b.index)).toEqual(strip(a.index));
    expect(threaded.summary.bytes_read).toBe(single.summary.bytes_read);
  });

  it('load one bundled file, which names only files that are there relative to it', () => {
    // Bundled by the build (build/bundle.ts): a module moved into it that names a file relative
    // to itself would name another place, as the bundled CLI once did.
    const worker = join(repoRoot, 'dist/src/importer/worker.js');
    const text = readFileSync(worker, 'utf8');
    expect([...text.matchAll(/(?:from|import\()\s*["'](\.\.?\/[^"']+)["']/g)].map((m) => m[1])).toEqual([]);
    for (const [, rel] of text.matchAll(/new URL\(["']([^"']+)["'], import\.meta\.url\)/g))
      expect(existsSync(resolve(dirname(worker), rel!)), rel).toBe(true);
  });
});

/** The baseline and the re-encode floor: they parse every line, and the floor writes each value back. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseline, splitBySize } from '../../bench/baseline.js';
import { cleanupTemps, repoRoot, tempDir } from '../support/harness.js';

describe('bench baseline', () => {
  afterAll(cleanupTemps);
  const home = tempDir('bench-base-');
  mkdirSync(join(home, 'a', 'b'), { recursive: true });
  const lines = [
    '{"type":"user","text":"caf\\u00e9 \\"quoted\\""}',
    '[1, 2.50, {"k": null}]',
    '{broken',
    '"just a string"',
  ];
  writeFileSync(join(home, 'a', 'b', 'one.jsonl'), `${lines.join('\n')}\n\n`);
  writeFileSync(join(home, 'a', 'doc.json'), '{"whole": [true, false]}');
  writeFileSync(join(home, 'a', 'notes.txt'), 'not json\n');

  it('parses every line of .jsonl files and every .json file whole, and counts the broken ones', () => {
    const result = baseline([home]);
    expect(result).toMatchObject({ files: 3, lines: 5, bad_lines: 1 });
  });

  it('with a re-encode target, writes every parsed value back as one JSON line', () => {
    const out = join(tempDir('bench-floor-'), 'floor.jsonl');
    const result = baseline([home], out);
    expect(result).toMatchObject({ lines: 5, bad_lines: 1 });
    const written = readFileSync(out, 'utf8').split('\n');
    expect(written.pop()).toBe('');
    // Files are visited in directory order: compare as sorted canonical texts.
    const canonical = (texts: string[]) => texts.map((l) => JSON.stringify(JSON.parse(l))).sort();
    expect(canonical(written)).toEqual(
      canonical([...lines.filter((l) => l !== '{broken'), '{"whole": [true, false]}']),
    );
  });

  it('splits files over threads by size, each file once, the largest apart', () => {
    const dir = tempDir('bench-split-');
    const sizes = [900, 500, 400, 200, 100];
    sizes.forEach((n, i) => writeFileSync(join(dir, `f${i}.jsonl`), 'x'.repeat(n)));
    const parts = splitBySize(
      sizes.map((_, i) => join(dir, `f${i}.jsonl`)),
      2,
    );
    expect(parts.flat().sort()).toEqual(sizes.map((_, i) => join(dir, `f${i}.jsonl`)).sort());
    expect(parts.map((p) => p.map((f) => readFileSync(f).length).reduce((a, b) => a + b, 0))).toEqual([1100, 1000]);
  });

  it.skipIf(!existsSync(join(repoRoot, 'dist/bench/baseline.js')))(
    'on two threads, the floor parses and writes the same lines, and leaves no output behind',
    () => {
      const outDir = tempDir('bench-floor2-');
      const result = JSON.parse(
        execFileSync(
          process.execPath,
          [join(repoRoot, 'dist/bench/baseline.js'), '--reencode', join(outDir, 'floor'), '--threads', '2', home],
          { encoding: 'utf8' },
        ),
      ) as { files: number; lines: number; bad_lines: number };
      expect(result).toMatchObject({ files: 3, lines: 5, bad_lines: 1 });
      expect(readdirSync(outDir)).toEqual([]);
    },
  );
});

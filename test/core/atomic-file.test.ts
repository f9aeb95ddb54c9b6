/** Temp files of atomic writes: what a killed run leaves is removed, nothing else. */
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFile, makeDurable, publish, removeTempFiles } from '../../src/writer/atomic-file.js';
import { buildHome, cleanupTemps, importHome, tempDir } from '../support/harness.js';
// @ts-expect-error plain JS test provider (shared with child processes)
import { testAdapter } from '../support/test-adapter.mjs';

afterAll(cleanupTemps);

describe('removeTempFiles', () => {
  it('removes temp files left by AtomicFile, and keeps files whose names merely contain the marker', () => {
    const dir = tempDir();
    const left = new AtomicFile(join(dir, 'claude-abc.jsonl'));
    left.write('half');
    const keep = ['claude-abc.tmp-1.jsonl', 'codex-x.tmp-.jsonl', 'a.tmp-12-3', 'state.json'];
    for (const name of keep) writeFileSync(join(dir, name), 'data');
    writeFileSync(join(dir, '.old.jsonl.tmp-999-7'), 'a killed run');
    removeTempFiles(dir, []);
    expect(existsSync(left.tempPath)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([...keep].sort());
    left.abort();
  });

  it('keeps a session whose id contains the marker across a second import', async () => {
    const home = buildHome({
      'sessions/a.jsonl': `${JSON.stringify({ sid: 'abc.tmp-1', ts: '2026-03-01T10:00:00Z', kind: 'user', text: 'hi' })}\n`,
    });
    const first = await importHome(testAdapter, home);
    expect([...first.raw.keys()]).toEqual(['testprov-abc.tmp-1']);
    const again = await importHome(testAdapter, home, { logsDir: first.logsDir });
    expect(again.summary.errors).toEqual([]);
    expect(again.raw.get('testprov-abc.tmp-1')).toBe(first.raw.get('testprov-abc.tmp-1'));
  });

  it('makes a batch durable, one file or many at once, and refuses one that does not hold what was written', async () => {
    for (const count of [1, 40]) {
      const dir = tempDir('durable-');
      const prepared = Array.from({ length: count }, (_, i) => {
        const file = new AtomicFile(join(dir, `f${i}.jsonl`));
        file.write(`line ${i}\n`);
        return file.prepare();
      });
      await makeDurable(prepared);
      publish(prepared);
      expect(readFileSync(join(dir, `f${count - 1}.jsonl`), 'utf8')).toBe(`line ${count - 1}\n`);

      const again = Array.from({ length: count }, (_, i) => {
        const file = new AtomicFile(join(dir, `g${i}.jsonl`));
        file.write('x\n');
        return file.prepare();
      });
      appendFileSync(again[count - 1]!.temp, 'more'); // grown behind the writer's back
      await expect(makeDurable(again), `${count} files`).rejects.toThrow(/holds 6 bytes after writing 2/);
    }
  });
});

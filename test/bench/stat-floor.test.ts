/** The no-op's floor: it lists every directory under the dirs it is given and lstats every file, links not followed. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps, repoRoot, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

describe('bench stat floor', () => {
  it('counts the directories it listed and the files it stat’ed, in every dir given', () => {
    const home = tempDir('floor-home-');
    mkdirSync(join(home, 'projects', 'a', 'sub'), { recursive: true });
    writeFileSync(join(home, 'projects', 'a', 'one.jsonl'), '{}\n');
    writeFileSync(join(home, 'projects', 'a', 'sub', 'two.jsonl'), '{}\n');
    // A link to a directory is stat'ed as a file of its own, not walked into.
    symlinkSync(join(home, 'projects'), join(home, 'projects', 'a', 'loop'));
    const sessions = tempDir('floor-sessions-');
    writeFileSync(join(sessions, 's.jsonl'), '{}\n');
    const out = execFileSync(process.execPath, [join(repoRoot, 'dist/bench/stat-floor.js'), home, sessions], {
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ dirs: 5, files: 4 });
  });
});

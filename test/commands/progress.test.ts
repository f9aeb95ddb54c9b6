/** The progress bar: what one line says, when it is drawn, and that a pipe never gets one. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHome } from '../../bench/generate.js';
import { createProgress, progressLine } from '../../src/cli/progress.js';
import { cleanupTemps, cliPath, readLogs, repoRoot, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

function fakeStream() {
  const writes: string[] = [];
  return { writes, stream: { columns: 100, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress', () => {
  it('shows sources done/total, MB/s and an ETA from the bytes left', () => {
    const line = progressLine({ done: 3, total: 12, bytesRead: 50e6, bytesTotal: 200e6 }, 10_000);
    expect(line).toBe(`${'█'.repeat(6)}${'░'.repeat(18)} 3/12 sources  5.0 MB/s  ETA 0:30`);
  });

  it('draws nothing for a quick run, then at most ten times a second, and clears its line', () => {
    let t = 0;
    const { writes, stream } = fakeStream();
    const bar = createProgress(stream, () => t);
    t = 100;
    bar.update({ done: 1, total: 10, bytesRead: 1, bytesTotal: 10 });
    expect(writes).toEqual([]);
    t = 400;
    bar.update({ done: 2, total: 10, bytesRead: 2, bytesTotal: 10 });
    t = 450;
    bar.update({ done: 3, total: 10, bytesRead: 3, bytesTotal: 10 });
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\r.* 2\/10 sources .*\x1b\[K$/);
    bar.clear();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('clears nothing when it drew nothing', () => {
    const { writes, stream } = fakeStream();
    createProgress(stream, () => 0).clear();
    expect(writes).toEqual([]);
  });

  /** An import of a generated home with a clock that makes the bar due at once (test/support/fast-clock.mjs). */
  function importWithFastClock(tty: boolean) {
    const gen = generateHome({ out: join(tempDir('gen-'), 'home'), sizeBytes: 1e6, seed: 'progress' });
    const out = tempDir('out-');
    const run = spawnSync(
      process.execPath,
      ['--import', join(repoRoot, 'test/support/fast-clock.mjs'), cliPath, '--out', out, '--json'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: gen.home, TZ: 'UTC', ...(tty ? { IMPORT_LOGS_TEST_TTY: '1' } : {}) },
      },
    );
    return { gen, out, code: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  it('is drawn on a terminal once the run has taken a moment', () => {
    const { code, stderr } = importWithFastClock(true);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/\r.* \d+\/\d+ sources .*\x1b\[K/);
  });

  it('is never written when stderr is not a terminal', () => {
    // The same run as above, due for the bar all along: only the pipe on stderr keeps it away.
    const { gen, out, code, stdout, stderr } = importWithFastClock(false);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as {
      providers: Record<string, { pending_units: number; new_sessions: number }>;
    };
    const units = Object.values(summary.providers).reduce((n, p) => n + p.pending_units, 0);
    expect(units).toBeGreaterThan(2);
    // Every generated session is imported (sub-agent files add sessions of their own).
    const imported = Object.values(summary.providers).reduce((n, p) => n + p.new_sessions, 0);
    expect(imported).toBeGreaterThanOrEqual(Object.values(gen.providers).reduce((n, p) => n + p.sessions, 0));
    expect(readLogs(out).index.length).toBe(imported);
    expect(stderr).toBe('');
  });
});

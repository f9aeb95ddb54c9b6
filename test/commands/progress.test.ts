/** The progress bar: what one line says, when it is drawn, and that a pipe never gets one. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHome } from '../../bench/generate.js';
import { createProgress, progressLine } from '../../src/cli/progress.js';
import { cleanupTemps, readLogs, runCli, tempDir } from '../support/harness.js';

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

  it('is never written when stderr is not a terminal', () => {
    // A run long enough for the bar (shown after 300 ms, while sources are left): only the pipe
    // on stderr keeps it away.
    const gen = generateHome({ out: join(tempDir('gen-'), 'home'), sizeBytes: 8e6, seed: 'progress' });
    const out = tempDir('out-');
    const { code, stdout, stderr } = runCli(['--out', out, '--json'], { HOME: gen.home });
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as { duration_ms: number; providers: Record<string, { pending_units: number; new_sessions: number }> };
    expect(summary.duration_ms, 'the run must last long enough for the bar to be due').toBeGreaterThan(300);
    const units = Object.values(summary.providers).reduce((n, p) => n + p.pending_units, 0);
    expect(units).toBeGreaterThan(10);
    // Every generated session is imported (sub-agent files add sessions of their own).
    const imported = Object.values(summary.providers).reduce((n, p) => n + p.new_sessions, 0);
    expect(imported).toBeGreaterThanOrEqual(Object.values(gen.providers).reduce((n, p) => n + p.sessions, 0));
    expect(readLogs(out).index.length).toBe(imported);
    expect(stderr).not.toContain('\r');
    expect(stderr).not.toContain('\x1b[K');
    expect(stderr).not.toMatch(/sources|█|░/);
  });
});

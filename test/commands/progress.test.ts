/** The progress bar: what one line says, when it is drawn, and that a pipe never gets one. */
import { afterAll, describe, expect, it } from 'vitest';
import { createProgress, progressLine } from '../../src/cli/progress.js';
import { buildHome, cleanupTemps, runCli } from '../support/harness.js';

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
    const home = buildHome({ 'x.txt': 'x' });
    const { code, stderr } = runCli([], { HOME: home });
    expect(code).toBe(0);
    expect(stderr).not.toContain('\r');
    expect(stderr).not.toContain('sources');
  });
});

/**
 * Inputs the tool does not control: provider settings that are not regular files, sources that
 * change while they are read or keep their mtime when rewritten, output dirs that are not ours.
 * The built CLI, in a sandbox.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { KITS, homeOf } from './kits.js';
import { activeKits, startCli, runCli, sandbox, writeFiles, type Sandbox, type CliResult } from './support.js';

afterAll(cleanupTemps);

const kit = (id: string) => KITS.find((k) => k.id === id)!;

/** The CLI's result, or a kill after `ms` (the test then fails on the signal, not by hanging). */
async function runBounded(sb: Sandbox, args: string[], ms: number): Promise<CliResult> {
  const run = startCli(sb, args);
  const timer = setTimeout(() => process.kill(run.pid, 'SIGKILL'), ms);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}

describe('provider settings read by doctor', () => {
  it('a FIFO settings.json (Claude) and one linked to /dev/zero (Gemini) are not read: doctor finishes and says so', { timeout: 60_000 }, async () => {
    const sb = sandbox();
    const kits = activeKits().filter((k) => k.id === 'claude' || k.id === 'gemini');
    for (const k of kits) writeFiles(sb.homeOf(k), homeOf(k, 1, 0));
    const claudeSettings = join(sb.homeOf(kit('claude')), 'settings.json');
    const geminiSettings = join(sb.homeOf(kit('gemini')), 'settings.json');
    execFileSync('mkfifo', [claudeSettings]);
    symlinkSync('/dev/zero', geminiSettings);
    const out = await runBounded(sb, ['doctor', '--out', sb.logs, '--json', ...kits.flatMap((k) => [`--${k.flag}`, sb.homeOf(k)])], 30_000);
    expect(out.signal, 'doctor was killed after 30 s: it hung').toBeNull();
    const report = JSON.parse(out.stdout) as { providers: { id: string; retention: { days: number; source: string }[] }[] };
    const retention = (id: string) => report.providers.find((p) => p.id === id)!.retention;
    expect(retention('claude')).toEqual([{ home: sb.homeOf(kit('claude')), days: 30, source: `${claudeSettings}: a FIFO, not a regular file; not read: Claude Code default assumed` }]);
    expect(retention('gemini')).toEqual([{ home: sb.homeOf(kit('gemini')), days: 30, source: `${geminiSettings}: a device, not a regular file; not read: Gemini CLI default (30d) assumed` }]);
  });
});

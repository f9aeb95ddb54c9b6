/**
 * Several copies of one session (two Claude homes in CLAUDE_CONFIG_DIR, an older and a newer copy of
 * a real transcript): merged whatever the order of the homes, cold or forced; the index lists every
 * copy; the session loses its source only when no copy is left.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeAdapter as claude } from '../../adapters/claude/index.js';
import { runImport } from '../../src/importer/run.js';
import { cleanupTemps, eventsText, importHome, readLogs, silentLog, tempDir } from '../support/harness.js';
import { CLAUDE_ID, CLAUDE_REL, bodies, claudeCorpus, claudeHome, claudeLines } from './corpus-homes.js';

afterAll(cleanupTemps);

const ID = `claude-${CLAUDE_ID}`;

/** Imports the Claude homes listed in CLAUDE_CONFIG_DIR, in that order. */
async function importHomes(homes: string[], logsDir: string, force = false) {
  const summary = await runImport({
    locations: { storeDir: null, logsDir, root: null, project: '' },
    adapters: [claude],
    homeFlags: {},
    environment: { env: { CLAUDE_CONFIG_DIR: homes.join(',') }, homedir: tempDir('nohome-') },
    since: null,
    dryRun: false,
    force,
    concurrency: 2,
    log: silentLog,
  });
  return { summary, ...readLogs(logsDir) };
}

describe.skipIf(claudeCorpus === null)('two copies of a Claude session (corpus)', () => {
  const lines = claudeLines();
  const older = claudeHome(lines.slice(0, 60).join(''));
  const newer = claudeHome(lines.join(''));

  it('merge to the newer copy whatever the order of the homes, cold and forced, listing both', async () => {
    const alone = await importHome(claude, claudeHome(lines.join('')));
    const want = alone.raw.get(ID)!;
    const results: string[] = [];
    for (const homes of [
      [older, newer],
      [newer, older],
    ]) {
      const logsDir = tempDir();
      const cold = await importHomes(homes, logsDir);
      expect(cold.summary.errors).toEqual([]);
      expect(eventsText(cold.raw.get(ID)!)).toBe(eventsText(want));
      const entry = cold.index.find((e) => e.wrapper_session_id === ID)!;
      expect(entry.source_paths).toEqual([join(newer, CLAUDE_REL), join(older, CLAUDE_REL)].sort());
      expect(entry).toMatchObject({
        retained_events: 0,
        source_missing: false,
        event_count: alone.index[0]!.event_count,
      });
      const forced = await importHomes(homes, logsDir, true);
      expect(forced.raw.get(ID)).toBe(cold.raw.get(ID));
      results.push(forced.raw.get(ID)!);
      // Nothing changed: neither copy is read again.
      expect((await importHomes(homes, logsDir)).summary.bytes_read).toBe(0);
    }
    expect(results[0]).toBe(results[1]);
  });

  it('keep what only the newer copy held once it is gone, and lose their source when no copy is left', async () => {
    const a = claudeHome(lines.slice(0, 60).join(''));
    const b = claudeHome(lines.join(''));
    const logsDir = tempDir();
    const first = await importHomes([b, a], logsDir);
    const archived = bodies(first.sessions.get(ID)!);
    rmSync(join(b, CLAUDE_REL));
    const second = await importHomes([b, a], logsDir);
    expect(bodies(second.sessions.get(ID)!).sort()).toEqual([...archived].sort());
    const olderOnly = bodies((await importHome(claude, claudeHome(lines.slice(0, 60).join('')))).sessions.get(ID)!);
    expect(second.index[0]).toMatchObject({
      source_missing: false,
      retained_events: archived.length - olderOnly.length,
      source_paths: [join(a, CLAUDE_REL)],
    });
    expect(second.summary.providers.claude!.removed_at_source).toBe(0);
    rmSync(join(a, CLAUDE_REL));
    const third = await importHomes([b, a], logsDir);
    expect(third.index[0]).toMatchObject({ source_missing: true });
    expect(third.raw.get(ID)).toBe(second.raw.get(ID));
    expect(third.summary.providers.claude!.removed_at_source).toBe(1);
  });
});

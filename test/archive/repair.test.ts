/**
 * Self-repair: every run stats the indexed session files and the indexes; a session file deleted
 * or changed by hand is written again from its source (or reported when the source is gone), and
 * a missing or broken index is written again on the next run.
 */
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeAdapter as claude } from '../../adapters/claude/index.js';
import { cleanupTemps, importHome, tempDir } from '../support/harness.js';
import { CLAUDE_ID, CLAUDE_REL, claudeCorpus, claudeHome, claudeLines } from './corpus-homes.js';

afterAll(cleanupTemps);

const ID = `claude-${CLAUDE_ID}`;

describe.skipIf(claudeCorpus === null)('self-repair (corpus session)', () => {
  const text = claudeLines().join('');

  it('a session file deleted or changed by hand is written again, as it was', async () => {
    const home = claudeHome(text);
    const first = await importHome(claude, home);
    const file = join(first.logsDir, 'sessions', `${ID}.jsonl`);
    const want = first.raw.get(ID)!;
    unlinkSync(file);
    const second = await importHome(claude, home, { logsDir: first.logsDir });
    expect(second.raw.get(ID)).toBe(want);
    expect(second.summary.providers.claude).toMatchObject({ pending_units: 1, updated_sessions: 1 });
    // Cut by hand: written again from the source; what is left of it holds nothing more.
    writeFileSync(file, want.split('\n').slice(0, 3).join('\n'));
    const third = await importHome(claude, home, { logsDir: first.logsDir });
    expect(third.raw.get(ID)).toBe(want);
    expect(third.index[0]).toMatchObject({ retained_events: 0, log_bytes: Buffer.byteLength(want) });
    // Then nothing to do.
    expect((await importHome(claude, home, { logsDir: first.logsDir })).summary.bytes_read).toBe(0);
  });

  it('a deleted session file whose source is gone is reported', async () => {
    const home = claudeHome(text);
    const first = await importHome(claude, home);
    rmSync(join(home, CLAUDE_REL));
    await importHome(claude, home, { logsDir: first.logsDir });
    const file = join(first.logsDir, 'sessions', `${ID}.jsonl`);
    unlinkSync(file);
    const again = await importHome(claude, home, { logsDir: first.logsDir });
    expect(again.summary.warnings).toContain(
      `${file} is missing and the source of its session is gone: it cannot be written again`,
    );
    expect(again.index[0]).toMatchObject({ wrapper_session_id: ID, source_missing: true });
  });

  it('a missing or broken index.json or sessions_index.json is written again by the next run', async () => {
    const home = claudeHome(text);
    const storeDir = tempDir('store-');
    const first = await importHome(claude, home, { storeDir });
    const index = join(first.logsDir, 'index.json');
    const global = join(storeDir, 'sessions_index.json');
    const want = readFileSync(index, 'utf8');
    const wantGlobal = readFileSync(global, 'utf8');
    for (const damage of [
      () => unlinkSync(index),
      () => writeFileSync(index, want.slice(0, 100)),
      () => unlinkSync(global),
      () => writeFileSync(global, wantGlobal.slice(0, 100)),
    ]) {
      damage();
      const run = await importHome(claude, home, { logsDir: first.logsDir, storeDir });
      expect(run.summary.bytes_read).toBe(0);
      expect(readFileSync(index, 'utf8')).toBe(want);
      expect(readFileSync(global, 'utf8')).toBe(wantGlobal);
      expect(run.index.find((e) => e.wrapper_session_id === ID)).toMatchObject({
        event_count: first.index[0]!.event_count,
      });
    }
  });
});

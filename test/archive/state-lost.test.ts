/**
 * Losing the state file loses nothing: the index is rebuilt from the entries the session files
 * carry on their last line. A session whose source is gone stays listed as such; a source that
 * shrank while the state was away is merged with its archived file as on any run.
 */
import { readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeAdapter as claude } from '../../adapters/claude/index.js';
import type { SessionLogIndexEntry } from '../../src/model/index-schema.js';
import { buildHome, cleanupTemps, importHome, tempDir } from '../support/harness.js';
import { CLAUDE_ID, CLAUDE_REL, bodies, claudeCorpus, claudeLines } from './corpus-homes.js';

afterAll(cleanupTemps);

const ID = `claude-${CLAUDE_ID}`;
const OTHER_ID = 'b3edadab-bca0-4054-9b41-f7ffa6941260';
const OTHER_REL = `projects/-home-dev-tools/${OTHER_ID}.jsonl`;
const OTHER = `claude-${OTHER_ID}`;

const withoutImportTime = (index: SessionLogIndexEntry[]) => index.map(({ imported_at: _i, ...e }) => e);

describe.skipIf(claudeCorpus === null)('a state file moved away or deleted (corpus sessions)', () => {
  const lines = claudeLines();
  /** A home of two sessions, imported; then the second one's source is deleted and imported again. */
  async function archiveWithALostSession() {
    const home = buildHome({
      [CLAUDE_REL]: lines.join(''),
      [OTHER_REL]: { copy: join(claudeCorpus!, `scripts-and-tools__${OTHER_ID}.jsonl`) },
    });
    const storeDir = tempDir('store-');
    const first = await importHome(claude, home, { storeDir });
    rmSync(join(home, OTHER_REL));
    const second = await importHome(claude, home, { logsDir: first.logsDir, storeDir });
    expect(second.index.find((e) => e.wrapper_session_id === OTHER)).toMatchObject({ source_missing: true });
    return { home, storeDir, second };
  }

  it('keeps the sessions whose source is gone listed, and their files as they were', async () => {
    for (const loseState of [
      (logsDir: string) => renameSync(join(logsDir, 'backfill_state.json'), join(tempDir(), 'moved-away.json')),
      (logsDir: string) => unlinkSync(join(logsDir, 'backfill_state.json')),
    ]) {
      const { home, storeDir, second } = await archiveWithALostSession();
      const { logsDir } = second;
      const globalIndex = readFileSync(join(storeDir, 'sessions_index.json'), 'utf8');
      loseState(logsDir);
      const third = await importHome(claude, home, { logsDir, storeDir });
      expect(third.summary.errors).toEqual([]);
      expect(third.summary.warnings).toContain(
        `no state: the index was rebuilt from the 2 session file(s) in ${join(logsDir, 'sessions')}`,
      );
      expect(withoutImportTime(third.index)).toEqual(withoutImportTime(second.index));
      expect(third.raw).toEqual(second.raw);
      expect(readFileSync(join(storeDir, 'sessions_index.json'), 'utf8')).toBe(globalIndex);
      expect(third.summary.providers.claude).toMatchObject({ new_sessions: 0, updated_sessions: 1 });
      // The state is whole again: nothing more to do, and the lost session stays listed.
      const fourth = await importHome(claude, home, { logsDir, storeDir });
      expect(fourth.summary.bytes_read).toBe(0);
      expect(withoutImportTime(fourth.index)).toEqual(withoutImportTime(second.index));
    }
  });

  it('with index.json gone too, and a source cut short meanwhile: nothing archived is lost', async () => {
    const { home, storeDir, second } = await archiveWithALostSession();
    const { logsDir } = second;
    unlinkSync(join(logsDir, 'backfill_state.json'));
    unlinkSync(join(logsDir, 'index.json'));
    writeFileSync(join(home, CLAUDE_REL), lines.slice(0, 60).join(''));
    const third = await importHome(claude, home, { logsDir, storeDir });
    expect(bodies(third.sessions.get(ID)!)).toEqual(bodies(second.sessions.get(ID)!));
    expect(third.sessions.get(OTHER)).toEqual(second.sessions.get(OTHER));
    const cut = bodies(
      (await importHome(claude, buildHome({ [CLAUDE_REL]: lines.slice(0, 60).join('') }))).sessions.get(ID)!,
    );
    expect(third.index.find((e) => e.wrapper_session_id === ID)).toMatchObject({
      retained_events: bodies(second.sessions.get(ID)!).length - cut.length,
      source_missing: false,
    });
    expect(third.index.find((e) => e.wrapper_session_id === OTHER)).toMatchObject({ source_missing: true });
  });
});

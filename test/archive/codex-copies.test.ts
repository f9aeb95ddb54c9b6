/**
 * A Codex rollout in both `sessions/` and `archived_sessions/` of one home (a real corpus rollout,
 * one copy cut short): the two copies are merged like any two copies, whichever folder holds the
 * newer one, cold or forced; the index lists both; what only the newer copy held stays once it is
 * gone.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codexAdapter as codex } from '../../adapters/codex/index.js';
import { buildHome, cleanupTemps, corpusDir, eventsText, importHome, tempDir } from '../support/harness.js';
import { bodies } from './corpus-homes.js';

afterAll(cleanupTemps);

const corpus = corpusDir('codex');
const NAME = 'rollout-2026-04-07T23-24-08-019d688b-3b5f-72c0-8028-4a4af562b9f5.jsonl';
const ID = 'codex-019d688b-3b5f-72c0-8028-4a4af562b9f5';
const ACTIVE = `sessions/2026/04/07/${NAME}`;
const ARCHIVED = `archived_sessions/${NAME}`;

describe.skipIf(corpus === null)('a Codex rollout in sessions/ and archived_sessions/ (corpus)', () => {
  const lines = () => readFileSync(join(corpus!, `dotfile__${NAME}`), 'utf8').split(/(?<=\n)/);
  const whole = () => lines().join('');
  // Cut where no tool call waits for its result (a cut call gets an `unanswered` result of its own).
  const older = () => lines().slice(0, 55).join('');
  /** A home with the whole copy in one folder and the cut one in the other, each way round, and a fresh logs dir. */
  const bothOrders = () =>
    (
      [
        [ACTIVE, ARCHIVED],
        [ARCHIVED, ACTIVE],
      ] as const
    ).map(([newer, old]) => ({
      newer,
      old,
      home: buildHome({ [newer]: whole(), [old]: older() }),
      logsDir: tempDir(),
    }));

  it('is merged whichever folder holds the newer copy, cold and forced, listing both', async () => {
    const alone = await importHome(codex, buildHome({ [ACTIVE]: whole() }));
    const want = alone.raw.get(ID)!;
    const olderAlone = (await importHome(codex, buildHome({ [ACTIVE]: older() }))).sessions.get(ID)!;
    // The cut copy lacks events of the whole one: choosing it would lose them.
    expect(bodies(olderAlone).length).toBeLessThan(bodies(alone.sessions.get(ID)!).length);
    for (const { home, logsDir } of bothOrders()) {
      const cold = await importHome(codex, home, { logsDir });
      expect(cold.summary.errors).toEqual([]);
      expect(eventsText(cold.raw.get(ID)!)).toBe(eventsText(want));
      expect(cold.index.find((e) => e.wrapper_session_id === ID)).toMatchObject({
        source_paths: [join(home, ARCHIVED), join(home, ACTIVE)],
        retained_events: 0,
        source_missing: false,
        event_count: alone.index[0]!.event_count,
      });
      const forced = await importHome(codex, home, { logsDir, force: true });
      expect(forced.raw.get(ID)).toBe(cold.raw.get(ID));
      expect((await importHome(codex, home, { logsDir })).summary.bytes_read).toBe(0);
    }
  });

  it('keeps what only the newer copy held once it is gone', async () => {
    for (const { newer, old, home, logsDir } of bothOrders()) {
      const first = await importHome(codex, home, { logsDir });
      const archived = bodies(first.sessions.get(ID)!);
      rmSync(join(home, newer));
      const second = await importHome(codex, home, { logsDir });
      expect(bodies(second.sessions.get(ID)!)).toEqual(archived);
      const olderOnly = bodies((await importHome(codex, buildHome({ [ACTIVE]: older() }))).sessions.get(ID)!);
      expect(second.index.find((e) => e.wrapper_session_id === ID)).toMatchObject({
        source_missing: false,
        retained_events: archived.length - olderOnly.length,
        source_paths: [join(home, old)],
      });
    }
  });
});

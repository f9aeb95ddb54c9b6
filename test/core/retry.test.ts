/**
 * Transient read failures: a unit that fails while its file changes or vanishes is read again
 * within the run. The Gemini adapter on real files; a writer (or mover) acts right after a read,
 * as a concurrent one would, through a wrapper of the adapter's convert.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { geminiAdapter } from '../../adapters/gemini/index.js';
import type { Adapter } from '../../adapters/types.js';
import { BackfillState } from '../../src/model/state.js';
import { buildHome, cleanupTemps, importHome, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

const REL = 'tmp/orchard/chats/session-2026-01-20T16-00-708192a3.json';
const DOC = `${JSON.stringify(
  {
    sessionId: '708192a3-0000-4000-8000-000000000001',
    projectHash: 'orchard',
    startTime: '2026-01-20T16:00:00.000Z',
    lastUpdated: '2026-01-20T16:00:05.000Z',
    messages: [
      { id: 'm1', timestamp: '2026-01-20T16:00:01.000Z', type: 'user', content: 'Count the apples' },
      { id: 'm2', timestamp: '2026-01-20T16:00:05.000Z', type: 'gemini', content: 'There are three.' },
    ],
  },
  null,
  2,
)}\n`;
/** What a reader sees of a document rewritten in place (truncate, then write) when it comes too early. */
const HALF = DOC.slice(0, 12);

/** The Gemini adapter, with `after(n)` run once each conversion of the unit has read what it read (n = 1, 2, …). */
function racing(after: (n: number) => void): Adapter {
  let n = 0;
  return {
    ...geminiAdapter,
    convert(unit, ctx) {
      return (async function* () {
        try {
          yield* geminiAdapter.convert(unit, ctx);
        } finally {
          after(++n);
        }
      })();
    },
  };
}

describe('a unit whose file changes or vanishes while it fails', () => {
  it('a document caught half-written is read again once the writer is done: imported, no failure', async () => {
    const home = buildHome({ [REL]: HALF });
    const path = join(home, REL);
    const adapter = racing((n) => {
      if (n === 1) writeFileSync(path, DOC); // the writer finishes right after the first read
    });
    const { summary, index, sessions } = await importHome(adapter, home);
    expect(summary.errors).toEqual([]);
    expect(index.map((e) => e.provider_session_id)).toEqual(['708192a3-0000-4000-8000-000000000001']);
    expect([...sessions.values()][0]!.filter((e) => e.type === 'assistant_message').map((e) => e.content)).toEqual([
      'There are three.',
    ]);
    // The state holds the fingerprint of what was read the second time, so the next run reads nothing.
    const state = BackfillState.parse(JSON.parse(readFileSync(join(summary.logs_dir, 'backfill_state.json'), 'utf8')));
    const [unit] = Object.values(state.units);
    const st = statSync(path, { bigint: true });
    expect(unit!.files.map((f) => [unit!.dir + f[0], f[1], f[4]])).toEqual([
      [path, Number(st.size), st.mtimeNs.toString()],
    ]);
    const again = await importHome(geminiAdapter, home, { logsDir: summary.logs_dir });
    expect(again.summary.bytes_read).toBe(0);
  });

  it('a file still changing after two more reads fails, and the message says it was read three times', async () => {
    const home = buildHome({ [REL]: HALF });
    const path = join(home, REL);
    const adapter = racing((n) => writeFileSync(path, DOC.slice(0, 12 + n))); // never whole
    const { summary } = await importHome(adapter, home);
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]!.path).toBe(path);
    expect(summary.errors[0]!.message).toMatch(/^.*\(read 3 times: the file changed while it was read\)$/);
  });

  it('a file moved away after it was found is no failure: a warning, and the next run records it removed', async () => {
    const home = buildHome({ [REL]: DOC });
    const path = join(home, REL);
    const first = await importHome(geminiAdapter, home);
    writeFileSync(path, DOC.replace('three', 'four!'));
    const mover = racing(() => undefined);
    const moved: Adapter = {
      ...mover,
      convert(unit, ctx) {
        renameSync(path, join(tempDir(), 'moved.json')); // a concurrent `mv`, between discovery and the read
        return mover.convert(unit, ctx);
      },
    };
    const { summary, index } = await importHome(moved, home, { logsDir: first.logsDir });
    expect(summary.errors).toEqual([]);
    expect(summary.warnings).toContain(
      `${path}: removed while this run read it; the next run records it as removed at source`,
    );
    expect(index).toHaveLength(1);
    const next = await importHome(geminiAdapter, home, { logsDir: first.logsDir });
    expect(next.summary.providers.gemini).toMatchObject({ removed_at_source: 1 });
    expect(next.index[0]).toMatchObject({ source_missing: true });
  });

  it('a lasting failure (nothing changed) is not read again and keeps its message', async () => {
    const home = buildHome({ [REL]: HALF });
    let reads = 0;
    const { summary } = await importHome(
      racing(() => reads++),
      home,
    );
    expect(reads).toBe(1);
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]!.message).not.toContain('read 2 times');
  });
});

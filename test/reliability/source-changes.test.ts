/**
 * Sources that change between runs, per provider through the built CLI: a session file that grows,
 * is rewritten shorter, is replaced by a new file (new inode, same size and mtime), is rewritten
 * with its size and mtime kept (same inode, or a new file on the freed inode), or disappears.
 * Changed ones are converted again exactly once; grown and replaced ones then equal a clean import,
 * a shorter one keeps the archived events its source lost, and a vanished one stays in the archive,
 * byte for byte, marked `source_missing`.
 */
import { appendFileSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadState } from '../../src/archive/state-file.js';
import { cleanupTemps } from '../support/harness.js';
import { homeOf, specOf } from './kits.js';
import { activeKits, importArgs, readArchive, runCli, sandbox, writeFiles } from './support.js';

afterAll(cleanupTemps);

describe.each(activeKits().map((k) => [k.id, k] as const))('source changes: %s', (_id, kit) => {
  it('grown, rewritten and replaced sources are converted once; what a shorter one lost and a vanished one are kept', async () => {
    const sb = sandbox();
    const home = sb.homeOf(kit);
    writeFiles(
      home,
      homeOf(kit, 4, 0, () => 3),
    );
    const [grown, rewritten, replaced, vanished] = [0, 1, 2, 3].map((n) => specOf(n, 3));
    const first = await runCli(sb, importArgs(sb, [kit]));
    expect(first.code, first.stderr).toBe(0);
    const before = readArchive(sb.logs);
    const idOf = (spec: typeof grown) =>
      before.index.find((e) => e.source_paths.includes(join(home, kit.mainFile(spec!))))!.wrapper_session_id;
    const ids = [grown, rewritten, replaced, vanished].map(idOf);

    appendFileSync(
      join(home, kit.mainFile(grown!)),
      kit.userLine(grown!, 'a question added later', '2026-04-01T08:00:00.000Z', 9),
    );
    writeFiles(home, kit.session({ ...rewritten!, turns: 1 }));
    const path = join(home, kit.mainFile(replaced!));
    const st = statSync(path);
    writeFileSync(`${path}.new`, readFileSync(path));
    utimesSync(`${path}.new`, st.atime, st.mtime);
    renameSync(`${path}.new`, path);
    expect(statSync(path).ino).not.toBe(st.ino);
    for (const rel of Object.keys(kit.session(vanished!))) rmSync(join(home, rel));

    const second = await runCli(sb, importArgs(sb, [kit]));
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).providers[kit.id]).toMatchObject({
      updated_sessions: 3,
      new_sessions: 0,
      removed_at_source: 1,
      failed_units: 0,
    });
    const third = await runCli(sb, importArgs(sb, [kit]));
    expect(JSON.parse(third.stdout)).toMatchObject({
      bytes_read: 0,
      providers: { [kit.id]: { pending_units: 0, updated_sessions: 0 } },
    });

    const after = readArchive(sb.logs);
    const file = (id: string) => `${id}.jsonl`;
    expect(after.files.get(file(ids[0]!))).toContain('a question added later');
    // The shorter copy's events, then the archived ones it lost, all there once.
    const lines = (text: string | undefined) =>
      text!
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { key: string; seq: number });
    const shorter = lines(after.files.get(file(ids[1]!)));
    const keys = shorter.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(shorter.map((e) => e.seq)).toEqual(shorter.map((_, i) => i + 1));
    for (const { key } of lines(before.files.get(file(ids[1]!)))) expect(keys).toContain(key);
    expect(after.files.get(file(ids[1]!))).toContain('question 2');
    const retained = after.index.find((e) => e.wrapper_session_id === ids[1])!;
    expect(retained.retained_events).toBeGreaterThan(0);
    expect(retained.completeness_reasons).toContain(
      `${retained.retained_events} event(s) no longer in the source, kept from an earlier import`,
    );
    expect(after.files.get(file(ids[2]!))).toBe(before.files.get(file(ids[2]!)));
    expect(after.files.get(file(ids[3]!))).toBe(before.files.get(file(ids[3]!)));
    expect(after.index.find((e) => e.wrapper_session_id === ids[3])).toMatchObject({ source_missing: true });

    const clean = join(sb.root, 'clean');
    expect((await runCli(sb, importArgs(sb, [kit], [], clean))).code).toBe(0);
    const want = readArchive(clean);
    expect([...after.files.keys()].sort()).toEqual([...want.files.keys(), file(ids[3]!)].sort());
    for (const [name, text] of want.files) if (name !== file(ids[1]!)) expect(after.files.get(name), name).toBe(text);
  });

  /** A home of `count` sessions whose files have whole-second mtimes, as `touch -d` or rsync set them (utimes has no nanoseconds). */
  const homeWithSettableMtimes = (home: string, count: number) => {
    writeFiles(
      home,
      homeOf(kit, count, 0, () => 3),
    );
    for (let n = 0; n < count; n++)
      for (const rel of Object.keys(kit.session(specOf(n, 3))))
        utimesSync(join(home, rel), 1_780_000_000 + n, 1_780_000_000 + n);
  };

  /** Rewrites `path` with 'answer 1' made 'ANSWER 1' (same size), then puts its mtime back. */
  const rewriteKeepingMtime = (path: string, fresh: boolean) => {
    const st = statSync(path);
    const text = readFileSync(path, 'utf8').replace('answer 1', 'ANSWER 1');
    if (fresh) {
      // A new file, written beside and renamed in: try a few until one gets the inode just freed.
      rmSync(path);
      const tries: string[] = [];
      for (let i = 0; i < 10; i++) {
        tries.push(`${path}.new${i}`);
        writeFileSync(tries[i]!, text);
        if (statSync(tries[i]!).ino === st.ino) break;
      }
      renameSync(tries.at(-1)!, path);
      for (const other of tries.slice(0, -1)) rmSync(other);
    } else writeFileSync(path, text);
    utimesSync(path, st.atime, st.mtime);
    const now = statSync(path);
    expect([now.size, now.mtimeMs]).toEqual([st.size, st.mtimeMs]);
    return { before: st, now };
  };

  it('a same-size rewrite with its mtime put back (touch -d, rsync -t) is converted again', async () => {
    const sb = sandbox();
    const home = sb.homeOf(kit);
    homeWithSettableMtimes(home, 1);
    expect((await runCli(sb, importArgs(sb, [kit]))).code).toBe(0);
    const { before, now } = rewriteKeepingMtime(join(home, kit.mainFile(specOf(0, 3))), false);
    expect(now.ino).toBe(before.ino);
    const second = await runCli(sb, importArgs(sb, [kit]));
    expect(JSON.parse(second.stdout).providers[kit.id]).toMatchObject({ updated_sessions: 1, failed_units: 0 });
    expect([...readArchive(sb.logs).files.values()].join('')).toContain('ANSWER 1');
  });

  it('a new file on the freed inode of the old one, with its size and mtime, is converted again', async (ctx) => {
    const sb = sandbox();
    const home = sb.homeOf(kit);
    homeWithSettableMtimes(home, 1);
    expect((await runCli(sb, importArgs(sb, [kit]))).code).toBe(0);
    const { before, now } = rewriteKeepingMtime(join(home, kit.mainFile(specOf(0, 3))), true);
    if (now.ino !== before.ino) ctx.skip('the file system gave the new file another inode (no reuse to test)');
    const second = await runCli(sb, importArgs(sb, [kit]));
    expect(JSON.parse(second.stdout).providers[kit.id]).toMatchObject({ updated_sessions: 1, failed_units: 0 });
    expect([...readArchive(sb.logs).files.values()].join('')).toContain('ANSWER 1');
  });

  it('a state written before ctimes were kept is adopted without converting anything again', async () => {
    const sb = sandbox();
    const home = sb.homeOf(kit);
    homeWithSettableMtimes(home, 2);
    expect((await runCli(sb, importArgs(sb, [kit]))).code).toBe(0);
    const statePath = join(sb.logs, 'backfill_state.json');
    type Unit = { dir: string; files: (string | number)[][] };
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { units: Record<string, Unit> };
    for (const unit of Object.values(state.units)) {
      // Such a record had the mtime in milliseconds (as Node's Stats give it) in place of the nanoseconds.
      unit.files = unit.files.map(([name, size, ino, dev, mtimeNs]) => {
        expect(typeof mtimeNs).toBe('string');
        return [name!, size!, ino!, dev!, statSync(unit.dir + String(name)).mtimeMs];
      });
    }
    writeFileSync(statePath, JSON.stringify(state));
    const before = readArchive(sb.logs);
    const adopted = await runCli(sb, importArgs(sb, [kit]));
    expect(JSON.parse(adopted.stdout)).toMatchObject({
      bytes_read: 0,
      providers: { [kit.id]: { pending_units: 0, updated_sessions: 0 } },
    });
    expect(readArchive(sb.logs).files).toEqual(before.files);
    const kept = (await loadState(statePath)).state; // the state file with its journal folded in
    for (const unit of Object.values(kept.units)) {
      for (const [name, , , , mtime, ctime] of unit.files) {
        const st = statSync(unit.dir + name, { bigint: true });
        expect([mtime, ctime ?? mtime], name).toEqual([st.mtimeNs.toString(), st.ctimeNs.toString()]);
      }
    }
    // From then on the ctime is compared.
    rewriteKeepingMtime(join(home, kit.mainFile(specOf(0, 3))), false);
    const rewritten = await runCli(sb, importArgs(sb, [kit]));
    expect(JSON.parse(rewritten.stdout).providers[kit.id]).toMatchObject({ updated_sessions: 1 });
  });
});

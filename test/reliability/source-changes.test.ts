/**
 * Sources that change between runs, per provider through the built CLI: a session file that grows,
 * is rewritten shorter, is replaced by a new file (new inode, same size and mtime), or disappears.
 * Changed ones are converted again exactly once and then equal a clean import; a vanished one stays
 * in the archive, byte for byte, marked `source_missing`.
 */
import { appendFileSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { homeOf, specOf } from './kits.js';
import { activeKits, importArgs, readArchive, runCli, sandbox, writeFiles } from './support.js';

afterAll(cleanupTemps);

describe.each(activeKits().map((k) => [k.id, k] as const))('source changes: %s', (_id, kit) => {
  it('grown, rewritten and replaced sources are converted once; a vanished one is kept and marked', async () => {
    const sb = sandbox();
    const home = sb.homeOf(kit);
    writeFiles(home, homeOf(kit, 4, 0, () => 3));
    const [grown, rewritten, replaced, vanished] = [0, 1, 2, 3].map((n) => specOf(n, 3));
    const first = await runCli(sb, importArgs(sb, [kit]));
    expect(first.code, first.stderr).toBe(0);
    const before = readArchive(sb.logs);
    const idOf = (spec: typeof grown) => before.index.find((e) => e.source_paths.includes(join(home, kit.mainFile(spec!))))!.wrapper_session_id;
    const ids = [grown, rewritten, replaced, vanished].map(idOf);

    appendFileSync(join(home, kit.mainFile(grown!)), kit.userLine(grown!, 'a question added later', '2026-04-01T08:00:00.000Z', 9));
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
    expect(JSON.parse(second.stdout).providers[kit.id]).toMatchObject({ updated_sessions: 3, new_sessions: 0, removed_at_source: 1, failed_units: 0 });
    const third = await runCli(sb, importArgs(sb, [kit]));
    expect(JSON.parse(third.stdout)).toMatchObject({ bytes_read: 0, providers: { [kit.id]: { pending_units: 0, updated_sessions: 0 } } });

    const after = readArchive(sb.logs);
    const file = (id: string) => `${id}.jsonl`;
    expect(after.files.get(file(ids[0]!))).toContain('a question added later');
    expect(after.files.get(file(ids[1]!))).not.toContain('question 2');
    expect(after.files.get(file(ids[2]!))).toBe(before.files.get(file(ids[2]!)));
    expect(after.files.get(file(ids[3]!))).toBe(before.files.get(file(ids[3]!)));
    expect(after.index.find((e) => e.wrapper_session_id === ids[3])).toMatchObject({ source_missing: true });

    const clean = join(sb.root, 'clean');
    expect((await runCli(sb, importArgs(sb, [kit], [], clean))).code).toBe(0);
    const want = readArchive(clean);
    expect([...after.files.keys()].sort()).toEqual([...want.files.keys(), file(ids[3]!)].sort());
    for (const [name, text] of want.files) expect(after.files.get(name), name).toBe(text);
  });
});

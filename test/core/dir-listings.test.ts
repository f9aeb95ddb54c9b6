/**
 * Discovery lists a directory only when it changed: one whose inode, device, mtime and ctime are
 * those recorded is stat'ed, and its recorded names used; any entry created, removed or renamed
 * in it changes its times, and it is listed again.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { DirListings } from '../../src/importer/dir-listings.js';
import { cleanupTemps, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

/** A run starting a minute from now: the directories made by the test are old enough to be recorded. */
const later = () => Date.now() + 60_000;
const tick = () => sleep(50);
const sorted = (l: { files: readonly string[]; dirs: readonly string[] }) => ({
  files: [...l.files].sort(),
  dirs: [...l.dirs].sort(),
});

function tree() {
  const logs = tempDir();
  const dir = join(tempDir(), 'project');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.jsonl'), 'a');
  return { logs, dir };
}

async function record(logs: string, dir: string, nowMs: number) {
  const listings = DirListings.load(logs, nowMs);
  const listing = listings.list(dir);
  await listings.save();
  return listing;
}

describe('the recorded listings of source directories', () => {
  it('are used while the directory is unchanged, and read again once an entry is created, renamed or removed in it', async () => {
    const { logs, dir } = tree();
    expect(sorted(await record(logs, dir, later()))).toEqual({ files: ['a.jsonl'], dirs: ['sub'] });
    // The record is what is used: a name put in it by hand comes back while the directory is as recorded.
    const path = join(logs, 'backfill_dirs.json');
    const file = JSON.parse(readFileSync(path, 'utf8')) as { dirs: Record<string, unknown[]> };
    (file.dirs[dir]![4] as string[]).push('recorded.jsonl');
    writeFileSync(path, JSON.stringify(file));
    expect(sorted(DirListings.load(logs, later()).list(dir)).files).toEqual(['a.jsonl', 'recorded.jsonl']);

    // Each change a tick of the file system's clock after the listing (as the two seconds' margin ensures in a run).
    await tick();
    writeFileSync(join(dir, 'b.jsonl'), 'b');
    expect(sorted(await record(logs, dir, later())).files).toEqual(['a.jsonl', 'b.jsonl']);
    await tick();
    renameSync(join(dir, 'b.jsonl'), join(dir, 'c.jsonl'));
    expect(sorted(await record(logs, dir, later())).files).toEqual(['a.jsonl', 'c.jsonl']);
    await tick();
    rmSync(join(dir, 'a.jsonl'));
    expect(sorted(await record(logs, dir, later()))).toEqual({ files: ['c.jsonl'], dirs: ['sub'] });
    expect(sorted(DirListings.load(logs, later()).list(dir))).toEqual({ files: ['c.jsonl'], dirs: ['sub'] });
  });

  it('records nothing of a directory changed less than two seconds before the run (an entry could follow in the same clock tick)', async () => {
    const { logs, dir } = tree();
    // A run a second after the directory's last change, however long the machine took to get here.
    await record(logs, dir, statSync(dir).mtimeMs + 1000);
    expect(() => readFileSync(join(logs, 'backfill_dirs.json'))).toThrow();
    await record(logs, dir, later());
    expect(Object.keys(JSON.parse(readFileSync(join(logs, 'backfill_dirs.json'), 'utf8')).dirs)).toEqual([dir]);
  });

  it('sweeps the sessions directory again only once something was created in it since a sweep', async () => {
    const { logs, dir } = tree();
    const swept: string[] = [];
    const run = async () => {
      const listings = DirListings.load(logs, later());
      listings.sweep(dir, () => swept.push(readdirSync(dir).sort().join(',')));
      await listings.save();
    };
    await run();
    await run();
    expect(swept).toEqual(['a.jsonl,sub']);
    await tick();
    writeFileSync(join(dir, '.x.tmp-1'), ''); // as a killed run leaves it
    await run();
    await run();
    expect(swept).toEqual(['a.jsonl,sub', '.x.tmp-1,a.jsonl,sub']);
  });

  it('lists every directory when the record is not usable, and throws as listing does for a directory that is gone', async () => {
    const { logs, dir } = tree();
    writeFileSync(join(logs, 'backfill_dirs.json'), '{"version": 1, "dirs": {');
    expect(sorted(DirListings.load(logs, later()).list(dir))).toEqual({ files: ['a.jsonl'], dirs: ['sub'] });
    await record(logs, dir, later());
    rmSync(dir, { recursive: true });
    expect(() => DirListings.load(logs, later()).list(dir)).toThrow(/ENOENT/);
  });
});

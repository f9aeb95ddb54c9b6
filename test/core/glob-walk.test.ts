/**
 * The walk of simple patterns finds what fast-glob finds with discovery's options, on the corpus,
 * the fixture homes and a tree of the cases the patterns leave open (`**` over no folder, dot
 * folders, links, names that are regex syntax); every adapter's patterns are simple, so that
 * discovery never loads fast-glob.
 */
import { lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fg from 'fast-glob';
import { afterAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.js';
import { isSimpleGlob, listingOf, walkGlobs } from '../../src/io/glob-walk.js';
import { cleanupTemps, corpusRoot, repoRoot, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

function walked(root: string, patterns: readonly string[]): string[] {
  const list = (rel: string) => {
    try {
      return listingOf(readdirSync(rel === '' ? root : join(root, rel), { withFileTypes: true }));
    } catch {
      return null;
    }
  };
  // A path a pattern spells out in full comes unseen: the caller stats every path, as discovery does.
  return walkGlobs(patterns, list)
    .filter((rel) => lstatSync(join(root, rel), { throwIfNoEntry: false })?.isFile())
    .sort();
}

function globbed(root: string, patterns: readonly string[]): string[] {
  const options = { cwd: root, onlyFiles: true, dot: true, followSymbolicLinks: false, suppressErrors: true };
  return fg.sync([...patterns], options).sort();
}

/** Every directory below `root`, itself included. */
function dirsBelow(root: string): string[] {
  const out = [root];
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true }))
    if (e.isDirectory()) out.push(join(e.parentPath, e.name));
  return out;
}

describe('walkGlobs', () => {
  it("every adapter's patterns are simple", () => {
    for (const a of adapters)
      expect(
        a.sources.filter((p) => !isSimpleGlob(p)),
        a.id,
      ).toEqual([]);
  });

  it('tells the patterns it understands', () => {
    for (const p of ['a/*.jsonl', 'a/**/b-*.json', '**', '.project_root', 'x/*/y'])
      expect(isSimpleGlob(p), p).toBe(true);
    for (const p of ['a/?.json', 'a/[ab].json', 'a/{b,c}.json', 'a/**b/c', '../a', './a', 'a//b', '!(a)', 'a\\*'])
      expect(isSimpleGlob(p), p).toBe(false);
  });

  it('finds what fast-glob finds in the corpus and in every fixture home, for every adapter', () => {
    const roots = [...dirsBelow(corpusRoot), ...dirsBelow(join(repoRoot, 'fixtures'))];
    let found = 0;
    for (const root of roots) {
      for (const a of adapters) {
        const want = globbed(root, a.sources);
        expect(walked(root, a.sources), `${a.id} in ${root}`).toEqual(want);
        found += want.length;
      }
    }
    expect(found).toBeGreaterThan(50);
  });

  it('`**` over no folder and over dot folders, trailing `**`, links, names that are regex syntax', () => {
    const root = tempDir('walk-');
    const files = [
      'a/x-1.jsonl',
      'a/b/x-2.jsonl',
      'a/.hidden/c/x-3.jsonl',
      'a/b/y-1.jsonl',
      'a/x-(1)+[2].jsonl',
      'a/.x-dot.jsonl',
      'top.json',
      'd/e/f/g.txt',
      'x-.jsonl',
    ];
    for (const f of files) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), '{}\n');
    }
    mkdirSync(join(root, 'x-dir.jsonl'));
    symlinkSync(join(root, 'a/x-1.jsonl'), join(root, 'a/x-link.jsonl'));
    symlinkSync(join(root, 'a/b'), join(root, 'a/linked-dir'));
    // A linked folder where a pattern starts (followed) and one below a listed folder (not).
    mkdirSync(join(root, 'elsewhere/chats'), { recursive: true });
    writeFileSync(join(root, 'elsewhere/chats/x-4.jsonl'), '{}\n');
    symlinkSync(join(root, 'elsewhere'), join(root, 'linked-base'));
    mkdirSync(join(root, 'tmp/real/chats'), { recursive: true });
    writeFileSync(join(root, 'tmp/real/chats/x-5.jsonl'), '{}\n');
    mkdirSync(join(root, 'tmp/link'));
    symlinkSync(join(root, 'elsewhere/chats'), join(root, 'tmp/link/chats'));
    const cases = [
      ['a/**/x-*.jsonl'],
      ['**/x-*.jsonl'],
      ['a/*'],
      ['d/**'],
      ['top.json', 'missing/*.json', 'a/b/*.jsonl'],
      ['x-*.jsonl', '*/x-*.jsonl'],
      ['a/x-(1)+[2].jsonl'.replace(/[([\])+]/g, '*')],
      ['missing.json', 'a/nothing/**/z'],
      ['linked-base/chats/*.jsonl', 'linked-base/*/x-*.jsonl'],
      ['tmp/*/chats/x-*.jsonl'],
    ];
    for (const patterns of cases) expect(walked(root, patterns), patterns.join(' ')).toEqual(globbed(root, patterns));
    expect(walked(root, ['a/**/x-*.jsonl'])).toContain('a/.hidden/c/x-3.jsonl');
    expect(walked(root, ['linked-base/chats/*.jsonl'])).toEqual(['linked-base/chats/x-4.jsonl']);
    expect(walked(root, ['tmp/*/chats/x-*.jsonl'])).toEqual(['tmp/real/chats/x-5.jsonl']);
  });
});

/**
 * The built command runs the CLI bundle with V8's code cache of it (build/bundle.ts,
 * src/cli/launch.ts): the cache the build made is one this Node takes, and the command does the
 * same without it, with one V8 rejects, with one older than the bundle, or where none can be
 * read or written.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, CACHE_FILE, wrapBundle } from '../../src/cli/code-cache.js';
import { cleanupTemps, repoRoot, runCli, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

const cliDir = join(repoRoot, 'dist/src/cli');

/** Whether V8 takes `cache` for the bundle of `dir`. */
function taken(dir: string, cache: Buffer): boolean {
  const source = readFileSync(join(dir, BUNDLE_FILE), 'utf8');
  return !new Script(wrapBundle(source), { filename: join(dir, BUNDLE_FILE), cachedData: cache }).cachedDataRejected;
}

/** A copy of the command and its bundle, without a cache, beside the rest of the built tree (linked). */
function copyOfCommand(): string {
  const root = tempDir('command-');
  const dir = join(root, 'dist/src/cli');
  mkdirSync(dir, { recursive: true });
  for (const name of ['main.js', BUNDLE_FILE]) copyFileSync(join(cliDir, name), join(dir, name));
  symlinkSync(join(repoRoot, 'dist/src/importer'), join(root, 'dist/src/importer'));
  symlinkSync(join(repoRoot, 'dist/adapters'), join(root, 'dist/adapters'));
  for (const name of ['package.json', 'node_modules']) symlinkSync(join(repoRoot, name), join(root, name));
  return dir;
}

/** What the command of `dir` prints for `args`, as the real one does. */
function runCopy(dir: string, args: string[]) {
  const result = spawnSync(process.execPath, [join(dir, 'main.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: tempDir('home-'), TZ: 'UTC' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `--help`, and `schema` (zod and the adapters, loaded when it runs), printed by the copy as by the built command. */
function expectSameOutput(dir: string): void {
  for (const args of [['--help'], ['schema']]) {
    const real = runCli(args);
    expect(real.code).toBe(0);
    expect(runCopy(dir, args)).toEqual({ code: 0, stdout: real.stdout, stderr: real.stderr });
  }
}

describe('the code cache of the CLI bundle', () => {
  it('is made by the build, after the bundle, and taken by V8 as it is', () => {
    expect(statSync(join(cliDir, CACHE_FILE)).mtimeMs).toBeGreaterThanOrEqual(
      statSync(join(cliDir, BUNDLE_FILE)).mtimeMs,
    );
    expect(taken(cliDir, readFileSync(join(cliDir, CACHE_FILE)))).toBe(true);
    expect(taken(cliDir, Buffer.from('not a cache'))).toBe(false);
  });

  it('without a cache, the command runs the same and leaves one V8 takes', () => {
    const dir = copyOfCommand();
    expectSameOutput(dir);
    expect(taken(dir, readFileSync(join(dir, CACHE_FILE)))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([BUNDLE_FILE, CACHE_FILE, 'main.js']);
  });

  it('with a cache V8 rejects, the command runs the same and replaces it', () => {
    const dir = copyOfCommand();
    copyFileSync(join(repoRoot, 'package.json'), join(dir, CACHE_FILE));
    expectSameOutput(dir);
    expect(taken(dir, readFileSync(join(dir, CACHE_FILE)))).toBe(true);
  });

  it('with a cache older than the bundle, the command does not use it, and replaces it', () => {
    const dir = copyOfCommand();
    copyFileSync(join(cliDir, CACHE_FILE), join(dir, CACHE_FILE));
    const bundleTime = statSync(join(dir, BUNDLE_FILE)).mtime;
    utimesSync(join(dir, CACHE_FILE), new Date(bundleTime.getTime() - 60_000), new Date(bundleTime.getTime() - 60_000));
    expectSameOutput(dir);
    expect(statSync(join(dir, CACHE_FILE)).mtimeMs).toBeGreaterThanOrEqual(bundleTime.getTime());
  });

  it('where no cache can be read or written, the command runs the same and leaves nothing behind', () => {
    const dir = copyOfCommand();
    // A directory where the cache would be: neither read nor replaced (as root, a mode would not stop it).
    mkdirSync(join(dir, CACHE_FILE, 'inside'), { recursive: true });
    expectSameOutput(dir);
    expect(readdirSync(dir).sort()).toEqual([BUNDLE_FILE, CACHE_FILE, 'main.js']);
    expect(statSync(join(dir, CACHE_FILE)).isDirectory()).toBe(true);
  });
});

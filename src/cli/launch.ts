#!/usr/bin/env node
/**
 * The command (the build writes it as dist/src/cli/main.js): runs the CLI bundle with the code
 * cache the build made of it, so that V8 reads the bundle's compiled functions instead of parsing
 * and compiling its 700 kB again on every run. Without a cache, with one older than the bundle, or
 * with one that V8 rejects (made by another Node version, or under other V8 flags), the bundle is
 * compiled as any module is, and the run leaves a cache of what it compiled in its place when the
 * folder is writable.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { BUNDLE_FILE, CACHE_FILE, wrapBundle } from './code-cache.js';

const url = new URL(BUNDLE_FILE, import.meta.url);
const filename = fileURLToPath(url);
const cacheFile = fileURLToPath(new URL(CACHE_FILE, import.meta.url));

/**
 * The cache, unless it is older than the bundle: V8 checks only the length of the source it was
 * made from, and a bundle written since (by hand, or by a build that failed half-way) may have the same.
 */
function cachedData(): Buffer | undefined {
  try {
    return statSync(cacheFile).mtimeMs >= statSync(filename).mtimeMs ? readFileSync(cacheFile) : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the cache by one of what this run compiled; whole or not at all, as runs may do it at once. */
function refreshCache(script: Script): void {
  const temp = `${cacheFile}.${process.pid}`;
  try {
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
  } catch {
    // A folder the user cannot write (a system-wide install), or a full disk: the bundle compiles as it did.
    rmSync(temp, { force: true });
  }
}

const cached = cachedData();
const script = new Script(wrapBundle(readFileSync(filename, 'utf8')), { filename, cachedData: cached });
if (cached === undefined || script.cachedDataRejected === true) process.once('exit', () => refreshCache(script));
const module = { exports: {} };
const body = script.runInThisContext() as (...args: unknown[]) => void;
body.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename), url.href);

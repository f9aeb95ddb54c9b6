/** Settings and side files: read only when regular, capped, never blocking. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonDocument } from '../../src/io/json.js';
import { readLines } from '../../src/io/lines.js';
import { readRegularFile } from '../../src/io/regular-file.js';
import { cleanupTemps, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

/** A FIFO nobody writes to: opening it the usual way waits for ever. */
function fifo(dir: string): string {
  const path = join(dir, 'settings.json');
  execFileSync('mkfifo', [path]);
  return path;
}

function linkToDevZero(dir: string): string {
  const path = join(dir, 'settings.json');
  symlinkSync('/dev/zero', path);
  return path;
}

// Bounded: before the fix a FIFO blocked the open for ever and /dev/zero was read until memory ran out.
const BOUNDED = { timeout: 10_000 };

describe('readRegularFile', () => {
  it('reads a regular file, and a symlink to one', BOUNDED, () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'real.json'), '{"a":1}');
    symlinkSync(join(dir, 'real.json'), join(dir, 'link.json'));
    expect(readRegularFile(join(dir, 'real.json'), 100).toString()).toBe('{"a":1}');
    expect(readRegularFile(join(dir, 'link.json'), 100).toString()).toBe('{"a":1}');
  });

  it('refuses a FIFO without waiting for a writer', BOUNDED, () => {
    const path = fifo(tempDir());
    expect(() => readRegularFile(path, 100)).toThrow(`${path}: a FIFO, not a regular file; not read`);
  });

  it('refuses a symlink to /dev/zero without reading it', BOUNDED, () => {
    const path = linkToDevZero(tempDir());
    expect(() => readRegularFile(path, 100)).toThrow(`${path}: a device, not a regular file; not read`);
  });

  it('refuses a directory and a file over the cap, naming the path', BOUNDED, () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'big'), 'x'.repeat(101));
    expect(() => readRegularFile(join(dir, 'd'), 100)).toThrow(
      `${join(dir, 'd')}: a directory, not a regular file; not read`,
    );
    expect(() => readRegularFile(join(dir, 'big'), 100)).toThrow(
      `${join(dir, 'big')}: 101 bytes, more than the 100 such a file may have; not read`,
    );
  });
});

describe('the shared readers refuse what is not a regular file', () => {
  it('readJsonDocument: a FIFO and /dev/zero throw at once', BOUNDED, async () => {
    await expect(readJsonDocument(fifo(tempDir()))).rejects.toThrow('a FIFO, not a regular file');
    await expect(readJsonDocument(linkToDevZero(tempDir()))).rejects.toThrow('a device, not a regular file');
  });

  it('readLines: a FIFO and /dev/zero throw at once', BOUNDED, () => {
    expect(() => [...readLines(fifo(tempDir()))]).toThrow('a FIFO, not a regular file');
    expect(() => [...readLines(linkToDevZero(tempDir()))]).toThrow('a device, not a regular file');
  });
});

/** The fingerprint of a source: stat only, nanosecond times, and how an older state's records are adopted. */
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFingerprint, fingerprintOf, statSource } from '../../src/importer/fingerprint.js';
import { cleanupTemps, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

describe('statSource', () => {
  it.each(['@1796624766.455079123', '@1000000000.000000001', '@1796624766.999999999', '@0.5'])(
    'keeps the mtime in milliseconds exactly as Node gives it (existing states compare by it), touched %s',
    (when) => {
      const path = join(tempDir(), 'f.jsonl');
      writeFileSync(path, 'x');
      execFileSync('touch', ['-m', '-d', when, path]);
      const st = statSource(path)!;
      const node = statSync(path);
      const big = statSync(path, { bigint: true });
      expect([st.mtimeMs, st.size, st.ino, st.dev]).toEqual([node.mtimeMs, node.size, node.ino, node.dev]);
      expect([st.mtimeNs, st.ctimeNs]).toEqual([big.mtimeNs.toString(), big.ctimeNs.toString()]);
    },
  );

  it('is null for a missing file', () => {
    expect(statSource(join(tempDir(), 'gone'))).toBeNull();
  });
});

describe('compareFingerprint', () => {
  const file = {
    path: '/h/a',
    rel: 'a',
    size: 10,
    mtimeMs: 1.5,
    ino: 3,
    dev: 4,
    mtimeNs: '1500000',
    ctimeNs: '9000000',
  };
  const legacy = { size: 10, mtime_ms: 1.5, ino: 3, dev: 4 };

  it('same: every field equal; changed: the ctime alone differs', () => {
    expect(compareFingerprint(file, fingerprintOf(file))).toBe('same');
    expect(compareFingerprint({ ...file, ctimeNs: '9000001' }, fingerprintOf(file))).toBe('changed');
    expect(compareFingerprint({ ...file, mtimeNs: '1500001' }, fingerprintOf(file))).toBe('changed');
  });

  it('adopt: a record without nanosecond times that matches on size, mtime, inode and device', () => {
    expect(compareFingerprint(file, legacy)).toBe('adopt');
    expect(compareFingerprint(file, { ...legacy, size: 11 })).toBe('changed');
    expect(compareFingerprint(file, { ...legacy, ino: 5 })).toBe('changed');
  });
});

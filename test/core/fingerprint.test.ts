/** The fingerprint of a source: stat only, nanosecond times, and how an older state's records are adopted. */
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFingerprint, fileIn, fileRecordOf, statSource, unitRecordOf } from '../../src/importer/fingerprint.js';
import type { FileRecord } from '../../src/model/state.js';
import { cleanupTemps, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

describe('statSource', () => {
  it.each(['@1796624766.455079123', '@1000000000.000000001', '@1796624766.999999999', '@0.5'])(
    'keeps the mtime in milliseconds exactly as Node gives it (existing states compare by it), touched %s',
    (when) => {
      const path = join(tempDir(), 'f.jsonl');
      writeFileSync(path, 'x');
      execFileSync('touch', ['-m', '-d', when, path]);
      const st = statSource(path, 'f.jsonl')!;
      const node = statSync(path);
      const big = statSync(path, { bigint: true });
      expect([st.mtimeMs, st.size, st.ino, st.dev]).toEqual([node.mtimeMs, node.size, node.ino, node.dev]);
      expect([st.mtimeNs, st.ctimeNs]).toEqual([big.mtimeNs.toString(), big.ctimeNs.toString()]);
    },
  );

  it('is null for a missing file', () => {
    expect(statSource(join(tempDir(), 'gone'), 'gone')).toBeNull();
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
  const legacy: FileRecord = ['a', 10, 3, 4, 1.5];

  it('same: every field equal; changed: the ctime alone differs', () => {
    const rec = fileRecordOf('a', file);
    expect(rec).toEqual(['a', 10, 3, 4, '1500000', '9000000']);
    expect(compareFingerprint(file, rec)).toBe('same');
    expect(compareFingerprint({ ...file, ctimeNs: '9000001' }, rec)).toBe('changed');
    expect(compareFingerprint({ ...file, mtimeNs: '1500001' }, rec)).toBe('changed');
    expect(compareFingerprint({ ...file, size: 11 }, rec)).toBe('changed');
    expect(compareFingerprint({ ...file, dev: 5 }, rec)).toBe('changed');
  });

  it('keeps the ctime only when it differs from the mtime', () => {
    const rec = fileRecordOf('a', { ...file, ctimeNs: '1500000' });
    expect(rec).toEqual(['a', 10, 3, 4, '1500000']);
    expect(compareFingerprint({ ...file, ctimeNs: '1500000' }, rec)).toBe('same');
    expect(compareFingerprint(file, rec)).toBe('changed');
  });

  it('adopt: a record without nanosecond times that matches on size, mtime, inode and device', () => {
    expect(compareFingerprint(file, legacy)).toBe('adopt');
    expect(compareFingerprint(file, ['a', 11, 3, 4, 1.5])).toBe('changed');
    expect(compareFingerprint(file, ['a', 10, 5, 4, 1.5])).toBe('changed');
    expect(compareFingerprint(file, ['a', 10, 3, 4, 1.25])).toBe('changed');
  });
});

describe('unitRecordOf', () => {
  const at = (path: string, n: number) => ({
    path,
    rel: path,
    size: n,
    mtimeMs: 1,
    ino: n,
    dev: 1,
    mtimeNs: '1000000',
    ctimeNs: '1000000',
  });

  it('names each file below the directory they share, and finds them by path', () => {
    const files = [at('/h/p/s.jsonl', 1), at('/h/p/s/subagents/a.jsonl', 2)];
    const rec = unitRecordOf({ adapter_version: 3, sessions: ['c:s'] }, files);
    expect(rec).toEqual({
      adapter_version: 3,
      sessions: ['c:s'],
      dir: '/h/p/',
      files: [
        ['s.jsonl', 1, 1, 1, '1000000'],
        ['s/subagents/a.jsonl', 2, 2, 1, '1000000'],
      ],
    });
    expect(fileIn(rec, '/h/p/s/subagents/a.jsonl')).toEqual(rec.files[1]);
    expect(fileIn(rec, '/h/q/s.jsonl')).toBeUndefined();
    expect(fileIn(rec, '/h/p/t.jsonl')).toBeUndefined();
  });

  it('shares the root when nothing else is shared', () => {
    expect(unitRecordOf({ adapter_version: 1, sessions: [] }, [at('/a/x', 1), at('/ab/y', 2)]).dir).toBe('/');
    expect(unitRecordOf({ adapter_version: 1, sessions: [] }, [at('/a/b/x', 1), at('/a/b/y', 2)]).dir).toBe('/a/b/');
  });
});

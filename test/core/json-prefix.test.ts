import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJsonPrefix, readJsonDocumentOrPrefix } from '../../src/io/json-prefix.js';
import { cleanupTemps, tempDir } from '../support/harness.js';

describe('parseJsonPrefix', () => {
  const doc = JSON.stringify({ id: 'x', list: [{ a: 1 }, { a: '2, "}]' }, { a: 3 }], tail: true }, null, 2);

  it('keeps the complete values at the trusted depth and drops the half-written one', () => {
    const cut = doc.slice(0, doc.indexOf('"a": 3') + 4);
    expect(parseJsonPrefix(cut, 2)?.value).toEqual({ id: 'x', list: [{ a: 1 }, { a: '2, "}]' }] });
    expect(parseJsonPrefix(cut, 1)?.value).toEqual({ id: 'x' });
  });

  it('returns the whole value of a complete document and nothing for malformed text', () => {
    expect(parseJsonPrefix(doc, 2)?.value).toEqual(JSON.parse(doc));
    expect(parseJsonPrefix('{"a": [1}', 2)).toBeUndefined();
    expect(parseJsonPrefix('{"sessionId": "ab', 2)).toBeUndefined();
  });
});

describe('readJsonDocumentOrPrefix', () => {
  afterAll(cleanupTemps);
  const doc = JSON.stringify({ id: 'x', list: [{ a: 1 }, { a: 2 }, { a: 3 }] }, null, 2);
  const cut = doc.slice(0, doc.indexOf('"a": 3') + 4);

  it('reads the file once: its bytes are counted once', async () => {
    const path = join(tempDir(), 'doc.json');
    writeFileSync(path, cut);
    const stats = { bytesRead: 0 };
    const got = await readJsonDocumentOrPrefix(path, 2, stats);
    expect(got.ok && got.value).toEqual({ id: 'x', list: [{ a: 1 }, { a: 2 }] });
    expect(stats.bytesRead).toBe(Buffer.byteLength(cut));
  });

  it('salvages a NUL-padded truncated document without the padding', async () => {
    const path = join(tempDir(), 'doc.json');
    writeFileSync(path, Buffer.concat([Buffer.from(cut), Buffer.alloc(4096)]));
    const stats = { bytesRead: 0 };
    const got = await readJsonDocumentOrPrefix(path, 2, stats);
    if (!got.ok) throw new Error(got.error);
    expect(got.value).toEqual({ id: 'x', list: [{ a: 1 }, { a: 2 }] });
    expect(got.truncated).toBeDefined();
    expect(got.truncated!.tail).not.toContain('\0');
    expect(got.truncated!.length).toBe(cut.length);
    expect(got.truncated!.tail).toBe(cut.slice(got.truncated!.end));
    expect(stats.bytesRead).toBe(Buffer.byteLength(cut) + 4096);
  });

  it('reports an empty file as unparseable with nothing to recover', async () => {
    const path = join(tempDir(), 'empty.json');
    writeFileSync(path, '');
    const got = await readJsonDocumentOrPrefix(path, 2, { bytesRead: 0 });
    expect(got.ok).toBe(false);
  });
});

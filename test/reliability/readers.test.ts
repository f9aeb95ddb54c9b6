/** The shared readers on hostile bytes: bounded memory, NUL runs, lines over the limit, deep nesting. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_NESTING, nestedDeeperThan, parseJsonLine } from '../../src/io/json.js';
import { readLines } from '../../src/io/lines.js';
import { cleanupTemps, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

async function lines(content: Buffer, max?: number) {
  const path = join(tempDir(), 'f.jsonl');
  writeFileSync(path, content);
  const out = [];
  for await (const l of readLines(path, undefined, max)) out.push(l);
  return out;
}

describe('readLines limits', () => {
  it('reports a line over the limit with its head and length, and goes on with the next line', async () => {
    const long = `{"x":"${'y'.repeat(3 * 1024 * 1024)}"}`;
    const out = await lines(Buffer.from(`{"a":1}\n${long}\n{"b":2}\n`), 1024 * 1024);
    expect(out.map((l) => [l.lineNo, l.overlong])).toEqual([
      [1, undefined],
      [2, long.length],
      [3, undefined],
    ]);
    expect(out[1]!.bytes.length).toBe(64 * 1024);
    expect(out[1]!.bytes.toString()).toBe(long.slice(0, 64 * 1024));
    expect(parseJsonLine(out[1]!)).toMatchObject({
      ok: false,
      error: expect.stringMatching(new RegExp(`^line of ${long.length} bytes is longer than the \\d+ MiB limit`)),
    });
    expect(out[2]!.bytes.toString()).toBe('{"b":2}');
  });

  it('keeps NULs inside a line, drops them around it, and never counts padding as a line', async () => {
    const zeros = Buffer.alloc(3 * 1024 * 1024);
    const out = await lines(
      Buffer.concat([
        zeros,
        Buffer.from('{"a":"'),
        Buffer.alloc(3),
        Buffer.from('"}'),
        zeros,
        Buffer.from('\n'),
        zeros,
      ]),
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.bytes).toEqual(Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(3), Buffer.from('"}')]));
    expect(out[0]!.offset).toBe(zeros.length);
    expect(out[0]!.torn).toBe(false);
  });

  it('counts a hole in the middle of a line against the limit without holding it', async () => {
    const out = await lines(
      Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(2 * 1024 * 1024), Buffer.from('"}\n')]),
      1024 * 1024,
    );
    expect(out[0]!.overlong).toBe(2 * 1024 * 1024 + 8);
    expect(out[0]!.bytes.subarray(0, 6).toString()).toBe('{"a":"');
  });
});

describe('nesting limit', () => {
  it('refuses JSON nested deeper than the limit, counting only brackets outside strings', () => {
    const deep = Buffer.from(`${'['.repeat(MAX_NESTING + 1)}${']'.repeat(MAX_NESTING + 1)}`);
    expect(nestedDeeperThan(deep, MAX_NESTING)).toBe(true);
    expect(parseJsonLine({ bytes: deep, lineNo: 7, offset: 0, torn: false })).toMatchObject({
      ok: false,
      error: `JSON nested deeper than ${MAX_NESTING} levels; not parsed`,
    });
    const wide = Buffer.from(
      JSON.stringify({ text: '['.repeat(10_000), list: Array.from({ length: 2000 }, () => [1]) }),
    );
    expect(nestedDeeperThan(wide, MAX_NESTING)).toBe(false);
    expect(parseJsonLine({ bytes: wide, lineNo: 1, offset: 0, torn: false })).toMatchObject({ ok: true });
  });
  it('reports an overlong line by its length, before looking at the nesting of its head', () => {
    const head = Buffer.from('['.repeat(MAX_NESTING + 1));
    const overlong = 100 * 1024 * 1024;
    expect(parseJsonLine({ bytes: head, lineNo: 3, offset: 0, torn: false, overlong })).toMatchObject({
      ok: false,
      error: expect.stringMatching(new RegExp(`^line of ${overlong} bytes is longer than the \\d+ MiB limit`)),
    });
  });
});

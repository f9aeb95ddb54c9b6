/** The repairing JSONL reader: split records joined, glued records separated, the rest warned. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonRecordsRecovering } from '../../src/session/recover.js';
import { cleanupTemps, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

async function read(text: string | Buffer) {
  const path = join(tempDir(), 'f.jsonl');
  writeFileSync(path, text);
  const out: { ok: boolean; value?: unknown; line: number; recovered?: string; message?: string }[] = [];
  for await (const r of readJsonRecordsRecovering(path, { bytesRead: 0 }, { restartMarker: '{"type":"' })) {
    out.push(
      r.ok
        ? { ok: true, value: r.value, line: r.line.lineNo, ...(r.recovered ? { recovered: r.recovered } : {}) }
        : { ok: false, line: r.line.lineNo, message: r.warning.message },
    );
  }
  return out;
}

describe('readJsonRecordsRecovering', () => {
  it('joins a record split by raw newlines (and CRLF) back into one', async () => {
    const out = await read('{"type":"a","s":"one\ntwo\r\nthree"}\n{"type":"b"}\n');
    expect(out).toEqual([
      { ok: true, value: { type: 'a', s: 'one\ntwo\r\nthree' }, line: 1, recovered: 'joined' },
      { ok: true, value: { type: 'b' }, line: 4 },
    ]);
  });

  it('separates a truncated fragment from the record glued after it', async () => {
    const fragment = '{"type":"a","s":"cut';
    const out = await read(`${fragment}{"type":"b","n":1}\n{"type":"c"}\n`);
    expect(out.map((r) => [r.ok, r.line, r.recovered ?? null])).toEqual([
      [false, 1, null],
      [true, 1, 'glued'],
      [true, 2, null],
    ]);
    expect(out[1]!.value).toEqual({ type: 'b', n: 1 });
    expect(out[0]!.message).toContain(`:1: a truncated record of ${fragment.length} bytes`);
  });

  it('never swallows a whole record into a broken one; torn last lines are warned', async () => {
    const out = await read('{"type":"a","s":"cut\n{"type":"b"}\n{"type":"c","s":"half');
    expect(out.map((r) => [r.ok, r.line])).toEqual([
      [false, 1],
      [true, 2],
      [false, 3],
    ]);
    expect(out[2]!.message).toContain('truncated last line');
  });

  it('keeps raw U+2028 and strips NUL padding', async () => {
    const out = await read(Buffer.concat([Buffer.from('{"type":"a","s":"x\u2028y"}\n'), Buffer.alloc(100)]));
    expect(out).toEqual([{ ok: true, value: { type: 'a', s: 'x\u2028y' }, line: 1 }]);
  });
});

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issueText, parseRecord } from '../../src/util/fast-parse.js';
import { cliPath } from '../support/harness.js';

const Usage = z.object({ input: z.number().nullish(), output: z.number().nullish() });
const Line = z.looseObject({
  type: z.string(),
  uuid: z.string().nullish(),
  kind: z.enum(['a', 'b']).optional(),
  usage: Usage.nullish().catch(null),
  tags: z.array(z.string()).optional(),
  content: z.unknown().optional(),
});

describe('parseRecord', () => {
  it('returns a conforming record itself, without a copy', () => {
    const value = { type: 'user', uuid: 'u1', kind: 'a', usage: { input: 3 }, tags: ['x'], extra: { big: true } };
    const r = parseRecord(Line, value);
    expect(r.success && r.data).toBe(value);
  });

  it('gives exactly what safeParse gives for anything else', () => {
    for (const value of [
      { type: 'user', usage: { input: 'many' } }, // caught: usage becomes null
      { type: 7 },
      { type: 'user', kind: 'c' },
      { type: 'user', tags: ['x', 1] },
      null,
      [],
      'text',
    ]) {
      expect(parseRecord(Line, value)).toEqual(Line.safeParse(value));
    }
  });

  it('agrees with safeParse on every field type, value by value', () => {
    const Block = z.object({ kind: z.literal('text'), n: z.number() });
    const Every = z.looseObject({
      s: z.string().optional(),
      n: z.number().nullish(),
      b: z.boolean().optional(),
      lit: z.literal(['a', 1, true]).optional(),
      e: z.enum(['x', 'y']).nullable().optional(),
      arr: z.array(Block).optional(),
      obj: Block.optional(),
      u: z.unknown(),
    });
    const candidates = [
      undefined,
      null,
      'a',
      'x',
      '',
      0,
      1,
      Number.NaN,
      Infinity,
      true,
      false,
      [],
      {},
      [{ kind: 'text', n: 1 }],
      [{ kind: 'text', n: 'one' }],
      { kind: 'text', n: 2 },
      { kind: 'other', n: 2 },
    ];
    const fields = ['s', 'n', 'b', 'lit', 'e', 'arr', 'obj', 'u'];
    const agree = (value: Record<string, unknown>) => {
      const fast = parseRecord(Every, value);
      expect({ value, ok: fast.success }).toEqual({ value, ok: Every.safeParse(value).success });
      if (fast.success) expect(fast.data).toBe(value);
      return fast.success;
    };
    let accepted = 0;
    for (const field of fields)
      for (const candidate of candidates) if (agree({ u: 0, other: 1, [field]: candidate })) accepted++;
    // Both outcomes are exercised: each field accepts some candidates and rejects others.
    expect(accepted).toBeGreaterThan(fields.length);
    expect(accepted).toBeLessThan(fields.length * candidates.length);
    // A required key may hold undefined but not be absent, even when its schema is unknown.
    expect(agree({ u: undefined })).toBe(true);
    expect(agree({})).toBe(false);
  });

  it('leaves schemas with refinements or defaults to zod', () => {
    const Refined = z.object({ id: z.string().min(3), n: z.number().default(1) });
    expect(parseRecord(Refined, { id: 'ab' }).success).toBe(false);
    expect(parseRecord(Refined, { id: 'abc' })).toEqual({ success: true, data: { id: 'abc', n: 1 } });
  });

  it('falls back to zod where Node forbids generating code: fixture output is unchanged', () => {
    const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', cliPath, 'check'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\b[1-9]\d* passed, 0 failed/);
  });
});

describe('issueText', () => {
  it('says the first issue as path: message, `record` for the value itself', () => {
    const nested = parseRecord(Line, { type: 'user', tags: ['x', 1] });
    expect(!nested.success && issueText(nested.error)).toBe(
      `tags.1: ${!nested.success && nested.error.issues[0]!.message}`,
    );
    const root = parseRecord(Line, [1]);
    expect(!root.success && issueText(root.error)).toBe(`record: ${!root.success && root.error.issues[0]!.message}`);
    expect(issueText({ issues: [] })).toBe('invalid record');
  });
});

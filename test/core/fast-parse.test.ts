import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseRecord } from '../../src/util/fast-parse.js';

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

  it('leaves schemas with refinements or defaults to zod', () => {
    const Refined = z.object({ id: z.string().min(3), n: z.number().default(1) });
    expect(parseRecord(Refined, { id: 'ab' }).success).toBe(false);
    expect(parseRecord(Refined, { id: 'abc' })).toEqual({ success: true, data: { id: 'abc', n: 1 } });
  });
});

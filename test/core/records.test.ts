/** The raw text of parse warnings (src/session/records.ts): capped before it is decoded. */
import { describe, expect, it } from 'vitest';
import { RAW_CAP } from '../../src/io/json.js';
import { lineRaw, valueRaw } from '../../src/session/records.js';

describe('warning raw text', () => {
  const line = (text: string) => ({ bytes: Buffer.from(text), lineNo: 1, offset: 0, torn: false });

  it('lineRaw keeps a short line whole and only the first RAW_CAP bytes of a long one', () => {
    expect(lineRaw(line('{"type":1}'))).toBe('{"type":1}');
    expect(lineRaw(line(`{"a":"${'x'.repeat(10 * RAW_CAP)}"}`))).toBe(`{"a":"${'x'.repeat(RAW_CAP - 6)}`);
  });

  it('valueRaw is the JSON of a value, capped like any raw text', () => {
    expect(valueRaw({ a: [1, 'b'] })).toBe('{"a":[1,"b"]}');
    expect(valueRaw(undefined)).toBe('undefined');
    const long = valueRaw('y'.repeat(2 * RAW_CAP));
    expect(long.startsWith(`"${'y'.repeat(RAW_CAP - 1)}…`)).toBe(true);
    expect(long).toContain(`[${RAW_CAP + 2} more characters]`);
  });
});

import { describe, expect, it } from 'vitest';
import { parseJsonPrefix } from '../../src/io/json-prefix.js';

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

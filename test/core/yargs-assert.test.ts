/** The checks the CLI bundle gives yargs instead of node:assert fail exactly where node:assert's do. */
import * as assert from 'node:assert';
import { describe, expect, it } from 'vitest';
import { notStrictEqual, strictEqual } from '../../src/cli/yargs-assert.js';

const VALUES: unknown[] = [undefined, null, true, 0, -0, NaN, '', 'a', {}, [], 1n];

/** Whether `f` throws. */
function throws(f: () => void): boolean {
  try {
    f();
    return false;
  } catch {
    return true;
  }
}

describe("yargs' checks", () => {
  it('throw for the same pairs of values as node:assert', () => {
    for (const a of VALUES) {
      for (const b of [...VALUES, a]) {
        expect(
          throws(() => strictEqual(a, b)),
          `strictEqual(${String(a)}, ${String(b)})`,
        ).toBe(throws(() => assert.strictEqual(a, b)));
        expect(
          throws(() => notStrictEqual(a, b)),
          `notStrictEqual(${String(a)}, ${String(b)})`,
        ).toBe(throws(() => assert.notStrictEqual(a, b)));
      }
    }
  });

  it('throw the message they are given, or the error', () => {
    const error = new TypeError('given');
    expect(() => notStrictEqual(undefined, undefined, 'no package.json')).toThrow('no package.json');
    expect(() => strictEqual(1, 2, error)).toThrow(error);
  });
});

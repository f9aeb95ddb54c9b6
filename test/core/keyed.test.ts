/** Keys of the events one native record gives. */
import { describe, expect, it } from 'vitest';
import { keyed } from '../../src/util/ids.js';

describe('keyed', () => {
  it('keys the items of one record by its key, numbered when there are several', () => {
    expect(keyed([{ a: 1 }], 'r')).toEqual([{ a: 1, key: 'r' }]);
    expect(keyed([{ a: 1 }, { a: 2 }], 'r')).toEqual([
      { a: 1, key: 'r#0' },
      { a: 2, key: 'r#1' },
    ]);
    expect(keyed([], 'r')).toEqual([]);
  });
});

/** Event keys for records without an id: the hash of the text, a counter for repeats. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContentKeys } from '../../src/util/ids.js';

describe('ContentKeys', () => {
  it('keys a text by its sha256, numbering repeats from the second on, the same for bytes and text', () => {
    const keys = new ContentKeys();
    const hash = (t: string) => `h${createHash('sha256').update(t).digest('hex').slice(0, 16)}`;
    expect([keys.key('a'), keys.key('b'), keys.key(Buffer.from('a')), keys.key('a')]).toEqual([hash('a'), hash('b'), `${hash('a')}.2`, `${hash('a')}.3`]);
    // A new session (a new counter) gives the same keys again.
    expect(new ContentKeys().key('a')).toBe(hash('a'));
  });
});

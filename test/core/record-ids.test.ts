import { describe, expect, it } from 'vitest';
import { RecordIds } from '../../src/util/ids.js';

describe('RecordIds', () => {
  it('names a record by its content and counts identical records apart', () => {
    const ids = new RecordIds();
    const a1 = ids.next('{"type":"x"}');
    const b = ids.next(Buffer.from('{"type":"y"}'));
    const a2 = ids.next(Buffer.from('{"type":"x"}'));
    expect(a1).toMatch(/^h[0-9a-f]{32}\.0$/);
    expect(a2).toBe(a1.replace(/\.0$/, '.1'));
    expect(b).not.toBe(a1.replace(/\.0$/, '.1'));
    // The same content in another source gets the same id: it depends on nothing else.
    const other = new RecordIds();
    other.next('{"type":"z"}');
    expect(other.next('{"type":"x"}')).toBe(a1);
  });
});

import { describe, expect, it } from 'vitest';
import { normalizeTimestamp } from '../../src/util/time.js';

describe('normalizeTimestamp', () => {
  it('accepts ISO strings with and without zone, seconds, milliseconds and numeric strings', () => {
    expect(normalizeTimestamp('2026-04-07T15:24:08.12Z')).toBe('2026-04-07T15:24:08.120Z');
    expect(normalizeTimestamp('2026-04-07T17:24:08+02:00')).toBe('2026-04-07T15:24:08.000Z');
    expect(normalizeTimestamp('2026-04-07T15:24:08')).toBe('2026-04-07T15:24:08.000Z');
    expect(normalizeTimestamp(1775575448)).toBe('2026-04-07T15:24:08.000Z');
    expect(normalizeTimestamp(1775575448120)).toBe('2026-04-07T15:24:08.120Z');
    expect(normalizeTimestamp('1775575448')).toBe('2026-04-07T15:24:08.000Z');
  });
  it('rejects garbage and implausible dates', () => {
    for (const bad of ['yesterday', '', null, undefined, {}, -5, 0, '1999-01-01T00:00:00Z', 'NaN', '2026-13-45T99:00:00Z']) {
      expect(normalizeTimestamp(bad)).toBeUndefined();
    }
  });
});

describe('normalizeTimestamp fast path', () => {
  it('returns canonical times unchanged and agrees with the slow path on near-canonical ones', () => {
    expect(normalizeTimestamp('2026-04-07T15:24:08.120Z')).toBe('2026-04-07T15:24:08.120Z');
    for (const s of ['2026-02-30T10:00:00.000Z', '2026-13-01T10:00:00.000Z', '2026-04-07T24:00:00.000Z', '2026-04-07T10:60:00.000Z', '1999-04-07T10:00:00.000Z', '2026-04-31T10:00:00.000Z']) {
      const slow = Number.isFinite(Date.parse(s)) && Date.parse(s) >= Date.UTC(2000, 0, 1) ? new Date(Date.parse(s)).toISOString() : undefined;
      expect(normalizeTimestamp(s), s).toBe(slow);
    }
  });
});

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
  it('takes a space between date and time like a T: without a zone the time is UTC, whatever the local zone', () => {
    const local = process.env.TZ;
    // Date.parse reads a zoneless date-time as local time: a local zone far from UTC shows it.
    for (const tz of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
      process.env.TZ = tz;
      try {
        expect(normalizeTimestamp('2026-01-01 12:00:00'), tz).toBe(
          new Date(Date.UTC(2026, 0, 1, 12, 0, 0)).toISOString(),
        );
        expect(normalizeTimestamp('2026-01-01 12:00'), tz).toBe(new Date(Date.UTC(2026, 0, 1, 12, 0)).toISOString());
        expect(normalizeTimestamp('2026-04-07 15:24:08.123456'), tz).toBe(
          new Date(Date.UTC(2026, 3, 7, 15, 24, 8, 123)).toISOString(),
        );
        expect(normalizeTimestamp(' 2026-04-07 15:24:08.12 '), tz).toBe('2026-04-07T15:24:08.120Z');
        // A zone, when given, still counts.
        expect(normalizeTimestamp('2026-01-01 12:00:00Z'), tz).toBe('2026-01-01T12:00:00.000Z');
        expect(normalizeTimestamp('2026-01-01 12:00:00+02:00'), tz).toBe('2026-01-01T10:00:00.000Z');
        expect(normalizeTimestamp('2026-01-01 12:00:00 +02:00'), tz).toBe('2026-01-01T10:00:00.000Z');
        // A date alone is UTC midnight already.
        expect(normalizeTimestamp('2026-01-01'), tz).toBe('2026-01-01T00:00:00.000Z');
      } finally {
        if (local === undefined) delete process.env.TZ;
        else process.env.TZ = local;
      }
    }
  });
  it('rejects garbage and implausible dates', () => {
    for (const bad of [
      'yesterday',
      '',
      null,
      undefined,
      {},
      -5,
      0,
      '1999-01-01T00:00:00Z',
      'NaN',
      '2026-13-45T99:00:00Z',
    ]) {
      expect(normalizeTimestamp(bad)).toBeUndefined();
    }
  });
});

describe('normalizeTimestamp fast path', () => {
  it('returns canonical times unchanged and agrees with the slow path on near-canonical ones', () => {
    expect(normalizeTimestamp('2026-04-07T15:24:08.120Z')).toBe('2026-04-07T15:24:08.120Z');
    for (const s of [
      '2026-02-30T10:00:00.000Z',
      '2026-13-01T10:00:00.000Z',
      '2026-04-07T24:00:00.000Z',
      '2026-04-07T10:60:00.000Z',
      '1999-04-07T10:00:00.000Z',
      '2026-04-31T10:00:00.000Z',
    ]) {
      const slow =
        Number.isFinite(Date.parse(s)) && Date.parse(s) >= Date.UTC(2000, 0, 1)
          ? new Date(Date.parse(s)).toISOString()
          : undefined;
      expect(normalizeTimestamp(s), s).toBe(slow);
    }
  });
});

/** Native timestamps to one shape: UTC, RFC 3339, milliseconds (`2026-04-07T15:24:08.120Z`). */

const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

function fromEpochNumber(n: number): Date | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  // Agents write seconds (Codex history), milliseconds (Copilot names) or microseconds.
  const ms = n < 1e11 ? n * 1000 : n < 1e14 ? n : n / 1000;
  return ms >= MIN_MS && ms < MAX_MS ? new Date(Math.round(ms)) : undefined;
}

/**
 * Normalizes an ISO string, an epoch number (s, ms or µs) or a numeric string. Returns undefined
 * for anything else, or for dates outside 2000–2200 (garbage that happens to parse). A string
 * without a zone is taken as UTC: every JSON time these agents write is UTC.
 */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpochNumber(value)?.toISOString();
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return fromEpochNumber(Number(s))?.toISOString();
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  const zoned = /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || !s.includes('T') ? s : `${s}Z`;
  const ms = Date.parse(zoned);
  if (!Number.isFinite(ms) || ms < MIN_MS || ms >= MAX_MS) return undefined;
  return new Date(ms).toISOString();
}

/** Earliest and latest of a set of normalized timestamps (they sort as strings). */
export function minTimestamp(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a <= b ? a : b;
}

export function maxTimestamp(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}

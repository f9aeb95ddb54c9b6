/** Native timestamps to one shape: UTC, RFC 3339, milliseconds (`2026-04-07T15:24:08.120Z`). */

const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

function fromEpochNumber(n: number): Date | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  // Agents write seconds (Codex history), milliseconds (Copilot names) or microseconds.
  const ms = n < 1e11 ? n * 1000 : n < 1e14 ? n : n / 1000;
  return ms >= MIN_MS && ms < MAX_MS ? new Date(Math.round(ms)) : undefined;
}

/** A date, a space and a time with nothing after it (no zone). */
const ZONELESS_SPACED = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days of `month` (1–12) in the year of the canonical time `s`. */
function daysInMonth(s: string, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1]!;
  const year = Number(s.slice(0, 4));
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/**
 * Already `YYYY-MM-DDTHH:MM:SS.sssZ` with a plausible date: what most agents write, returned as
 * is (this runs once per record). Anything else goes through Date.parse.
 */
function isCanonical(s: string): boolean {
  if (
    s.length !== 24 ||
    s[4] !== '-' ||
    s[7] !== '-' ||
    s[10] !== 'T' ||
    s[13] !== ':' ||
    s[16] !== ':' ||
    s[19] !== '.' ||
    s[23] !== 'Z'
  )
    return false;
  for (const i of DIGIT_POSITIONS) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const month = (s.charCodeAt(5) - 48) * 10 + s.charCodeAt(6) - 48;
  const day = (s.charCodeAt(8) - 48) * 10 + s.charCodeAt(9) - 48;
  const hour = (s.charCodeAt(11) - 48) * 10 + s.charCodeAt(12) - 48;
  const century = s.slice(0, 2);
  // A day past the month's end (Feb 30) is left to Date.parse, which rolls it over or rejects it.
  return (
    (century === '20' || century === '21') &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    (day <= 28 || day <= daysInMonth(s, month)) &&
    hour <= 23 &&
    s[14]! <= '5' &&
    s[17]! <= '5'
  );
}

/**
 * Normalizes an ISO string, an epoch number (s, ms or µs) or a numeric string. Returns undefined
 * for anything else, or for dates outside 2000–2200 (garbage that happens to parse). A string
 * without a zone is taken as UTC, whether a `T` or a space separates date and time: every JSON time
 * these agents write is UTC.
 */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpochNumber(value)?.toISOString();
  if (typeof value !== 'string') return undefined;
  if (isCanonical(value)) return value;
  const s = value.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return fromEpochNumber(Number(s))?.toISOString();
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  // `2026-01-01 12:00:00` is the same time as with a `T`: Date.parse would take it as local time.
  const iso = ZONELESS_SPACED.test(s) ? `${s.slice(0, 10)}T${s.slice(11)}` : s;
  const zoned = /[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) || !iso.includes('T') ? iso : `${iso}Z`;
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

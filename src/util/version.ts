/**
 * Agent versions as the native files state them (`2.1.170`, `0.153.4-alpha.2`, `v1.0.60`):
 * compared by their dotted numeric part; a suffix after it does not count.
 */

const DOTTED = /^v?(\d+(?:\.\d+)*)/;

/** The numeric parts of a version, or null when it does not start with a number. */
export function versionParts(version: string): number[] | null {
  const m = DOTTED.exec(version.trim());
  return m ? m[1]!.split('.').map(Number) : null;
}

/** <0, 0 or >0 as `a` is older than, as new as, or newer than `b`; null when either is not a version. */
export function compareVersions(a: string, b: string): number | null {
  const pa = versionParts(a);
  const pb = versionParts(b);
  if (pa === null || pb === null) return null;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest of two versions (a version wins over a text that is none; `a` on ties). */
export function newerVersion(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  const c = compareVersions(a, b);
  if (c === null) return versionParts(a) === null ? b : a;
  return c >= 0 ? a : b;
}

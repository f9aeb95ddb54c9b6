/**
 * Short, unique session ids for people (as git abbreviates commit ids). An id that extends another
 * one (a sub-agent's, `<parent id>-agent-…`) is written `<short parent>/<short rest>`, which `show`
 * resolves the same way: the parent first, then the rest among the ids that extend it.
 */

/** Length of the shared prefix of two strings. */
function common(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * For each of the sorted ids, its shortest prefix that names it: at least up to the first dash
 * and `minAfterDash` characters more, and unique except for ids that extend it (`show` picks the
 * one id that all matches start with).
 */
function prefixes(sorted: readonly string[], minAfterDash: number): string[] {
  return sorted.map((id, i) => {
    // Ids that extend this one sort right after it; the first one that does not is the nearest rival.
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.startsWith(id)) j++;
    const prev = i > 0 ? common(id, sorted[i - 1]!) : 0;
    const next = j < sorted.length ? common(id, sorted[j]!) : 0;
    const dash = id.indexOf('-');
    const min = dash < 0 ? Math.min(id.length, minAfterDash) : dash + 1 + minAfterDash;
    let length = Math.min(id.length, Math.max(min, Math.max(prev, next) + 1));
    while (length < id.length && id[length - 1] === '-') length++; // `claude-…-a`, not `claude-…-`
    return id.slice(0, length);
  });
}

/**
 * Each id's short form: a prefix with the provider name and `minNative` characters of the native
 * id; for an id that extends another listed id `P-…`, P's short form, `/`, and the shortest prefix
 * of the rest (4 characters past its first dash) that is unique among the ids extending P.
 */
export function shortIds(ids: Iterable<string>, minNative = 8): Map<string, string> {
  const sorted = [...new Set(ids)].sort();
  const short = prefixes(sorted, minNative);
  const out = new Map<string, string>();
  // An id's descendants sort right after it, so one pass finds each id's outermost listed ancestor.
  for (let i = 0; i < sorted.length;) {
    const root = sorted[i]!;
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.startsWith(`${root}-`)) j++;
    out.set(root, short[i]!);
    const rests = sorted.slice(i + 1, j).map((id) => id.slice(root.length + 1));
    prefixes(rests, 4).forEach((rest, k) => out.set(sorted[i + 1 + k]!, `${short[i]}/${rest}`));
    i = j;
  }
  return out;
}

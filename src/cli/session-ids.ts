/** Short, unique session id prefixes for people (as git abbreviates commit ids). */

/** Length of the shared prefix of two strings. */
function common(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * For each id, its shortest prefix that `show` resolves to it: at least the provider name and
 * `minNative` characters of the native id, and unique except for ids that extend it (a parent's
 * sub-agents), since `show` picks the one id that all matches start with.
 */
export function shortIds(ids: Iterable<string>, minNative = 8): Map<string, string> {
  const sorted = [...new Set(ids)].sort();
  const out = new Map<string, string>();
  sorted.forEach((id, i) => {
    // Ids that extend this one sort right after it; the first one that does not is the nearest rival.
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.startsWith(id)) j++;
    const prev = i > 0 ? common(id, sorted[i - 1]!) : 0;
    const next = j < sorted.length ? common(id, sorted[j]!) : 0;
    const dash = id.indexOf('-');
    const min = dash < 0 ? id.length : dash + 1 + minNative;
    let length = Math.min(id.length, Math.max(min, Math.max(prev, next) + 1));
    while (length < id.length && id[length - 1] === '-') length++; // `claude-…-a`, not `claude-…-`
    out.set(id, id.slice(0, length));
  });
  return out;
}

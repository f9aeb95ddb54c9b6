/** Short, unique session id prefixes for people (as git abbreviates commit ids). */

/** Length of the shared prefix of two strings. */
function common(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * For each id, its shortest prefix that no other id starts with: at least the provider name and
 * `minNative` characters of the native id. An id that is itself a prefix of another (a parent and
 * its sub-agent) stays whole; `show` picks an exact match first.
 */
export function shortIds(ids: Iterable<string>, minNative = 8): Map<string, string> {
  const sorted = [...new Set(ids)].sort();
  const out = new Map<string, string>();
  sorted.forEach((id, i) => {
    const prev = i > 0 ? common(id, sorted[i - 1]!) : 0;
    const next = i + 1 < sorted.length ? common(id, sorted[i + 1]!) : 0;
    const dash = id.indexOf('-');
    const min = dash < 0 ? id.length : dash + 1 + minNative;
    let length = Math.min(id.length, Math.max(min, Math.max(prev, next) + 1));
    while (length < id.length && id[length - 1] === '-') length++; // `claude-…-a`, not `claude-…-`
    out.set(id, id.slice(0, length));
  });
  return out;
}

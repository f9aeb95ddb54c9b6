/** Set helpers for the per-event paths. */

/** Adds `value` to `set`; true when it was not there yet (one hash lookup, where `has` then `add` take two). */
export function addNew<T>(set: Set<T>, value: T): boolean {
  const size = set.size;
  return set.add(value).size > size;
}

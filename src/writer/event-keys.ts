/**
 * Event keys: what identifies an event across imports of a changing source, so that a re-import
 * can tell which archived events the source no longer holds (`merge.ts`). An adapter's native key
 * (`EventDraft.key`) is used as given. An event without one gets `h` and 16 hex digits of the
 * SHA-256 of its line from `ts` on, unredacted and without the provider home's path: the same
 * content gives the same key, with or without `--redact`, wherever the home is. A key met again in the same session gets `~2`, `~3`, … in the order the
 * events come, so that keys are unique within a session file.
 */
import { sha256Hex } from '../util/ids.js';
import { addNew } from '../util/sets.js';

/** Keys of the lines the writer adds itself: always the first and the last line. */
export const START_KEY = 'start';
export const END_KEY = 'end';

export class EventKeys {
  /** Every key given so far. */
  private readonly used = new Set<string>();
  /** For a key met more than once: the last occurrence number used for it as a base. */
  private readonly last = new Map<string, number>();

  /** The key of the next event: its native key, or one derived from `tail()` (its unredacted line from `ts` on). */
  next(native: string | undefined, tail: () => string): string {
    const base = native ?? `h${sha256Hex(tail()).slice(0, 16)}`;
    if (addNew(this.used, base)) return base;
    let n = (this.last.get(base) ?? 1) + 1;
    while (this.used.has(`${base}~${n}`)) n++;
    this.last.set(base, n);
    const key = `${base}~${n}`;
    this.used.add(key);
    return key;
  }
}

/**
 * The batch policy of converters: items are handed to the writer several at a time (each step of
 * an async iterable costs a promise), but never so many that a batch holds much of the source.
 */
import type { ConvertItem } from '../../adapters/types.js';

/** A batch is full at this many items … */
export const BATCH_ITEMS = 128;
/** … or, with at least one item, once this many bytes of native input went into it. */
export const BATCH_BYTES = 256 * 1024;

/**
 * Items collected for one step. A converter pushes items and counts the native bytes it read for
 * them; before it converts the next record it yields `take()` if the batch is `full`, and at the
 * end it yields what is left. Order is kept: a batch is just the next items of the stream.
 */
export class Batch {
  private items: ConvertItem[] = [];
  private bytes = 0;

  push(item: ConvertItem): void {
    this.items.push(item);
  }

  /** Counts native bytes whose items are (or would be) in this batch. */
  read(bytes: number): void {
    this.bytes += bytes;
  }

  get full(): boolean {
    return this.items.length >= BATCH_ITEMS || (this.bytes >= BATCH_BYTES && this.items.length > 0);
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  /** The items so far (a new array: the caller may keep it); the batch starts again empty. */
  take(): ConvertItem[] {
    const items = this.items;
    this.items = [];
    this.bytes = 0;
    return items;
  }
}

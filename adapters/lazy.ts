/**
 * `convert` of an adapter whose converter module loads on first use: the items of the iterable
 * `start()` resolves to, with no extra step per item once it is there (an `async *convert` that
 * does `yield* …` costs one more promise per event).
 */
export function afterLoading<T>(start: () => Promise<AsyncIterable<T>>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      let inner: AsyncIterator<T> | null = null;
      let starting: Promise<AsyncIterator<T>> | null = null;
      const started = () => (starting ??= start().then((iterable) => (inner = iterable[Symbol.asyncIterator]())));
      const done = (value?: unknown): Promise<IteratorResult<T>> => Promise.resolve({ done: true, value: value as T });
      return {
        next: () => (inner !== null ? inner.next() : started().then((it) => it.next())),
        // A consumer that stops early (break, throw) closes the converter too (its `finally` runs).
        return: (value?: unknown) => (inner?.return ? inner.return(value as T) : done(value)),
      };
    },
  };
}

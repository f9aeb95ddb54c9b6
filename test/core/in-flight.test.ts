/** Units in flight: the first ones whatever their size, then more only within the byte budget and the count, in order. */
import { describe, expect, it } from 'vitest';
import { InFlight } from '../../src/importer/in-flight.js';

/** Tasks that finish when told; `started` lists them as they start. */
function harness(limit: InFlight, sizes: number[]) {
  const started: number[] = [];
  const finish = new Map<number, () => void>();
  const all = Promise.all(
    sizes.map((bytes, i) =>
      limit.run(bytes, async () => {
        started.push(i);
        await new Promise<void>((resolve) => finish.set(i, resolve));
        return i;
      }),
    ),
  );
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    started,
    all,
    async end(i: number) {
      finish.get(i)!();
      await settle();
    },
    settle,
  };
}

describe('InFlight', () => {
  it('starts the first `floor` units whatever their size, then only what fits the budget, in order', async () => {
    const h = harness(new InFlight(8, 2, 100), [500, 400, 60, 50, 30, 20]);
    await h.settle();
    expect(h.started).toEqual([0, 1]); // two large units, one per worker; 60 waits: 900 in flight
    await h.end(0);
    expect(h.started).toEqual([0, 1, 2]); // one slot of the floor free again
    await h.end(1);
    expect(h.started).toEqual([0, 1, 2, 3]); // 60 + 50 > 100: the floor lets 50 in, 30 waits
    await h.end(2);
    expect(h.started).toEqual([0, 1, 2, 3, 4, 5]); // 50 + 30 + 20 fit in 100
    for (const i of [3, 4, 5]) await h.end(i);
    expect(await h.all).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('never runs more than `max` units, however small', async () => {
    const h = harness(new InFlight(3, 1, 1000), [1, 1, 1, 1, 1]);
    await h.settle();
    expect(h.started).toEqual([0, 1, 2]);
    await h.end(1);
    expect(h.started).toEqual([0, 1, 2, 3]);
    for (const i of [0, 2, 3]) await h.end(i);
    await h.end(4);
    expect(await h.all).toEqual([0, 1, 2, 3, 4]);
  });

  it('a task that throws frees its room', async () => {
    const limit = new InFlight(1, 1, 0);
    await expect(limit.run(10, () => Promise.reject(new Error('failed')))).rejects.toThrow('failed');
    expect(await limit.run(10, () => Promise.resolve('next'))).toBe('next');
  });
});

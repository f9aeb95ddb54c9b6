/**
 * The units converted at once, bounded by their number and by their source bytes. A conversion
 * holds memory in proportion to its unit, and units start largest first: bounded by number alone,
 * a home with many large files converts as many of them at once as of small ones, and its peak
 * memory grows with the home. Here the first `floor` units in flight start whatever their size
 * (one per worker, so that no core waits), and more only while the bytes in flight stay within
 * `budget`. Tasks start in the order they were given.
 */
export class InFlight {
  private running = 0;
  private bytes = 0;
  private readonly waiting: { bytes: number; start: () => void }[] = [];

  constructor(
    private readonly max: number,
    private readonly floor: number,
    private readonly budget: number,
  ) {}

  /** Runs `task`, for a unit of `bytes` source bytes, once there is room for it. */
  async run<T>(bytes: number, task: () => Promise<T>): Promise<T> {
    // A task that waits is counted in when it is started (`startWaiting`), so that the next in line sees the room it takes.
    if (this.waiting.length === 0 && this.fits(bytes)) this.take(bytes);
    else await new Promise<void>((start) => this.waiting.push({ bytes, start }));
    try {
      return await task();
    } finally {
      this.running--;
      this.bytes -= bytes;
      this.startWaiting();
    }
  }

  private take(bytes: number): void {
    this.running++;
    this.bytes += bytes;
  }

  private fits(bytes: number): boolean {
    return this.running < this.floor || (this.running < this.max && this.bytes + bytes <= this.budget);
  }

  /** Starts the waiting tasks that fit now, in order. */
  private startWaiting(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.take(next.bytes);
      next.start();
    }
  }
}

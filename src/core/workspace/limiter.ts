/**
 * Bounds how many async operations run at once (file reads, directory listings), so a walk over
 * 70k files keeps a fixed number of buffers and descriptors alive instead of opening them all.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number, private readonly signal?: AbortSignal) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    this.signal?.throwIfAborted();
    if (this.active >= this.max) {
      // The slot is handed over by the finishing task (see `finally`), so `active` never overshoots.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      this.signal?.throwIfAborted();
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * Lets searches on a provisional map go first: while a search holds, the load that is still measuring the files
 * dispatches no new batch to its workers (those in flight finish), so on a small machine the search has the cores.
 * A hold never outlives its work, so the load always completes.
 */
export class MeasureHolds {
  private held = 0;
  private waiters: (() => void)[] = [];

  /** Runs `work` with measuring held. */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    this.held++;
    try {
      return await work();
    } finally {
      if (--this.held === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Resolves once nothing holds (undefined at once when nothing does). */
  wait(): Promise<void> | undefined {
    return this.held === 0 ? undefined : new Promise((resolve) => this.waiters.push(resolve));
  }
}

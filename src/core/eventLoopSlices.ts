/** Longest stretch of synchronous work before the event loop gets a turn. */
export const SLICE_MS = 15;

/**
 * Long synchronous work cut into slices: call `yield()` between items; it gives the event loop a turn once the
 * current slice has run `SLICE_MS`, so an extension host (or an MCP server's other requests) is never held for long.
 */
export class EventLoopSlices {
  private started = performance.now();

  /**
   * A turn for the event loop once the slice is used up; otherwise nothing to wait for (undefined, not a promise: a
   * loop over 80k files awaits this per file).
   */
  yield(): Promise<void> | undefined {
    if (performance.now() - this.started <= SLICE_MS) return undefined;
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.started = performance.now();
    });
  }
}

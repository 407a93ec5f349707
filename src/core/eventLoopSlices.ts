/** Longest stretch of synchronous work before the event loop gets a turn. */
export const SLICE_MS = 15;

/**
 * Long synchronous work cut into slices: call `yield()` between items; it gives the event loop a turn once the
 * current slice has run `SLICE_MS`, so an extension host (or an MCP server's other requests) is never held for long.
 */
export class EventLoopSlices {
  private started = performance.now();

  async yield(): Promise<void> {
    if (performance.now() - this.started <= SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }
}

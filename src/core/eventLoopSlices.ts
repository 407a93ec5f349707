/** Longest stretch of synchronous work before the event loop gets a turn. */
export const SLICE_MS = 15;

/** Work waiting for its next slice, oldest first, across every EventLoopSlices of the process. */
const waiting: (() => void)[] = [];
let scheduled = false;

/**
 * Resumes one waiting piece of work per turn of the event loop: several long jobs slicing at once (a map measuring,
 * an index building, a question's set-up) take turns instead of running their slices back to back in one turn.
 */
function resumeNext(): void {
  scheduled = false;
  waiting.shift()?.();
  if (waiting.length > 0) {
    scheduled = true;
    setImmediate(resumeNext); // queued from a check-phase callback: runs on the loop's next turn
  }
}

/**
 * Long synchronous work cut into slices: call `yield()` between items; it gives the event loop a turn once the
 * current slice has run `SLICE_MS`, so an extension host (or an MCP server's other requests) is never held for long.
 */
export class EventLoopSlices {
  private started = performance.now();

  async yield(): Promise<void> {
    if (performance.now() - this.started <= SLICE_MS) return;
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(resumeNext);
      }
    });
    this.started = performance.now();
  }
}

/** Longest stretch of synchronous work before the event loop gets a turn. */
export const SLICE_MS = 15;

// One clock and one turn for every sliced loop of the process. Loops resumed in the same turn of the event loop run
// one after another, so with a slice each they held it for as many slices as there were loops: on a kernel's first
// question the listing's folders, the language count, the sandbox's set-up and the measuring walk ran back to back
// for 110-180 ms. Sharing the slice, the loops resumed together use up one slice between them.
let sliceStarted = performance.now();
let nextTurn: Promise<void> | undefined;

/** The event loop's next turn (one promise for every loop waiting for it); the slice starts again then. */
function turn(): Promise<void> {
  nextTurn ??= new Promise<void>((resolve) =>
    setImmediate(() => {
      nextTurn = undefined;
      sliceStarted = performance.now();
      resolve();
    }),
  );
  return nextTurn;
}

/**
 * Long synchronous work cut into slices: call `yield()` between items; it gives the event loop a turn once the
 * current slice has run `SLICE_MS` — a slice every sliced loop of the process shares — so an extension host (or an
 * MCP server's other requests) is never held for long.
 */
export class EventLoopSlices {
  /**
   * A turn for the event loop once the slice is used up; otherwise nothing to wait for (undefined, not a promise: a
   * loop over 80k files awaits this per file).
   */
  yield(): Promise<void> | undefined {
    if (performance.now() - sliceStarted <= SLICE_MS) return undefined;
    return turn();
  }
}

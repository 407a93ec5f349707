import type { RlmEvent } from '../../core/rlm/events';

type Delta = Extract<RlmEvent, { type: 'model-delta' }>;

/**
 * Forwards run events to the webview in order, coalescing streamed model deltas of the same turn into one
 * message per interval: a fast model emits hundreds of tiny deltas a second, and each postMessage is a
 * round trip through the renderer. Any other event flushes the pending delta first, so order is kept.
 */
export class EventThrottle {
  private pending: Delta | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly send: (event: RlmEvent) => void, private readonly intervalMs = 50) {}

  push(event: RlmEvent): void {
    if (event.type !== 'model-delta') {
      this.flush();
      this.send(event);
      return;
    }
    const p = this.pending;
    if (p && p.runId === event.runId && p.depth === event.depth && p.turn === event.turn) {
      this.pending = { ...p, text: p.text + event.text };
    } else {
      this.flush();
      this.pending = { ...event };
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (p) this.send(p);
  }

  /** Drops whatever is pending (a cancelled run's last deltas). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}

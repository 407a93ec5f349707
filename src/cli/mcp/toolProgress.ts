import type { ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import type { RlmEvent } from '../../core/rlm/events';
import { RunProgress } from '../../core/rlm/runProgress';

/** The part of a tool call's `extra` that progress needs. */
export interface ProgressChannel {
  _meta?: { progressToken?: string | number };
  sendNotification(notification: ServerNotification): Promise<void>;
}

/**
 * MCP progress notifications from a run's events: turn, cells, sub-calls and tokens, at most every 250 ms (and at
 * each new turn). Nothing is sent when the client asked for no progress (no progressToken).
 */
export class ToolProgress {
  private step = 0;
  private lastSent = 0;
  private readonly progress = new RunProgress();

  constructor(private readonly channel: ProgressChannel, private readonly label: string) {}

  readonly onEvent = (event: RlmEvent): void => {
    const changed = this.progress.observe(event);
    if (changed === 'turn' || (changed && Date.now() - this.lastSent >= 250)) this.send(`${this.label}: ${this.progress.line()}`);
  };

  /** A plain step message (e.g. "loading the workspace"). */
  note(message: string): void {
    this.send(message);
  }

  private send(message: string): void {
    const token = this.channel._meta?.progressToken;
    if (token === undefined) return;
    this.lastSent = Date.now();
    // A client that went away is not an error of the run.
    void this.channel
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: ++this.step, message } })
      .catch(() => undefined);
  }
}

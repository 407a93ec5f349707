import type { ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import type { RlmEvent } from '../../core/rlm/events';

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
  private turn = 0;
  private maxTurns = 0;
  private cells = 0;
  private subCalls = 0;
  private tokens = 0;
  private lastSent = 0;

  constructor(private readonly channel: ProgressChannel, private readonly label: string) {}

  readonly onEvent = (event: RlmEvent): void => {
    let urgent = false;
    if (event.type === 'turn' && event.depth === 0) {
      this.turn = event.turn;
      this.maxTurns = event.maxTurns;
      urgent = true;
    } else if (event.type === 'cell-output') this.cells++;
    else if (event.type === 'subcall-end') this.subCalls++;
    else if (event.type === 'usage') this.tokens = event.totalTokens;
    else return;
    if (urgent || Date.now() - this.lastSent >= 250) this.send();
  };

  /** A plain step message (e.g. "loading the workspace"). */
  note(message: string): void {
    this.send(message);
  }

  private send(message?: string): void {
    const token = this.channel._meta?.progressToken;
    if (token === undefined) return;
    this.lastSent = Date.now();
    const text =
      message ??
      `${this.label}: turn ${this.turn}/${this.maxTurns} · ${this.cells} cells · ${this.subCalls} sub-calls · ${this.tokens.toLocaleString('en-US')} tokens`;
    // A client that went away is not an error of the run.
    void this.channel
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: ++this.step, message: text } })
      .catch(() => undefined);
  }
}

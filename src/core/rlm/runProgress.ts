import type { RlmEvent } from './events';

/**
 * A run's progress in one line — "turn 2/20 · 3 cells · 5 sub-calls · 12,345 tokens" — from its events, for the
 * places that show a line rather than the trajectory (MCP progress notifications, VS Code's chat and tools).
 */
export class RunProgress {
  private turn = 0;
  private maxTurns = 0;
  private cells = 0;
  private subCalls = 0;
  private tokens = 0;

  /** Takes an event; true when it changed the line (a new root turn is `'turn'`, worth showing at once). */
  observe(event: RlmEvent): false | 'turn' | 'count' {
    if (event.type === 'turn' && event.depth === 0) {
      this.turn = event.turn;
      this.maxTurns = event.maxTurns;
      return 'turn';
    }
    if (event.type === 'cell-output') this.cells++;
    else if (event.type === 'subcall-end') this.subCalls++;
    else if (event.type === 'usage') this.tokens = event.totalTokens;
    else return false;
    return 'count';
  }

  line(): string {
    return `turn ${this.turn}/${this.maxTurns} · ${this.cells} cells · ${this.subCalls} sub-calls · ${this.tokens.toLocaleString('en-US')} tokens`;
  }
}

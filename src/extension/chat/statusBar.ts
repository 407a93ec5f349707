import * as vscode from 'vscode';

/** The status-bar item: idle, or what a run is doing and what it has cost so far. */
export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('recurse.status', vscode.StatusBarAlignment.Left, 50);
  private state = { phase: '', tokens: 0, cost: undefined as number | undefined };

  constructor() {
    this.item.name = 'Recurse';
    this.idle();
    this.item.show();
  }

  idle(note?: string): void {
    this.item.text = `$(search) Recurse${note ? `: ${note}` : ''}`;
    this.item.tooltip = 'Recurse — ask a question about this workspace';
    this.item.command = 'recurse.ask';
    this.item.backgroundColor = undefined;
  }

  start(phase: string): void {
    this.state = { phase, tokens: 0, cost: undefined };
    this.item.command = 'recurse.cancel';
    this.render();
  }

  update(change: { phase?: string; tokens?: number; cost?: number }): void {
    if (change.phase !== undefined) this.state.phase = change.phase;
    if (change.tokens !== undefined) this.state.tokens = change.tokens;
    if (change.cost !== undefined) this.state.cost = change.cost;
    this.render();
  }

  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const { phase, tokens, cost } = this.state;
    const parts = [phase, tokens ? `${formatTokens(tokens)} tokens` : '', cost !== undefined ? `$${cost.toFixed(4)}` : ''].filter(Boolean);
    this.item.text = `$(sync~spin) Recurse: ${parts.join(' · ')}`;
    this.item.tooltip = 'Recurse is working — click to cancel';
  }

  dispose(): void {
    this.item.dispose();
  }
}

function formatTokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

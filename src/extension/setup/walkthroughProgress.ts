import * as vscode from 'vscode';

/** The walkthrough's steps that complete when the user has done something (package.json: contributes.walkthroughs). */
export type WalkthroughStep = 'question' | 'review' | 'trace';

/** Context keys named by the steps' `completionEvents` (onContext:…). */
export const WALKTHROUGH_CONTEXT: Record<WalkthroughStep | 'model', string> = {
  model: 'recurse.modelConfigured',
  question: 'recurse.walkthrough.asked',
  review: 'recurse.walkthrough.reviewed',
  trace: 'recurse.walkthrough.traced',
};

/**
 * Completes the "Get Started with Recurse" walkthrough's steps: each sets a context key its step waits for. What
 * was done is kept in globalState (VS Code keeps the checkmarks itself; the keys are set again after a restart so a
 * step never reads as undone). The model step follows the configuration as it is, both ways.
 */
export const WALKTHROUGH_ID = 'recurse.recurse#gettingStarted';
const OFFERED_KEY = 'recurse.walkthrough.offered';

export class WalkthroughProgress {
  private readonly done = new Set<string>();

  constructor(private readonly state: vscode.Memento) {}

  /** Sets the context keys of the steps done in earlier sessions (after activation: nothing waits on it). */
  restore(): void {
    for (const step of ['question', 'review', 'trace'] as const) {
      if (this.state.get<boolean>(WALKTHROUGH_CONTEXT[step])) this.setContext(WALKTHROUGH_CONTEXT[step], true);
    }
  }

  /**
   * Opens the walkthrough once, the first time the chat is opened with no model configured. VS Code opens an
   * extension's walkthrough on install by itself only when its Welcome service noticed the install (not for a VSIX
   * installed while that service slept, nor from the command line), so a new user meets it on first use either way.
   */
  async offerOnce(configured: boolean): Promise<boolean> {
    if (configured || this.state.get<boolean>(OFFERED_KEY)) return false;
    await this.state.update(OFFERED_KEY, true);
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
    return true;
  }

  mark(step: WalkthroughStep): void {
    const key = WALKTHROUGH_CONTEXT[step];
    if (this.done.has(key)) return;
    this.setContext(key, true);
    void this.state.update(key, true);
  }

  modelConfigured(configured: boolean): void {
    this.setContext(WALKTHROUGH_CONTEXT.model, configured);
  }

  /** The keys set to true in this window, for the tests. */
  get contextKeys(): readonly string[] {
    return [...this.done];
  }

  private setContext(key: string, value: boolean): void {
    if (value) this.done.add(key);
    else this.done.delete(key);
    void vscode.commands.executeCommand('setContext', key, value);
  }
}

import type { HistoryEntry } from '../rlm/followUp';
import type { Sandbox } from '../sandbox/sandbox';
import type { AskResult } from './ask';

/**
 * A chat: questions asked one after the other in one living REPL. Each question is its own run (its own budget);
 * the REPL, with every variable and function earlier cells defined, carries over, and the earlier questions and
 * answers are data in it (`history`), not prompt text. `reset()` starts over with a new REPL (New Chat, another
 * scope or folder); `restore()` takes the history of a chat kept elsewhere (a reload, `recurse ask --session`),
 * whose variables are gone.
 */
export class Conversation {
  private repl: Sandbox | undefined;
  private entries: HistoryEntry[] = [];

  get history(): readonly HistoryEntry[] {
    return this.entries;
  }

  /** What runRlm needs to run the next question as a follow-up. */
  state(): { repl?: Sandbox; history: readonly HistoryEntry[]; keep(repl: Sandbox): void } {
    return { repl: this.repl, history: [...this.entries], keep: (repl) => (this.repl = repl) };
  }

  /** Records an answered question (a failed or cancelled one is not history, though its variables stay). */
  record(question: string, result: AskResult): HistoryEntry {
    const entry: HistoryEntry = {
      question,
      answer: result.answer,
      citations: result.citations.map((c) => ({ path: c.resolvedPath ?? c.path, startLine: c.startLine, endLine: c.endLine, valid: c.valid })),
      usage: {
        totalTokens: result.usage.totalTokens, iterations: result.usage.iterations, subCalls: result.usage.subCalls,
        ...(result.usage.cost !== undefined ? { cost: result.usage.cost } : {}),
      },
    };
    this.entries.push(entry);
    return entry;
  }

  /** Earlier questions kept elsewhere; the REPL (if any) is dropped, since its variables belong to another past. */
  restore(history: readonly HistoryEntry[]): void {
    this.reset();
    this.entries = history.map((h) => ({ ...h, citations: [...h.citations] }));
  }

  reset(): void {
    this.repl?.dispose();
    this.repl = undefined;
    this.entries = [];
  }

  dispose(): void {
    this.reset();
  }
}

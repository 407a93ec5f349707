import type { HistoryEntry } from '../../core/rlm/followUp';
import type { Conversation } from '../../core/workflows/conversation';
import { loadCore } from '../loadCore';
import type { HistoryRun } from './protocol';

/** Said once in the chat when a conversation's questions come back after a reload without its REPL. */
export const REPL_RESTARTED = 'The window was reloaded: earlier questions are still in `history`, but the REPL\'s variables from before are gone.';

/**
 * The chat's one conversation: one REPL across its questions, for one folder (or the whole workspace) and one
 * scope. Asking in another folder or scope, or New Chat, starts a new REPL. After a window reload the chat's stored
 * answers become `history` again (their variables are gone, which the chat says once).
 */
export class ChatConversation {
  private current: Conversation | undefined;
  private key: string | undefined;

  constructor(private readonly stored: () => readonly HistoryRun[], private readonly say: (message: string) => void) {}

  /** The conversation for a question asked in `key` (folder and scope). */
  for(key: string): Conversation {
    if (this.current && this.key === key) return this.current;
    const fresh = !this.current;
    this.reset();
    this.key = key;
    this.current = new (loadCore().Conversation)();
    const earlier = fresh ? this.stored().filter((r) => r.status === 'answered' && r.answer !== undefined).map(toEntry) : [];
    if (earlier.length) {
      this.current.restore(earlier);
      this.say(REPL_RESTARTED);
    }
    return this.current;
  }

  /** New Chat: nothing carries over. */
  reset(): void {
    this.current?.dispose();
    this.current = undefined;
    this.key = undefined;
  }

  dispose(): void {
    this.reset();
  }
}

function toEntry(run: HistoryRun): HistoryEntry {
  return {
    question: run.question,
    answer: run.answer ?? '',
    citations: (run.citations ?? []).map((c) => ({ path: c.folder ? `${c.folder}/${c.path}` : c.path, startLine: c.startLine, endLine: c.endLine, valid: c.valid })),
    usage: {
      totalTokens: run.usage?.totalTokens ?? 0, iterations: run.usage?.iterations ?? 0, subCalls: run.usage?.subCalls ?? 0,
      ...(run.usage?.cost !== undefined ? { cost: run.usage.cost } : {}),
    },
  };
}

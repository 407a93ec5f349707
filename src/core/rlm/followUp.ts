import type { Sandbox } from '../sandbox/sandbox';

/** An earlier question of a conversation, as the REPL's read-only `history` global holds it (oldest first). */
export interface HistoryEntry {
  question: string;
  answer: string;
  citations: { path: string; startLine: number; endLine: number; valid: boolean }[];
  usage: { totalTokens: number; iterations: number; subCalls: number; cost?: number };
}

/**
 * What a root run needs to be a follow-up: the conversation's REPL (absent before the first question, or after it
 * was reset), its earlier questions, and where to hand the REPL back so the next question finds its variables.
 */
export interface ConversationState {
  repl?: Sandbox;
  history: readonly HistoryEntry[];
  keep(repl: Sandbox): void;
}

const ANSWER_HEAD = 300;
const QUESTION_HEAD = 300;

/**
 * The lines a follow-up's first message adds: how many questions came before, and the last one with the head of its
 * answer — bounded, so the first prompt stays the same size however long the chat grows; the rest is in `history`.
 */
export function followUpNote(history: readonly HistoryEntry[], replKept: boolean): string {
  const last = history[history.length - 1];
  if (!last) return '';
  const n = history.length;
  const head = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`);
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  return [
    `This is a follow-up. Earlier questions of this conversation: ${n}, in the read-only \`history\` global` +
      ' (`history[i].question`, `.answer`, `.citations`, `.usage`, oldest first).',
    replKept
      ? 'The REPL is the same one: variables and functions your earlier cells defined are still there.'
      : 'The REPL was restarted since (a reload): earlier variables are gone, `history` is not.',
    `The last question was: ${head(flat(last.question), QUESTION_HEAD)}`,
    `Its answer began: ${head(flat(last.answer), ANSWER_HEAD)}`,
  ].join('\n');
}

import type { TokenUsage } from '../llm/chatModel';

/**
 * Everything an RLM run reports while it works. The CLI prints these, the webview renders them, and the
 * trajectory is built from them, so a run can be watched live and replayed later from the same stream.
 * `depth` is 0 for the root RLM and grows by one for each child started with rlm_query.
 */
export type RlmEvent =
  | { type: 'run-start'; runId: string; depth: number; question: string; files: number }
  | { type: 'turn'; runId: string; depth: number; turn: number; maxTurns: number }
  /** `thinking`: a reasoning delta (`reasoning_content` / `reasoning`), shown as thinking, not as the response. */
  | { type: 'model-delta'; runId: string; depth: number; turn: number; text: string; thinking?: boolean }
  /** A model call failed and will be retried: deltas streamed since the turn began belong to the failed attempt. */
  | { type: 'model-retry'; runId: string; depth: number; turn: number; attempt: number; delayMs: number; message: string }
  /** `text` without the thinking, which is in `thinking` (inline <think> blocks and reasoning fields). */
  | { type: 'model-text'; runId: string; depth: number; turn: number; text: string; thinking?: string }
  | { type: 'cell-start'; runId: string; depth: number; turn: number; cell: number; code: string }
  | { type: 'cell-output'; runId: string; depth: number; turn: number; cell: number; output: string; error?: string; durationMs: number }
  | { type: 'subcall-start'; runId: string; id: number; depth: number; kind: 'llm' | 'rlm'; prompt: string }
  /** `cached`: answered from the sub-call cache, at no cost. */
  | { type: 'subcall-end'; runId: string; id: number; depth: number; kind: 'llm' | 'rlm'; ok: boolean; result: string; durationMs: number; cached?: boolean }
  /** `endpoint`: the base URL that answered (sub-calls spread over a pool of endpoints). */
  | { type: 'usage'; runId: string; depth: number; model: string; endpoint?: string; usage: TokenUsage; totalTokens: number; cost?: number }
  | { type: 'notice'; runId: string; depth: number; message: string }
  | { type: 'finish'; runId: string; depth: number; answer: string; forced: boolean; reason: FinishReason }
  | { type: 'error'; runId: string; depth: number; message: string };

/** Why a run ended: the model finished, or a budget ran out and the answer was forced from what was known. */
export type FinishReason = 'finish' | 'final' | 'iterations' | 'tokens' | 'time' | 'sub-calls' | 'no-answer';

export type RlmEventListener = (event: RlmEvent) => void;

/** Shortens text for previews in events and logs; the full text stays in the trajectory. */
export function preview(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

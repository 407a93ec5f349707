import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChatMessage } from '../llm/chatModel';
import type { RlmEvent } from './events';

/**
 * The trajectory format's version. 1: events and conversations (sub-call prompts and answers only as previews);
 * 2: also `subCalls`, every sub-call's whole prompt and answer, which is what a replay needs. Readers take every
 * version up to this one (see replay/recordedRun.ts).
 */
export const TRAJECTORY_VERSION = 2;

/** A sub-call as it was asked and answered (`ok` false: `result` is the error its helper threw). */
export interface RecordedSubCall {
  /** The run that made the call (its cells called the helper). */
  runId: string;
  id: number;
  kind: 'llm' | 'rlm';
  prompt: string;
  ok: boolean;
  result: string;
}

/**
 * The whole record of a question: every event (streamed deltas folded into the full model text) and the
 * final message list of each RLM in the tree, so a run can be inspected or replayed after the fact.
 */
export class Trajectory {
  readonly startedAt = new Date().toISOString();
  readonly events: (RlmEvent & { at: number })[] = [];
  readonly conversations: Record<string, { depth: number; messages: ChatMessage[] }> = {};
  readonly subCalls: RecordedSubCall[] = [];
  private readonly t0 = Date.now();

  record(event: RlmEvent): void {
    if (event.type === 'model-delta') return;
    this.events.push({ ...event, at: Date.now() - this.t0 });
  }

  recordSubCall(call: RecordedSubCall): void {
    this.subCalls.push(call);
  }

  setConversation(runId: string, depth: number, messages: ChatMessage[]): void {
    this.conversations[runId] = { depth, messages };
  }

  toJSON(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { version: TRAJECTORY_VERSION, startedAt: this.startedAt, ...extra, events: this.events, conversations: this.conversations, subCalls: this.subCalls };
  }

  async save(file: string, extra: Record<string, unknown> = {}): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(this.toJSON(extra), null, 2) + '\n', 'utf8');
  }
}

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChatMessage } from '../llm/chatModel';
import type { RlmEvent } from './events';

/**
 * The whole record of a question: every event (streamed deltas folded into the full model text) and the
 * final message list of each RLM in the tree, so a run can be inspected or replayed after the fact.
 */
export class Trajectory {
  readonly startedAt = new Date().toISOString();
  readonly events: (RlmEvent & { at: number })[] = [];
  readonly conversations: Record<string, { depth: number; messages: ChatMessage[] }> = {};
  private readonly t0 = Date.now();

  record(event: RlmEvent): void {
    if (event.type === 'model-delta') return;
    this.events.push({ ...event, at: Date.now() - this.t0 });
  }

  setConversation(runId: string, depth: number, messages: ChatMessage[]): void {
    this.conversations[runId] = { depth, messages };
  }

  toJSON(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { version: 1, startedAt: this.startedAt, ...extra, events: this.events, conversations: this.conversations };
  }

  async save(file: string, extra: Record<string, unknown> = {}): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(this.toJSON(extra), null, 2) + '\n', 'utf8');
  }
}

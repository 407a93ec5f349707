import type { ChatModel, ChatRequest, ChatResponse } from '../llm/chatModel';
import type { RecordedSubCall } from '../rlm/trajectory';
import type { HostFunction } from '../sandbox/sandbox';

/** The replay ran past what was recorded: the run asked for a reply or a sub-call answer it never had. */
export class OffTheRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OffTheRecordError';
  }
}

/** The root model of a replay: the recorded replies, one per request, in order. */
export class RecordedReplies implements ChatModel {
  private next = 0;

  constructor(readonly model: string, private readonly replies: readonly string[]) {}

  async complete(request: ChatRequest): Promise<ChatResponse> {
    request.signal?.throwIfAborted();
    if (this.next >= this.replies.length) {
      throw new OffTheRecordError(`the run asked for a reply to turn ${this.next + 1}; the trajectory has ${this.replies.length}`);
    }
    const text = this.replies[this.next++];
    return { text, model: this.model, usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
  }

  get used(): number {
    return this.next;
  }
}

/**
 * The sub-calls of a replay, answered from the record: llm_query, llm_query_batched and rlm_query return what the
 * recorded call with the same prompt returned (or throw what it threw). A prompt asked more often than recorded
 * (identical prompts in flight at once were sent once) gets its last answer again; one never recorded is off the
 * record, and the cell that asked shows it.
 */
export class RecordedAnswers {
  private readonly byPrompt = new Map<string, RecordedSubCall[]>();
  private readonly last = new Map<string, RecordedSubCall>();

  constructor(calls: readonly RecordedSubCall[]) {
    for (const c of [...calls].sort((a, b) => a.id - b.id)) {
      const key = `${c.kind}\0${c.prompt}`;
      const list = this.byPrompt.get(key) ?? [];
      list.push(c);
      this.byPrompt.set(key, list);
    }
  }

  answer(kind: 'llm' | 'rlm', prompt: string): string {
    const key = `${kind}\0${prompt}`;
    const call = this.byPrompt.get(key)?.shift() ?? this.last.get(key);
    if (!call) throw new OffTheRecordError(`replay: no recorded ${kind === 'llm' ? 'llm_query' : 'rlm_query'} with this prompt: ${prompt.slice(0, 120)}`);
    this.last.set(key, call);
    if (!call.ok) throw new Error(call.result);
    return call.result;
  }

  /** The sub-call helpers, as the cells call them (arguments checked as the real ones check them). */
  helpers(): Record<string, HostFunction> {
    const text = (helper: string, v: unknown): string => {
      if (typeof v !== 'string') throw new Error(`${helper}: prompt must be a string`);
      return v;
    };
    return {
      llm_query: async (prompt: unknown) => this.answer('llm', text('llm_query', prompt)),
      llm_query_batched: async (prompts: unknown) => {
        if (!Array.isArray(prompts) || prompts.some((p) => typeof p !== 'string')) throw new Error('llm_query_batched: prompts must be an array of strings');
        return (prompts as string[]).map((p) => {
          try {
            return this.answer('llm', p);
          } catch (err) {
            return `Error: ${(err as Error).message}`;
          }
        });
      },
      rlm_query: async (question: unknown) => this.answer('rlm', text('rlm_query', question)),
    };
  }
}

import type { ChatModel, ChatRequest, ChatResponse } from '../llm/chatModel';
import type { RecordedSubCall } from '../rlm/trajectory';
import type { RecordedChild } from './recordedRun';

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
    return reply(this.model, this.replies[this.next++]);
  }

  get used(): number {
    return this.next;
  }
}

/**
 * The recorded sub-call answers, by prompt: what the recorded call with the same prompt returned (or the error it
 * failed with). A prompt asked more often than recorded (identical prompts in flight at once were sent once) gets
 * its last answer again; one never recorded is off the record, and the cell that asked shows it.
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
}

/**
 * The sub-model of a replay. An llm_query prompt (one user message) gets its recorded answer; a child run of
 * rlm_query (a system prompt, then "Question: …") gets the recorded child's reply for its turn, so the child's
 * cells run again too.
 */
export class RecordedSubModel implements ChatModel {
  constructor(readonly model: string, private readonly children: readonly RecordedChild[], private readonly answers: RecordedAnswers) {}

  async complete(request: ChatRequest): Promise<ChatResponse> {
    request.signal?.throwIfAborted();
    const { messages } = request;
    if (!messages.some((m) => m.role === 'system')) {
      const prompt = messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
      return reply(this.model, this.answers.answer('llm', prompt));
    }
    const first = messages.find((m) => m.role === 'user')?.content ?? '';
    const turn = messages.filter((m) => m.role === 'assistant').length;
    const same = this.children.filter((c) => first.startsWith(`Question: ${c.question}\n`));
    const child = same.find((c) => turn < c.replies.length) ?? same[0];
    if (!child) throw new OffTheRecordError(`replay: no recorded child run asked this question: ${first.slice(10, 130)}`);
    if (turn >= child.replies.length) throw new OffTheRecordError(`the child run asked for a reply to turn ${turn + 1}; the trajectory has ${child.replies.length}`);
    return reply(this.model, child.replies[turn]);
  }
}

function reply(model: string, text: string): ChatResponse {
  return { text, model, usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
}

import * as vscode from 'vscode';
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse } from '../../core/llm/chatModel';
import type { EndpointWindow } from '../../core/llm/contextWindow';
import { loadCore } from '../loadCore';

const JUSTIFICATION = 'Recurse uses the model to explore this workspace and answer your question.';

/**
 * A ChatModel over VS Code's Language Model API, so a user with a chat model installed in VS Code needs no key.
 * The stable API has no system role, so system text is sent as the first user message; consecutive messages of
 * one role are merged because some providers reject two user turns in a row. Usage is estimated (chars/4): the API
 * reports none, and counting with the provider's tokenizer costs a round trip per message.
 */
export class VsCodeLmModel implements ChatModel {
  readonly model: string;
  readonly endpoint = 'vscode-lm';

  constructor(private readonly chat: vscode.LanguageModelChat) {
    this.model = chat.id;
  }

  /** VS Code says how many tokens the model takes in. */
  async contextWindow(): Promise<EndpointWindow | undefined> {
    const tokens = this.chat.maxInputTokens;
    return tokens > 0 ? { tokens, via: `${this.chat.vendor} maxInputTokens` } : undefined;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const { ChatModelError, estimateTokens } = loadCore();
    if (request.signal?.aborted) throw new ChatModelError('cancelled', 'The request was cancelled.');
    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.chat.sendRequest(toLmMessages(request.messages), { justification: JUSTIFICATION }, cts.token);
      let text = '';
      for await (const piece of response.text) {
        if (request.signal?.aborted) break;
        text += piece;
        request.onDelta?.(piece);
      }
      if (request.signal?.aborted) throw new ChatModelError('cancelled', 'The request was cancelled.');
      const promptTokens = estimateTokens(request.messages.map((m) => m.content).join('\n'));
      const completionTokens = estimateTokens(text);
      return {
        text,
        model: this.chat.id,
        finishReason: 'stop',
        usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true },
      };
    } catch (err) {
      if (err instanceof ChatModelError) throw err;
      if (request.signal?.aborted || err instanceof vscode.CancellationError) {
        throw new ChatModelError('cancelled', 'The request was cancelled.', { cause: err });
      }
      if (err instanceof vscode.LanguageModelError) {
        const kind = err.code === vscode.LanguageModelError.NoPermissions().code ? 'auth'
          : err.code === vscode.LanguageModelError.Blocked().code ? 'rate-limit'
          : err.code === vscode.LanguageModelError.NotFound().code ? 'config'
          : 'server';
        throw new ChatModelError(kind, `${this.chat.name} (${this.chat.vendor}): ${err.message}`, { cause: err });
      }
      throw new ChatModelError('server', `${this.chat.name} (${this.chat.vendor}) failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }
}

export function toLmMessages(messages: ChatMessage[]): vscode.LanguageModelChatMessage[] {
  const merged: { role: 'user' | 'assistant'; content: string }[] = [];
  for (const m of messages) {
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const last = merged[merged.length - 1];
    if (last && last.role === role) last.content += `\n\n${m.content}`;
    else merged.push({ role, content: m.content });
  }
  return merged.map((m) =>
    m.role === 'user' ? vscode.LanguageModelChatMessage.User(m.content) : vscode.LanguageModelChatMessage.Assistant(m.content),
  );
}

/** The chat model named by `wanted` (an id or a family), or the first one available when `wanted` is empty. */
export async function selectLmModel(wanted: string): Promise<vscode.LanguageModelChat> {
  const all = await vscode.lm.selectChatModels();
  const chosen = wanted ? all.find((m) => m.id === wanted) ?? all.find((m) => m.family === wanted) : all[0];
  if (chosen) return chosen;
  const { ChatModelError } = loadCore();
  if (!all.length) {
    throw new ChatModelError('config', 'No chat model is available through VS Code\'s Language Model API. Install a chat model provider, ' +
      'or set "recurse.provider" to "openai".');
  }
  throw new ChatModelError('config', `No VS Code chat model has the id or family "${wanted}". Available: ` +
    `${all.map((m) => `${m.id} (${m.family})`).join(', ')}.`);
}

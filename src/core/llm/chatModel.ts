// The provider-neutral chat interface. The RLM engine talks only to this, so an OpenAI-compatible HTTP endpoint
// and the VS Code language-model API are interchangeable.
import type { EndpointWindow } from './contextWindow';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** True when the provider reported no usage and the numbers are a chars/4 estimate. */
  estimated?: boolean;
  /** Prompt tokens the provider read from its prompt cache (part of promptTokens), billed at a lower rate. */
  cachedPromptTokens?: number;
}

/** Emitted before a retry, so a caller that displayed streamed deltas can discard the failed attempt's text. */
export interface RetryEvent {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: ChatModelError;
}

export interface ChatRequest {
  messages: ChatMessage[];
  signal?: AbortSignal;
  onDelta?: (text: string) => void;
  /** Reasoning streamed apart from the content (`reasoning_content` or `reasoning` deltas). */
  onReasoningDelta?: (text: string) => void;
  /** Deltas emitted before this event belong to an abandoned attempt. */
  onRetry?: (event: RetryEvent) => void;
  maxTokens?: number;
  temperature?: number;
}

export interface ChatResponse {
  text: string;
  /** Reasoning the provider sent apart from the content, when it did. */
  reasoning?: string;
  usage: TokenUsage;
  model: string;
  finishReason?: string;
  /** The endpoint that answered and the model name it was asked for (what prices and per-endpoint usage go by). */
  servedBy?: { endpoint: string; model: string };
}

export interface ChatModel {
  readonly model: string;
  /** Where the model is served (a base URL, `vscode-lm`): with `model`, what identifies its answers (sub-call cache). */
  readonly endpoint?: string;
  complete(request: ChatRequest): Promise<ChatResponse>;
  /** The context window the endpoint says it serves this model with, when it says (memoized by the model). */
  contextWindow?(signal?: AbortSignal): Promise<EndpointWindow | undefined>;
}

export type ChatModelErrorKind =
  | 'auth'
  | 'rate-limit'
  | 'server'
  | 'timeout'
  | 'network'
  | 'bad-response'
  | 'cancelled'
  | 'config'
  /** The server rejected the request itself (400/404/422: unknown model, context too long...). Not retried. */
  | 'invalid-request';

export class ChatModelError extends Error {
  readonly kind: ChatModelErrorKind;
  readonly status?: number;

  constructor(kind: ChatModelErrorKind, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChatModelError';
    this.kind = kind;
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** Rough token count used when a provider reports no usage; ~4 characters per token for English and code. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

// ChatModel over any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio, ...).
// Retries are done here rather than by the SDK: the SDK cannot see a stream that stalls after the headers, nor
// a 200 response whose body is not a chat completion, and both happen in practice with local servers and proxies.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import {
  ChatModel,
  ChatModelError,
  ChatRequest,
  ChatResponse,
  TokenUsage,
  estimateTokens,
} from './chatModel';
import type { EndpointWindow } from './contextWindow';
import { discoverEndpointWindow } from './endpointWindow';
import { endpointFetch } from './endpointFetch';

export interface OpenAICompatibleModelOptions {
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1, https://x.openai.azure.com/openai/deployments/NAME */
  baseURL: string;
  /** Empty for servers that need none (Ollama, vLLM, LM Studio). */
  apiKey?: string;
  model: string;
  /** Limit for the response headers (streaming) or the whole response (non-streaming). Default 120 s. */
  timeoutMs?: number;
  /** Limit on silence between streamed chunks once the headers arrived. Default 60 s. */
  idleTimeoutMs?: number;
  /** Retries of transient failures (429, 5xx, timeouts, connection errors). Default 4. */
  maxRetries?: number;
  /** Retries of malformed responses, which rarely fix themselves. Default 2 (never more than maxRetries). */
  maxBadResponseRetries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 500 ms. */
  retryBaseMs?: number;
  /** Cap for a backoff delay and for a server's Retry-After. Default 30 s. */
  retryMaxDelayMs?: number;
  /** Default true. */
  stream?: boolean;
  headers?: Record<string, string>;
  /** Azure OpenAI: sent as the api-version query parameter; the key then goes in the api-key header. */
  apiVersion?: string;
}

const DEFAULT_AZURE_API_VERSION = '2024-10-21';
const KEY_HELP =
  'Set the API key with the OPENAI_API_KEY environment variable, the --api-key flag, or "apiKey" in ' +
  '~/.config/recurse/config.json (or <workspace>/.recurse.json).';

type AbortReason = 'cancelled' | 'timeout' | 'idle';

/** Wraps an exception thrown by the caller's own onDelta so it propagates untouched and is never retried. */
class CallbackFailure {
  constructor(readonly error: unknown) {}
}

export class OpenAICompatibleModel implements ChatModel {
  readonly model: string;
  readonly baseURL: string;
  private readonly client: OpenAI;
  private readonly timeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxBadResponseRetries: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly stream: boolean;
  private readonly azure: boolean;
  private readonly probeHeaders: Record<string, string>;
  private windowProbe: Promise<EndpointWindow | undefined> | undefined;
  /** Retry-After of a rate-limit error, kept beside the error rather than on its public shape. */
  private readonly retryAfter = new WeakMap<ChatModelError, number>();

  constructor(options: OpenAICompatibleModelOptions) {
    if (!options.baseURL) throw new ChatModelError('config', 'OpenAICompatibleModel needs a baseURL.');
    if (!options.model) throw new ChatModelError('config', 'OpenAICompatibleModel needs a model name.');
    this.model = options.model;
    this.baseURL = options.baseURL.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.maxRetries = Math.max(0, options.maxRetries ?? 4);
    this.maxBadResponseRetries = Math.min(this.maxRetries, Math.max(0, options.maxBadResponseRetries ?? 2));
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 30_000;
    this.stream = options.stream ?? true;

    const apiKey = options.apiKey || 'not-needed';
    const azure = options.apiVersion !== undefined || isAzureHost(this.baseURL);
    const defaultHeaders: Record<string, string | null> = { ...options.headers };
    let defaultQuery: Record<string, string> | undefined;
    if (azure) {
      defaultQuery = { 'api-version': options.apiVersion ?? DEFAULT_AZURE_API_VERSION };
      defaultHeaders['api-key'] = apiKey;
      // Azure would try to read a bearer token as an Entra ID token; the key travels in api-key instead.
      defaultHeaders['Authorization'] = null;
    }
    this.azure = azure;
    this.probeHeaders = { ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };
    this.client = new OpenAI({
      baseURL: this.baseURL,
      apiKey,
      maxRetries: 0,
      // Our own timer (same limit) fires first and tells apart timeout, stall and cancellation.
      timeout: this.timeoutMs + 1_000,
      defaultHeaders,
      defaultQuery,
      logLevel: 'off',
      fetch: fetchKeepingErrorWords,
    });
  }

  get endpoint(): string {
    return this.baseURL;
  }

  /** A rate-limit error's Retry-After in milliseconds, when this endpoint's server sent one with its 429. */
  retryAfterMs(error: ChatModelError): number | undefined {
    return this.retryAfter.get(error);
  }

  /** What the server says about the model's window (asked once per model object); Azure deployments say nothing. */
  contextWindow(signal?: AbortSignal): Promise<EndpointWindow | undefined> {
    if (this.azure) return Promise.resolve(undefined);
    if (!this.windowProbe) {
      const probe = discoverEndpointWindow({ baseURL: this.baseURL, model: this.model, headers: this.probeHeaders, signal });
      this.windowProbe = probe;
      // A probe cut short by a cancelled run is asked again next time.
      void probe.then(() => {
        if (signal?.aborted && this.windowProbe === probe) this.windowProbe = undefined;
      });
    }
    return this.windowProbe;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    let retries = 0;
    let badResponses = 0;
    for (;;) {
      if (request.signal?.aborted) throw cancelledError();
      let error: ChatModelError;
      try {
        return { ...(await this.attempt(request)), servedBy: { endpoint: this.baseURL, model: this.model } };
      } catch (e) {
        if (e instanceof CallbackFailure) throw e.error;
        error = e instanceof ChatModelError ? e : new ChatModelError('network', String(e), { cause: e });
      }
      if (!isRetryable(error)) throw error;
      if (error.kind === 'bad-response' && badResponses >= this.maxBadResponseRetries) throw withAttempts(error, retries + 1);
      if (retries >= this.maxRetries) throw withAttempts(error, retries + 1);
      if (error.kind === 'bad-response') badResponses++;
      retries++;
      const delayMs = this.retryDelay(retries, this.retryAfter.get(error));
      request.onRetry?.({ attempt: retries, delayMs, error });
      await sleep(delayMs, request.signal);
    }
  }

  private retryDelay(retry: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.retryMaxDelayMs);
    const exp = Math.min(this.retryMaxDelayMs, this.retryBaseMs * 2 ** (retry - 1));
    // Jitter keeps parallel sub-calls that failed together from retrying in lockstep.
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }

  private async attempt(request: ChatRequest): Promise<ChatResponse> {
    const controller = new AbortController();
    let reason: AbortReason | undefined;
    const abort = (r: AbortReason) => {
      if (reason) return;
      reason = r;
      controller.abort();
    };
    const onUserAbort = () => abort('cancelled');
    request.signal?.addEventListener('abort', onUserAbort, { once: true });
    let timer: NodeJS.Timeout | undefined = setTimeout(() => abort('timeout'), this.timeoutMs);
    const armIdle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => abort('idle'), this.idleTimeoutMs);
    };

    const body = {
      model: this.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    };
    const requestOptions = { signal: controller.signal, maxRetries: 0 };
    try {
      if (!this.stream) {
        const raw: unknown = await this.client.chat.completions.create({ ...body, stream: false }, requestOptions);
        if (reason) throw this.abortError(reason);
        return this.parseCompletion(raw, request);
      }

      const stream = await this.client.chat.completions.create(
        { ...body, stream: true, stream_options: { include_usage: true } },
        requestOptions,
      );
      armIdle();
      let text = '';
      let reasoning = '';
      let chunks = 0;
      let model: string | undefined;
      let finishReason: string | undefined;
      let usage: TokenUsage | undefined;
      for await (const chunk of stream as AsyncIterable<unknown>) {
        armIdle();
        chunks++;
        const c = chunk as any;
        if (!c || typeof c !== 'object' || !Array.isArray(c.choices)) {
          throw new ChatModelError(
            'bad-response',
            `${this.where()} streamed a chunk that is not a chat.completion.chunk: ${snippet(chunk)}`,
          );
        }
        if (typeof c.model === 'string' && c.model) model = c.model;
        if (c.usage) usage = toUsage(c.usage);
        const choice = c.choices[0];
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        const thought = choice?.delta?.reasoning_content ?? choice?.delta?.reasoning;
        if (typeof thought === 'string' && thought.length > 0) {
          reasoning += thought;
          try {
            request.onReasoningDelta?.(thought);
          } catch (e) {
            throw new CallbackFailure(e);
          }
        }
        const delta = choice?.delta?.content;
        if (typeof delta === 'string' && delta.length > 0) {
          text += delta;
          try {
            request.onDelta?.(delta);
          } catch (e) {
            throw new CallbackFailure(e);
          }
        }
      }
      // The SDK ends the iteration quietly when aborted, so the reason must be checked here.
      if (reason) throw this.abortError(reason);
      if (chunks === 0) {
        throw new ChatModelError(
          'bad-response',
          `${this.where()} answered the streaming request without any server-sent events ` +
            '(is the base URL an OpenAI-compatible /v1 endpoint?).',
        );
      }
      return {
        text,
        ...(reasoning ? { reasoning } : {}),
        usage: usage ?? estimateUsage(request, text),
        model: model ?? this.model,
        ...(finishReason ? { finishReason } : {}),
      };
    } catch (e) {
      if (e instanceof CallbackFailure || e instanceof ChatModelError) throw e;
      throw this.classify(e, reason);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onUserAbort);
    }
  }

  private parseCompletion(raw: unknown, request: ChatRequest): ChatResponse {
    const r = raw as any;
    if (typeof raw === 'string') {
      throw new ChatModelError('bad-response', `${this.where()} returned text instead of JSON: ${snippet(raw)}`);
    }
    if (!r || typeof r !== 'object' || !Array.isArray(r.choices) || !r.choices[0]?.message) {
      throw new ChatModelError(
        'bad-response',
        `${this.where()} returned JSON that is not a chat completion (no choices[0].message): ${snippet(raw)}`,
      );
    }
    const choice = r.choices[0];
    const text = typeof choice.message.content === 'string' ? choice.message.content : '';
    const reasoning = choice.message.reasoning_content ?? choice.message.reasoning;
    return {
      text,
      ...(typeof reasoning === 'string' && reasoning ? { reasoning } : {}),
      usage: r.usage ? toUsage(r.usage) : estimateUsage(request, text),
      model: typeof r.model === 'string' && r.model ? r.model : this.model,
      ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
    };
  }

  private abortError(reason: AbortReason): ChatModelError {
    switch (reason) {
      case 'cancelled':
        return cancelledError();
      case 'timeout':
        return new ChatModelError('timeout', `${this.where()} did not answer within ${this.timeoutMs} ms.`);
      case 'idle':
        return new ChatModelError(
          'timeout',
          `${this.where()} stalled: the stream sent nothing for ${this.idleTimeoutMs} ms.`,
        );
    }
  }

  private classify(e: unknown, reason: AbortReason | undefined): ChatModelError {
    if (reason) return this.abortError(reason);
    if (e instanceof APIUserAbortError) return cancelledError();
    if (e instanceof APIConnectionTimeoutError) return this.abortError('timeout');
    if (e instanceof APIConnectionError) {
      return new ChatModelError('network', `Cannot reach ${this.where()}: ${causeMessage(e)}`, { cause: e });
    }
    if (e instanceof APIError) {
      const status = e.status;
      // The SDK's message repeats the status ("401 Incorrect API key…"), which the messages below already give.
      const detail = e.message.replace(/^\d{3}\s+/, '').replace(/\.+$/, '');
      if (status === 401 || status === 403) {
        return new ChatModelError(
          'auth',
          `${this.where()} rejected the credentials (${status}): ${detail}. ${KEY_HELP}`,
          { status, cause: e },
        );
      }
      if (status === 429) {
        const err = new ChatModelError('rate-limit', `${this.where()} is rate limiting (429): ${detail}`, {
          status,
          cause: e,
        });
        const after = parseRetryAfter(e.headers);
        if (after !== undefined) this.retryAfter.set(err, after);
        return err;
      }
      if (status === 408) return new ChatModelError('timeout', `${this.where()} timed out (408): ${detail}`, { status, cause: e });
      if (status === undefined || status >= 500 || status === 409) {
        // status undefined: an error object sent inside the stream.
        return new ChatModelError('server', `${this.where()} failed${status ? ` (${status})` : ''}: ${detail}`, {
          status,
          cause: e,
        });
      }
      const hint = status === 404 ? ` Check the base URL and that the model "${this.model}" exists.` : '';
      return new ChatModelError('invalid-request', `${this.where()} refused the request (${status}): ${detail}.${hint}`, {
        status,
        cause: e,
      });
    }
    if (e instanceof SyntaxError) {
      return new ChatModelError('bad-response', `${this.where()} sent malformed JSON: ${e.message}`, { cause: e });
    }
    // undici reports a connection dropped mid-body as TypeError('terminated').
    if (e instanceof TypeError || (e instanceof Error && /ECONNRESET|socket|terminated/i.test(e.message))) {
      return new ChatModelError('network', `Connection to ${this.where()} failed: ${causeMessage(e)}`, { cause: e });
    }
    return new ChatModelError('bad-response', `${this.where()}: unexpected error: ${String(e)}`, { cause: e });
  }

  private where(): string {
    return `model "${this.model}" at ${this.baseURL}`;
  }
}

/**
 * Error bodies as servers other than OpenAI send them — vLLM's `{object: "error", message}`, FastAPI's `{detail}`,
 * Ollama's `{error: "text"}` — put in OpenAI's `{error: {message}}` shape, so the SDK keeps the server's words
 * (without this a vLLM "maximum context length is 8192 tokens" arrives as "400 status code (no body)").
 */
async function fetchKeepingErrorWords(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await endpointFetch(url, init);
  if (response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return response;
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const words = body?.error === undefined ? (body?.message ?? body?.detail) : typeof body.error === 'string' ? body.error : undefined;
  const normalized = words === undefined ? text : JSON.stringify({ error: { ...(typeof body.error === 'object' ? body.error : {}), message: typeof words === 'string' ? words : JSON.stringify(words) } });
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(normalized, { status: response.status, statusText: response.statusText, headers });
}

function isAzureHost(baseURL: string): boolean {
  try {
    const host = new URL(baseURL).hostname;
    return host.endsWith('.openai.azure.com') || host.endsWith('.cognitiveservices.azure.com');
  } catch {
    return false;
  }
}

function isRetryable(error: ChatModelError): boolean {
  return ['rate-limit', 'server', 'timeout', 'network', 'bad-response'].includes(error.kind);
}

function withAttempts(error: ChatModelError, attempts: number): ChatModelError {
  if (attempts <= 1) return error;
  return new ChatModelError(error.kind, `${error.message} (gave up after ${attempts} attempts)`, {
    status: error.status,
    cause: error.cause,
  });
}

function cancelledError(): ChatModelError {
  return new ChatModelError('cancelled', 'The model request was cancelled.');
}

function toUsage(u: any): TokenUsage {
  const promptTokens = Number(u.prompt_tokens) || 0;
  const completionTokens = Number(u.completion_tokens) || 0;
  // OpenAI's automatic prefix caching (and vLLM's, where it reports it): the part of the prompt read from cache.
  const cached = Number(u.prompt_tokens_details?.cached_tokens) || 0;
  return {
    promptTokens, completionTokens, totalTokens: Number(u.total_tokens) || promptTokens + completionTokens,
    ...(cached > 0 ? { cachedPromptTokens: Math.min(cached, promptTokens) } : {}),
  };
}

function estimateUsage(request: ChatRequest, text: string): TokenUsage {
  const promptTokens = estimateTokens(request.messages.map((m) => m.content).join(''));
  const completionTokens = estimateTokens(text);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true };
}

/** Retry-After in ms from retry-after-ms, retry-after seconds, or retry-after HTTP date. */
export function parseRetryAfter(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  return undefined;
}

/** The SDK wraps undici's error, which wraps the socket error; the innermost code (ECONNREFUSED...) is the useful part. */
function causeMessage(e: unknown): string {
  const base = String((e as any)?.message ?? e).replace(/\.$/, '');
  let code: string | undefined;
  let innermost: string | undefined;
  for (let c = (e as any)?.cause, depth = 0; c && depth < 5; c = c.cause, depth++) {
    if (typeof c.code === 'string') code = c.code;
    if (typeof c.message === 'string' && c.message) innermost = c.message;
  }
  if (code) return `${base} (${code})`;
  return innermost && innermost !== base ? `${base}: ${innermost}` : base;
}

function snippet(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelledError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

import { type ChatModel, ChatModelError, type ChatRequest, type ChatResponse } from './chatModel';
import type { EndpointWindow } from './contextWindow';
import { OpenAICompatibleModel, type OpenAICompatibleModelOptions } from './openAICompatibleModel';

/** One endpoint of a pool, as configured (`subEndpoints` in a config file, `--sub-endpoint`, `recurse.subEndpoints`). */
export interface PoolEndpointConfig {
  baseUrl: string;
  apiKey?: string;
  /** The model asked of this endpoint (default: the pool's model). */
  model?: string;
  /** Calls in flight on it at once (default 4). */
  concurrency?: number;
  /** Its share of the load relative to the others (default 1). */
  weight?: number;
}

export interface EndpointPoolOptions {
  endpoints: readonly PoolEndpointConfig[];
  /** The model name when an endpoint names none. */
  model: string;
  /** Attempts of one call across endpoints before it fails (default 4 + one per endpoint). */
  maxAttempts?: number;
  /** How long an endpoint that failed to connect is set aside first (doubling on each failure, to 60 s). Default 2 s. */
  setAsideMs?: number;
  /** A 429 without Retry-After pauses its endpoint this long (doubling, to 60 s). Default 1 s. */
  rateLimitPauseMs?: number;
  /** Per-request options of each endpoint's client (timeouts); retries are the pool's. */
  client?: Pick<OpenAICompatibleModelOptions, 'timeoutMs' | 'idleTimeoutMs' | 'stream' | 'headers'>;
}

/** What the pool reports per endpoint. */
export interface PoolEndpointStats {
  baseUrl: string;
  model: string;
  limit: number;
  answered: number;
  failed: number;
  rateLimited: number;
  /** Most calls it ever had in flight at once. */
  peakInFlight: number;
}

export const DEFAULT_ENDPOINT_CONCURRENCY = 4;
const MAX_SET_ASIDE_MS = 60_000;

/** An endpoint's state in the pool: its client, slots, and why (and until when) it is not taking calls. */
class PoolEndpoint {
  readonly client: OpenAICompatibleModel;
  readonly limit: number;
  readonly weight: number;
  inFlight = 0;
  /** Not before this time (a 429's Retry-After, or a connection failure's set-aside). */
  restingUntil = 0;
  /** Consecutive failures to connect or rate limits: each doubles the next rest. */
  strikes = 0;
  /** Refused for good (a 401/403: its key is wrong), with the reason. */
  disabled: string | undefined;
  readonly stats: PoolEndpointStats;

  constructor(config: PoolEndpointConfig, model: string, client: EndpointPoolOptions['client']) {
    this.client = new OpenAICompatibleModel({ ...client, baseURL: config.baseUrl, apiKey: config.apiKey, model: config.model ?? model, maxRetries: 0 });
    this.limit = Math.max(1, Math.floor(config.concurrency ?? DEFAULT_ENDPOINT_CONCURRENCY));
    this.weight = config.weight !== undefined && config.weight > 0 ? config.weight : 1;
    this.stats = { baseUrl: this.client.baseURL, model: this.client.model, limit: this.limit, answered: 0, failed: 0, rateLimited: 0, peakInFlight: 0 };
  }

  available(now: number): boolean {
    return !this.disabled && this.inFlight < this.limit && this.restingUntil <= now;
  }

  /** Load relative to weight after taking one more call: the pool picks the lowest. */
  loadWith(): number {
    return (this.inFlight + 1) / this.weight;
  }

  /**
   * Rests for `base` × 2^strikes (capped). Calls in flight when the endpoint failed fail too: only the first failure of
   * a rest counts as a strike, so one outage does not compound into a long exile.
   */
  rest(base: number, exact?: number): void {
    const now = Date.now();
    if (this.restingUntil > now) return;
    const ms = exact ?? Math.min(MAX_SET_ASIDE_MS, base * 2 ** this.strikes++);
    this.restingUntil = now + ms;
  }
}

/**
 * Sub-calls spread over several OpenAI-compatible endpoints, as one ChatModel. Each call goes to the least loaded
 * endpoint (by weight) with a free slot; with none free it waits (back-pressure), never putting more in flight on an
 * endpoint than its limit. A 429 rests that endpoint for its Retry-After and the call moves on to another at once; an
 * endpoint that cannot be reached is set aside for a while (longer each time) and tried again later; a refused key
 * takes its endpoint out. A call is sent to one endpoint at a time and answered once; it is re-sent elsewhere only
 * after its attempt failed (a timeout included), up to `maxAttempts`. Cancelling aborts every attempt in flight.
 */
export class EndpointPool implements ChatModel {
  readonly model: string;
  private readonly members: PoolEndpoint[];
  private readonly maxAttempts: number;
  private readonly setAsideMs: number;
  private readonly rateLimitPauseMs: number;
  private readonly waiters = new Set<() => void>();

  constructor(options: EndpointPoolOptions) {
    if (options.endpoints.length === 0) throw new ChatModelError('config', 'An endpoint pool needs at least one endpoint.');
    this.model = options.model;
    this.members = options.endpoints.map((e) => new PoolEndpoint(e, options.model, options.client));
    this.maxAttempts = options.maxAttempts ?? 4 + this.members.length;
    this.setAsideMs = options.setAsideMs ?? 2_000;
    this.rateLimitPauseMs = options.rateLimitPauseMs ?? 1_000;
  }

  /** The pool's endpoints, for the sub-call cache's key (answers of any of them are answers of the pool). */
  get endpoint(): string {
    return `pool:${this.members.map((m) => m.client.baseURL).join(',')}`;
  }

  /** The smallest window any endpoint says it serves: a sub-call must fit wherever it is sent. */
  async contextWindow(signal?: AbortSignal): Promise<EndpointWindow | undefined> {
    const windows = await Promise.all(this.members.map((m) => m.client.contextWindow(signal).catch(() => undefined)));
    const known = windows.filter((w): w is EndpointWindow => w !== undefined);
    if (known.length < windows.length) return undefined;
    return known.reduce((a, b) => (b.tokens < a.tokens ? b : a));
  }

  stats(): PoolEndpointStats[] {
    return this.members.map((m) => ({ ...m.stats }));
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    let lastError: ChatModelError | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const member = await this.acquire(request.signal);
      try {
        const response = await member.client.complete({ ...request, onRetry: undefined });
        member.strikes = 0;
        member.stats.answered++;
        return response;
      } catch (e) {
        const error = e instanceof ChatModelError ? e : new ChatModelError('network', String(e), { cause: e });
        if (error.kind === 'cancelled' || request.signal?.aborted) throw error;
        member.stats.failed++;
        lastError = error;
        if (!this.setAside(member, error)) throw error;
        request.onRetry?.({ attempt, delayMs: 0, error });
      } finally {
        this.release(member);
      }
    }
    throw new ChatModelError(lastError?.kind ?? 'network', `every endpoint of the pool failed this call ${this.maxAttempts} times; last: ${lastError?.message}`, {
      status: lastError?.status, cause: lastError,
    });
  }

  /**
   * What a failed attempt says about its endpoint; false when the call itself cannot succeed anywhere (the request
   * is invalid, or every endpoint has refused its key).
   */
  private setAside(member: PoolEndpoint, error: ChatModelError): boolean {
    switch (error.kind) {
      case 'rate-limit': {
        member.stats.rateLimited++;
        member.rest(this.rateLimitPauseMs, member.client.retryAfterMs(error));
        return true;
      }
      case 'network':
      case 'server':
      case 'timeout':
        member.rest(this.setAsideMs);
        return true;
      case 'bad-response':
        return true;
      case 'auth':
        member.disabled = error.message;
        return this.members.some((m) => !m.disabled);
      default:
        return false;
    }
  }

  /** A slot on the least loaded available endpoint, waiting for one when none is free. */
  private async acquire(signal?: AbortSignal): Promise<PoolEndpoint> {
    for (;;) {
      if (signal?.aborted) throw new ChatModelError('cancelled', 'The model request was cancelled.');
      const live = this.members.filter((m) => !m.disabled);
      if (live.length === 0) throw new ChatModelError('auth', `every endpoint of the pool refused: ${this.members.map((m) => m.disabled).join('; ')}`);
      const now = Date.now();
      let best: PoolEndpoint | undefined;
      for (const m of live) if (m.available(now) && (!best || m.loadWith() < best.loadWith())) best = m;
      if (best) {
        best.inFlight++;
        best.stats.peakInFlight = Math.max(best.stats.peakInFlight, best.inFlight);
        return best;
      }
      await this.waitForChange(signal, Math.min(...live.filter((m) => m.restingUntil > now).map((m) => m.restingUntil - now)));
    }
  }

  /** One slot is free again: the call waiting longest gets to look (a rest ending wakes them all, by its timer). */
  private release(member: PoolEndpoint): void {
    member.inFlight--;
    const first = this.waiters.values().next();
    if (!first.done) first.value();
  }

  /** Until a slot frees, a rest ends (`restMs`, Infinity: none resting), or the call is cancelled. */
  private waitForChange(signal: AbortSignal | undefined, restMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        clearTimeout(timer);
        resolve();
      };
      const timer = Number.isFinite(restMs) ? setTimeout(done, Math.max(1, restMs)) : undefined;
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

// A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol, scripted per test.
// Replies can be computed from the received messages, so a scripted "model" can read REPL output and react.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { encode } from 'gpt-tokenizer/cjs/encoding/cl100k_base';

export interface ScriptContext {
  body: any;
  messages: { role: string; content: string }[];
  lastUser: string;
  /** 0-based index of this chat-completion request since the server started. */
  requestIndex: number;
  model: string;
}

export type TextReply = {
  text: string;
  /** `cached_tokens` is reported as OpenAI does, in usage.prompt_tokens_details. */
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
  /** Wait before sending the response headers. */
  delayMs?: number;
  /** Wait between streamed chunks. */
  chunkDelayMs?: number;
  /** Send no usage at all, as some servers do. */
  omitUsage?: boolean;
  finishReason?: string;
  /** Reasoning sent apart from the content, streamed first: as `reasoning_content` (default) or `reasoning`. */
  reasoning?: string;
  reasoningField?: 'reasoning_content' | 'reasoning';
};

export type Reply =
  | TextReply
  | { fault: 'rate-limit'; retryAfter?: number }
  | { fault: 'server-error'; status?: number }
  | { fault: 'stall'; afterText?: string }
  | { fault: 'malformed-sse' }
  | { fault: 'bad-json' }
  | { fault: 'auth' };

export type ReplyFn = (ctx: ScriptContext) => Reply | string | Promise<Reply | string>;

export interface RecordedRequest {
  path: string;
  /** Path with the query string. */
  url: string;
  method: string;
  body: any;
  headers: Record<string, string | string[] | undefined>;
  at: number;
  /** Chat requests on a server with a context window: the prompt's tokens, counted with a real BPE tokenizer. */
  promptTokens?: number;
  /** True when the server refused the prompt (or cut it, as Ollama does) for being longer than its window. */
  overflowed?: boolean;
  /** When the client closed the connection before the response was complete (a cancelled call). */
  abortedAt?: number;
}

/**
 * A served context window, as the real servers enforce and report it. `reject` is vLLM, OpenAI, LM Studio: a 400
 * naming the sizes; `truncate` is Ollama: the prompt is cut from its start (system prompt first) without a word.
 * `flavor` is how the server says its window: vLLM's max_model_len in /v1/models, Ollama's /api/ps and /api/show
 * (a model is loaded, with `served` tokens, by its first request or an empty /api/generate), LM Studio's
 * /api/v0/models, llama.cpp's /props; 'none' says nothing.
 */
export interface ServedWindow {
  tokens: number;
  overflow?: 'reject' | 'truncate';
  flavor?: 'vllm' | 'ollama' | 'lmstudio' | 'llamacpp' | 'none';
  /** Ollama: what the model supports (model_info); LM Studio: max_context_length. */
  supported?: number;
  /** Ollama: num_ctx in the model's parameters. */
  numCtx?: number;
}

export interface ModelServerOptions {
  /** Listen on this port (a server coming back where one went down); default: any free port. */
  port?: number;
  /** A queue of replies (consumed one per chat request), or a single function answering every request. */
  script?: (ReplyFn | Reply | string)[] | ReplyFn;
  models?: string[];
  /** Consulted first for every chat request; return undefined to fall through to the queue / handler. */
  route?: (ctx: ScriptContext) => ReplyFn | undefined;
  /**
   * When set, every request must carry this key (`Authorization: Bearer …` or Azure's `api-key`); others get
   * OpenAI's own 401 body ("Incorrect API key provided: sk-…") on /models and chat alike.
   */
  apiKey?: string;
  /** How GET /models answers instead of listing `models`: an HTTP status with OpenAI's error body for it. */
  modelsFault?: 404 | 429 | 500;
  /** Enforce (and report) a context window per model name ('*' for every model); usage counts real tokens. */
  windows?: Record<string, ServedWindow>;
  /**
   * Prefix caching as OpenAI reports it: prompts of 1,024 tokens or more reuse the longest token prefix they share
   * with an earlier prompt to the same model, in steps of 128, reported as usage.prompt_tokens_details.cached_tokens.
   */
  prefixCache?: boolean;
}

const CHUNK_CHARS = 20;

export class ModelServer {
  readonly url: string;
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ReplyFn[] = [];
  private handler: ReplyFn | undefined;
  private readonly route: ModelServerOptions['route'];
  private readonly models: string[];
  private readonly apiKey: string | undefined;
  private readonly modelsFault: ModelServerOptions['modelsFault'];
  private readonly windows: Record<string, ServedWindow> | undefined;
  private readonly prefixCache: boolean;
  /** Token sequences of earlier prompts per model, for prefix caching. */
  private readonly prompts = new Map<string, number[][]>();
  /** Ollama flavor: models loaded (by a request or an empty generate). */
  private readonly loaded = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private chatCount = 0;
  private closed = false;

  private constructor(private readonly server: http.Server, options: ModelServerOptions) {
    const port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}/v1`;
    this.models = options.models ?? ['test-model'];
    this.route = options.route;
    this.apiKey = options.apiKey;
    this.modelsFault = options.modelsFault;
    this.windows = options.windows;
    this.prefixCache = options.prefixCache ?? false;
    if (typeof options.script === 'function') this.handler = options.script;
    else if (options.script) this.push(...options.script);
  }

  static async start(options: ModelServerOptions = {}): Promise<ModelServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const ms = new ModelServer(server, options);
    server.on('connection', (socket) => {
      ms.sockets.add(socket);
      socket.on('close', () => ms.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      ms.handle(req, res).catch((err) => {
        if (!res.headersSent) sendJSON(res, 500, { error: { message: `model server crashed: ${String(err)}` } });
        else res.destroy();
      });
    });
    return ms;
  }

  /** Base of the server without /v1, e.g. for probes that append their own path. */
  get origin(): string {
    return this.url.replace(/\/v1$/, '');
  }

  /** Chat-completion requests only (excludes /models). */
  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  push(...replies: (ReplyFn | Reply | string)[]): void {
    for (const r of replies) this.queue.push(typeof r === 'function' ? r : () => r);
  }

  setHandler(fn: ReplyFn): void {
    this.handler = fn;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await done;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    let body: any = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const recorded: RecordedRequest = { path, url: req.url ?? '/', method: req.method ?? 'GET', body, headers: { ...req.headers }, at: Date.now() };
    this.requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) recorded.abortedAt = Date.now();
    });

    if (this.apiKey !== undefined) {
      const given = String(req.headers['api-key'] ?? req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      if (given !== this.apiKey) {
        const shown = given ? `${given.slice(0, 3)}*****${given.slice(-2)}` : '';
        const message = given
          ? `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`
          : "You didn't provide an API key.";
        sendJSON(res, 401, { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
        return;
      }
    }
    if (req.method === 'GET' && path.endsWith('/models') && this.modelsFault) {
      const fault = { 404: ['Not Found', 'not_found'], 429: ['Rate limit reached for requests', 'rate_limit_error'], 500: ['The server had an error', 'server_error'] }[this.modelsFault];
      sendJSON(res, this.modelsFault, { error: { message: fault[0], type: fault[1] } });
      return;
    }
    if (req.method === 'GET' && path.endsWith('/models')) {
      sendJSON(res, 200, {
        object: 'list',
        data: this.models.map((id) => ({ id, object: 'model', created: 0, owned_by: this.windowOf(id)?.flavor === 'ollama' ? 'library' : 'test', ...this.listedWindow(id) })),
      });
      return;
    }
    if (this.windows && this.answerWindowProbe(req.method ?? 'GET', path, body, res)) return;
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      sendJSON(res, 404, { error: { message: `model server: no route for ${req.method} ${path}` } });
      return;
    }

    const messages: { role: string; content: string }[] = Array.isArray(body?.messages)
      ? body.messages.map((m: any) => ({ role: String(m.role), content: contentText(m.content) }))
      : [];
    const served = this.windowOf(String(body?.model ?? ''));
    if (served) {
      const recorded = this.requests[this.requests.length - 1]!;
      const tokens = countChatTokens(messages);
      recorded.promptTokens = tokens;
      const wanted = tokens + (Number(body?.max_tokens) || 0);
      if (wanted > served.tokens) {
        recorded.overflowed = true;
        if ((served.overflow ?? 'reject') === 'reject') {
          const message =
            `This model's maximum context length is ${served.tokens} tokens. However, you requested ${wanted} tokens ` +
            `(${tokens} in the messages, ${Number(body?.max_tokens) || 0} in the completion). Please reduce the length of the messages or completion.`;
          sendJSON(res, 400, { object: 'error', message, type: 'BadRequestError', param: null, code: 400 });
          return;
        }
        truncateFromStart(messages, served.tokens);
      }
      this.loaded.add(String(body?.model ?? ''));
    }
    const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const ctx: ScriptContext = {
      body,
      messages,
      lastUser,
      requestIndex: this.chatCount++,
      model: String(body?.model ?? ''),
    };
    const fn = this.route?.(ctx) ?? this.queue.shift() ?? this.handler;
    if (!fn) {
      sendJSON(res, 500, {
        error: { message: `model server: script exhausted at request #${ctx.requestIndex}`, type: 'script_exhausted' },
      });
      return;
    }
    const produced = await fn(ctx);
    const reply: Reply = typeof produced === 'string' ? { text: produced } : produced;
    await this.respond(res, ctx, reply);
  }

  private windowOf(model: string): ServedWindow | undefined {
    return this.windows?.[model] ?? this.windows?.['*'];
  }

  /** vLLM and OpenRouter-style servers list the window with the model. */
  private listedWindow(model: string): Record<string, number> {
    const w = this.windowOf(model);
    if (!w || (w.flavor ?? 'vllm') !== 'vllm') return {};
    return { max_model_len: w.tokens };
  }

  /** Ollama's /api/show, /api/ps and /api/generate, LM Studio's /api/v0/models/{id}, llama.cpp's /props. */
  private answerWindowProbe(method: string, path: string, body: any, res: http.ServerResponse): boolean {
    const flavorOf = (model: string) => this.windowOf(model)?.flavor;
    if (method === 'POST' && path === '/api/show') {
      const w = this.windowOf(String(body?.model ?? ''));
      if (!w || flavorOf(body.model) !== 'ollama') return sendJSON(res, 404, { error: `model '${body?.model}' not found` }), true;
      sendJSON(res, 200, {
        parameters: w.numCtx ? `num_ctx                        ${w.numCtx}\nstop                           "<|im_end|>"` : 'stop                           "<|im_end|>"',
        model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': w.supported ?? w.tokens },
      });
      return true;
    }
    if (method === 'POST' && path === '/api/generate' && flavorOf(String(body?.model ?? '')) === 'ollama') {
      this.loaded.add(String(body.model));
      sendJSON(res, 200, { model: body.model, response: '', done: true, done_reason: 'load' });
      return true;
    }
    if (method === 'GET' && path === '/api/ps') {
      const models = [...this.loaded].filter((m) => flavorOf(m) === 'ollama');
      sendJSON(res, 200, { models: models.map((m) => ({ name: m, model: m, size: 1, digest: 'x', expires_at: '', size_vram: 1, context_length: this.windowOf(m)!.tokens })) });
      return true;
    }
    const lmStudio = /^\/api\/v0\/models\/(.+)$/.exec(path);
    if (method === 'GET' && lmStudio && flavorOf(decodeURIComponent(lmStudio[1]!)) === 'lmstudio') {
      const w = this.windowOf(decodeURIComponent(lmStudio[1]!))!;
      sendJSON(res, 200, { id: lmStudio[1], object: 'model', type: 'llm', state: 'loaded', max_context_length: w.supported ?? w.tokens, loaded_context_length: w.tokens });
      return true;
    }
    if (method === 'GET' && path === '/props') {
      const w = this.models.map((m) => this.windowOf(m)).find((x) => x?.flavor === 'llamacpp');
      if (!w) return false;
      sendJSON(res, 200, { default_generation_settings: { n_ctx: w.tokens }, total_slots: 1 });
      return true;
    }
    return false;
  }

  /** OpenAI's rule: the longest shared token prefix with an earlier prompt, from 1,024 tokens, in steps of 128. */
  private cachedPrefix(ctx: ScriptContext): number {
    const tokens = ctx.messages.flatMap((m) => [-1, ...encode(`${m.role}\n${m.content}`)]);
    const earlier = this.prompts.get(ctx.model) ?? [];
    let best = 0;
    for (const prompt of earlier) {
      let n = 0;
      while (n < prompt.length && n < tokens.length && prompt[n] === tokens[n]) n++;
      best = Math.max(best, n);
    }
    earlier.push(tokens);
    this.prompts.set(ctx.model, earlier);
    return best >= 1024 ? Math.floor(best / 128) * 128 : 0;
  }

  private async respond(res: http.ServerResponse, ctx: ScriptContext, reply: Reply): Promise<void> {
    const stream = ctx.body?.stream === true;
    if ('fault' in reply) {
      switch (reply.fault) {
        case 'rate-limit': {
          const headers: Record<string, string> = {};
          if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
          sendJSON(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, headers);
          return;
        }
        case 'server-error':
          sendJSON(res, reply.status ?? 500, { error: { message: 'The server had an error', type: 'server_error' } });
          return;
        case 'auth':
          sendJSON(res, 401, {
            error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
          });
          return;
        case 'bad-json':
          sendJSON(res, 200, { hello: 'this is not a chat completion' });
          return;
        case 'malformed-sse':
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          res.end('data: {"id": "x", "choices": [{"delta": {"content": "oops\n\ndata: [DONE]\n\n');
          return;
        case 'stall':
          // Headers (and maybe some text) go out, then silence until the client gives up or close() runs.
          if (stream) {
            res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
            res.flushHeaders();
            if (reply.afterText) res.write(sse(chunk(ctx.model, { content: reply.afterText }, null)));
          } else {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.flushHeaders();
          }
          return;
      }
    }

    await this.sleep(reply.delayMs ?? 0);
    if (res.destroyed) return;
    const counted = this.windowOf(ctx.model) || this.prefixCache;
    const usage = reply.usage ?? {
      prompt_tokens: counted ? countChatTokens(ctx.messages) : Math.ceil(ctx.messages.reduce((n, m) => n + m.content.length, 0) / 4),
      completion_tokens: counted ? encode(reply.text).length : Math.ceil(reply.text.length / 4),
      ...(this.prefixCache ? { cached_tokens: this.cachedPrefix(ctx) } : {}),
    };
    const { cached_tokens: cachedTokens, ...counts } = usage as { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
    const fullUsage = {
      ...counts, total_tokens: counts.prompt_tokens + counts.completion_tokens,
      ...(cachedTokens !== undefined ? { prompt_tokens_details: { cached_tokens: cachedTokens } } : {}),
    };
    const finishReason = reply.finishReason ?? 'stop';

    if (!stream) {
      sendJSON(res, 200, {
        id: `chatcmpl-test-${ctx.requestIndex}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: ctx.model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.text, ...(reply.reasoning ? { [reply.reasoningField ?? 'reasoning_content']: reply.reasoning } : {}) }, finish_reason: finishReason }],
        ...(reply.omitUsage ? {} : { usage: fullUsage }),
      });
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(sse(chunk(ctx.model, { role: 'assistant', content: '' }, null)));
    for (const piece of reply.reasoning ? splitText(reply.reasoning) : []) {
      if (res.destroyed) return;
      res.write(sse(chunk(ctx.model, { [reply.reasoningField ?? 'reasoning_content']: piece }, null)));
    }
    const pieces = splitText(reply.text);
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0 && reply.chunkDelayMs) await this.sleep(reply.chunkDelayMs);
      if (res.destroyed) return;
      res.write(sse(chunk(ctx.model, { content: pieces[i] }, null)));
    }
    res.write(sse(chunk(ctx.model, {}, finishReason)));
    if (ctx.body?.stream_options?.include_usage && !reply.omitUsage) {
      res.write(sse({ ...chunkBase(ctx.model), choices: [], usage: fullUsage }));
    }
    res.end('data: [DONE]\n\n');
  }
}

/** OpenAI's count for chat messages: each message's content tokens plus 4 for its framing, plus 3 for the reply. */
export function countChatTokens(messages: { role: string; content: string }[]): number {
  return messages.reduce((n, m) => n + 4 + encode(m.content).length, 3);
}

/** Ollama's behaviour on a prompt over its window: the oldest text goes, the system prompt first. */
function truncateFromStart(messages: { role: string; content: string }[], window: number): void {
  while (messages.length > 1 && countChatTokens(messages) > window) messages.shift();
  const last = messages[0];
  if (last && countChatTokens(messages) > window) {
    const ids = encode(last.content);
    last.content = ids.length > window ? '' : last.content;
  }
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: any) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

function splitText(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK_CHARS) out.push(text.slice(i, i + CHUNK_CHARS));
  return out;
}

function chunkBase(model: string) {
  return { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
}

function chunk(model: string, delta: Record<string, unknown>, finishReason: string | null) {
  return { ...chunkBase(model), choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

function sendJSON(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

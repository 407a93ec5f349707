// A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol, scripted per test.
// Replies can be computed from the received messages, so a scripted "model" can read REPL output and react.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
}

export interface ModelServerOptions {
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
    if (typeof options.script === 'function') this.handler = options.script;
    else if (options.script) this.push(...options.script);
  }

  static async start(options: ModelServerOptions = {}): Promise<ModelServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
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
    this.requests.push({ path, url: req.url ?? '/', method: req.method ?? 'GET', body, headers: { ...req.headers }, at: Date.now() });

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
        data: this.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' })),
      });
      return;
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      sendJSON(res, 404, { error: { message: `model server: no route for ${req.method} ${path}` } });
      return;
    }

    const messages: { role: string; content: string }[] = Array.isArray(body?.messages)
      ? body.messages.map((m: any) => ({ role: String(m.role), content: contentText(m.content) }))
      : [];
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
    const usage = reply.usage ?? {
      prompt_tokens: Math.ceil(ctx.messages.reduce((n, m) => n + m.content.length, 0) / 4),
      completion_tokens: Math.ceil(reply.text.length / 4),
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

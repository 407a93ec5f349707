import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelServer } from '../support/modelServer';
import { OpenAICompatibleModel, OpenAICompatibleModelOptions } from '../../src/core/llm/openAICompatibleModel';
import { ChatModelError, RetryEvent } from '../../src/core/llm/chatModel';

const ask = [{ role: 'user' as const, content: 'What is in main.ts?' }];

async function withServer(t: { after: (fn: () => Promise<void>) => void }, script: Parameters<typeof ModelServer.start>[0]) {
  const server = await ModelServer.start(script);
  t.after(() => server.close());
  return server;
}

function client(server: ModelServer, options: Partial<OpenAICompatibleModelOptions> = {}) {
  return new OpenAICompatibleModel({ baseURL: server.url, model: 'root-model', retryBaseMs: 10, ...options });
}

async function rejection(p: Promise<unknown>): Promise<ChatModelError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ChatModelError, `expected ChatModelError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the request to fail');
}

test('streams deltas that concatenate to the text, and reports server usage', async (t) => {
  const text = 'main.ts wires the CLI to the engine and prints the answer with citations.';
  const server = await withServer(t, { script: [{ text, usage: { prompt_tokens: 42, completion_tokens: 17 } }] });
  const deltas: string[] = [];
  const res = await client(server).complete({ messages: ask, onDelta: (d) => deltas.push(d) });
  assert.equal(res.text, text);
  assert.ok(deltas.length > 1);
  assert.equal(deltas.join(''), text);
  assert.deepEqual(res.usage, { promptTokens: 42, completionTokens: 17, totalTokens: 59 });
  assert.equal(res.model, 'root-model');
  assert.equal(res.finishReason, 'stop');
  const body = server.requests[0]!.body;
  assert.equal(body.stream, true);
  assert.deepEqual(body.stream_options, { include_usage: true });
  assert.equal(body.messages[0].content, 'What is in main.ts?');
});

test('non-streaming mode returns text and usage; maxTokens and temperature are sent', async (t) => {
  const server = await withServer(t, { script: [{ text: 'plain answer', usage: { prompt_tokens: 5, completion_tokens: 2 } }] });
  const res = await client(server, { stream: false }).complete({ messages: ask, maxTokens: 100, temperature: 0 });
  assert.equal(res.text, 'plain answer');
  assert.deepEqual(res.usage, { promptTokens: 5, completionTokens: 2, totalTokens: 7 });
  const body = server.requests[0]!.body;
  assert.equal(body.stream, false);
  assert.equal(body.max_tokens, 100);
  assert.equal(body.temperature, 0);
});

test('usage is estimated (chars/4) and marked when the server sends none', async (t) => {
  const server = await withServer(t, { script: [{ text: '12345678', omitUsage: true }, { text: '1234', omitUsage: true }] });
  const streamed = await client(server).complete({ messages: [{ role: 'user', content: 'abcdefghijkl' }] });
  assert.deepEqual(streamed.usage, { promptTokens: 3, completionTokens: 2, totalTokens: 5, estimated: true });
  const plain = await client(server, { stream: false }).complete({ messages: [{ role: 'user', content: 'abcd' }] });
  assert.deepEqual(plain.usage, { promptTokens: 1, completionTokens: 1, totalTokens: 2, estimated: true });
});

test('429 with Retry-After: 1 waits about a second, then succeeds', async (t) => {
  const server = await withServer(t, { script: [{ fault: 'rate-limit', retryAfter: 1 }, 'after the wait'] });
  const retries: RetryEvent[] = [];
  const res = await client(server).complete({ messages: ask, onRetry: (e) => retries.push(e) });
  assert.equal(res.text, 'after the wait');
  const reqs = server.chatRequests;
  assert.equal(reqs.length, 2);
  const waited = reqs[1]!.at - reqs[0]!.at;
  assert.ok(waited >= 950 && waited < 2500, `waited ${waited} ms`);
  assert.equal(retries.length, 1);
  assert.equal(retries[0]!.error.kind, 'rate-limit');
  assert.equal(retries[0]!.delayMs, 1000);
});

test('Retry-After is capped by retryMaxDelayMs', async (t) => {
  const server = await withServer(t, { script: [{ fault: 'rate-limit', retryAfter: 3600 }, 'ok'] });
  const started = Date.now();
  const res = await client(server, { retryMaxDelayMs: 50 }).complete({ messages: ask });
  assert.equal(res.text, 'ok');
  assert.ok(Date.now() - started < 1500);
});

test('500 then 503 are retried with backoff and the third attempt succeeds', async (t) => {
  const server = await withServer(t, {
    script: [{ fault: 'server-error' }, { fault: 'server-error', status: 503 }, 'recovered'],
  });
  const res = await client(server).complete({ messages: ask });
  assert.equal(res.text, 'recovered');
  assert.equal(server.chatRequests.length, 3);
});

test('persistent 500 gives up after maxRetries with a server error', async (t) => {
  const server = await withServer(t, { script: () => ({ fault: 'server-error' }) });
  const err = await rejection(client(server, { maxRetries: 2 }).complete({ messages: ask }));
  assert.equal(err.kind, 'server');
  assert.equal(err.status, 500);
  assert.match(err.message, /gave up after 3 attempts/);
  assert.equal(server.chatRequests.length, 3);
});

test('a stream that stalls after the headers is detected and retried; the retry is announced', async (t) => {
  const server = await withServer(t, { script: [{ fault: 'stall', afterText: 'partial ' }, 'complete answer'] });
  const deltas: string[] = [];
  const retries: RetryEvent[] = [];
  const started = Date.now();
  const res = await client(server, { idleTimeoutMs: 150 }).complete({
    messages: ask,
    onDelta: (d) => deltas.push(d),
    onRetry: (e) => retries.push(e),
  });
  assert.equal(res.text, 'complete answer');
  assert.equal(server.chatRequests.length, 2);
  assert.ok(Date.now() - started < 3000);
  assert.equal(retries.length, 1);
  assert.equal(retries[0]!.error.kind, 'timeout');
  assert.match(retries[0]!.error.message, /stalled/);
  // The abandoned attempt's delta came before the retry event; the answer itself is only the new attempt.
  assert.deepEqual(deltas[0], 'partial ');
});

test('malformed SSE becomes a bad-response error after a bounded number of retries', async (t) => {
  const server = await withServer(t, { script: () => ({ fault: 'malformed-sse' }) });
  const err = await rejection(client(server, { maxBadResponseRetries: 1 }).complete({ messages: ask }));
  assert.equal(err.kind, 'bad-response');
  assert.match(err.message, /malformed JSON/);
  assert.equal(server.chatRequests.length, 2);
});

test('a JSON body that is not a chat completion is a bad-response (non-streaming and streaming)', async (t) => {
  const server = await withServer(t, { script: () => ({ fault: 'bad-json' }) });
  const plain = await rejection(client(server, { stream: false, maxBadResponseRetries: 0 }).complete({ messages: ask }));
  assert.equal(plain.kind, 'bad-response');
  assert.match(plain.message, /not a chat completion/);
  const streamed = await rejection(client(server, { maxBadResponseRetries: 0 }).complete({ messages: ask }));
  assert.equal(streamed.kind, 'bad-response');
  assert.equal(server.chatRequests.length, 2);
});

test('a bad response followed by a good one succeeds', async (t) => {
  const server = await withServer(t, { script: [{ fault: 'malformed-sse' }, 'fine now'] });
  const res = await client(server).complete({ messages: ask });
  assert.equal(res.text, 'fine now');
});

test('401 is an auth error, not retried, and says how to set the key', async (t) => {
  const server = await withServer(t, { script: () => ({ fault: 'auth' }) });
  const err = await rejection(client(server, { apiKey: 'sk-wrong' }).complete({ messages: ask }));
  assert.equal(err.kind, 'auth');
  assert.equal(err.status, 401);
  assert.match(err.message, /OPENAI_API_KEY/);
  assert.match(err.message, /--api-key/);
  assert.equal(server.chatRequests.length, 1);
  assert.equal(server.chatRequests[0]!.headers.authorization, 'Bearer sk-wrong');
});

test('an empty API key is sent as "not-needed" for local servers', async (t) => {
  const server = await withServer(t, { script: ['ok'] });
  await client(server, { apiKey: '' }).complete({ messages: ask });
  assert.equal(server.chatRequests[0]!.headers.authorization, 'Bearer not-needed');
});

test('abort mid-stream rejects promptly with cancelled and is not retried', async (t) => {
  const server = await withServer(t, { script: [{ text: 'x'.repeat(400), chunkDelayMs: 200 }, 'never used'] });
  const controller = new AbortController();
  let abortedAt = 0;
  const err = await rejection(
    client(server).complete({
      messages: ask,
      signal: controller.signal,
      // Abort while the client waits for the next chunk, as a user pressing Stop would.
      onDelta: () => {
        if (!abortedAt) {
          abortedAt = Date.now() + 30;
          setTimeout(() => controller.abort(), 30);
        }
      },
    }),
  );
  assert.equal(err.kind, 'cancelled');
  assert.ok(Date.now() - abortedAt < 150, `took ${Date.now() - abortedAt} ms after abort`);
  assert.equal(server.chatRequests.length, 1);
});

test('an already aborted signal never reaches the server', async (t) => {
  const server = await withServer(t, { script: ['x'] });
  const err = await rejection(client(server).complete({ messages: ask, signal: AbortSignal.abort() }));
  assert.equal(err.kind, 'cancelled');
  assert.equal(server.chatRequests.length, 0);
});

test('abort during the backoff wait cancels instead of retrying', async (t) => {
  const server = await withServer(t, { script: [{ fault: 'rate-limit', retryAfter: 5 }, 'never'] });
  const controller = new AbortController();
  const started = Date.now();
  const p = client(server).complete({ messages: ask, signal: controller.signal, onRetry: () => controller.abort() });
  const err = await rejection(p);
  assert.equal(err.kind, 'cancelled');
  assert.ok(Date.now() - started < 1000);
  assert.equal(server.chatRequests.length, 1);
});

test('a slow reply inside the timeout succeeds', async (t) => {
  const server = await withServer(t, { script: [{ text: 'slow but fine', delayMs: 200 }] });
  const res = await client(server, { timeoutMs: 2000 }).complete({ messages: ask });
  assert.equal(res.text, 'slow but fine');
});

test('a reply slower than the timeout fails with a timeout error after retries', async (t) => {
  const server = await withServer(t, { script: () => ({ text: 'too late', delayMs: 1000 }) });
  const started = Date.now();
  const err = await rejection(client(server, { timeoutMs: 100, maxRetries: 1 }).complete({ messages: ask }));
  assert.equal(err.kind, 'timeout');
  assert.match(err.message, /did not answer within 100 ms/);
  assert.equal(server.chatRequests.length, 2);
  assert.ok(Date.now() - started < 900);
});

test('non-streaming request whose body never arrives times out', async (t) => {
  const server = await withServer(t, { script: () => ({ fault: 'stall' }) });
  const err = await rejection(client(server, { stream: false, timeoutMs: 150, maxRetries: 0 }).complete({ messages: ask }));
  assert.equal(err.kind, 'timeout');
});

test('an unreachable server is a network error', async (t) => {
  const server = await ModelServer.start();
  const url = server.url;
  await server.close();
  const model = new OpenAICompatibleModel({ baseURL: url, model: 'm', retryBaseMs: 5, maxRetries: 1 });
  const err = await rejection(model.complete({ messages: ask }));
  assert.equal(err.kind, 'network');
  assert.match(err.message, /Cannot reach .*ECONNREFUSED/);
});

test('404 is an invalid-request error naming the model, not retried', async (t) => {
  const server = await withServer(t, { script: () => ({ fault: 'server-error', status: 404 }) });
  const err = await rejection(client(server).complete({ messages: ask }));
  assert.equal(err.kind, 'invalid-request');
  assert.match(err.message, /root-model/);
  assert.equal(server.chatRequests.length, 1);
});

test('Azure: api-version query and api-key header, no bearer token', async (t) => {
  const server = await withServer(t, { script: ['azure ok'] });
  const model = new OpenAICompatibleModel({
    baseURL: `${server.origin}/openai/deployments/gpt4o`,
    apiKey: 'azure-key',
    apiVersion: '2024-10-21',
    model: 'gpt4o',
  });
  const res = await model.complete({ messages: ask });
  assert.equal(res.text, 'azure ok');
  const req = server.chatRequests[0]!;
  assert.equal(req.path, '/openai/deployments/gpt4o/chat/completions');
  assert.match(req.url, /[?&]api-version=2024-10-21/);
  assert.equal(req.headers['api-key'], 'azure-key');
  assert.equal(req.headers.authorization, undefined);
});

test('custom headers are sent', async (t) => {
  const server = await withServer(t, { script: ['ok'] });
  await client(server, { headers: { 'x-team': 'recurse' } }).complete({ messages: ask });
  assert.equal(server.chatRequests[0]!.headers['x-team'], 'recurse');
});

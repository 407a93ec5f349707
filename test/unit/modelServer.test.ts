import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelServer } from '../support/modelServer';

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function parseSSE(text: string): any[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice(6))
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data));
}

test('non-streaming reply carries the scripted text and default usage', async (t) => {
  const server = await ModelServer.start({ script: [() => 'hello world'] });
  t.after(() => server.close());
  const res = await post(server.url, { model: 'm1', messages: [{ role: 'user', content: '12345678' }] });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.object, 'chat.completion');
  assert.equal(body.model, 'm1');
  assert.equal(body.choices[0].message.content, 'hello world');
  assert.equal(body.choices[0].finish_reason, 'stop');
  assert.deepEqual(body.usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]!.body.messages[0].content, '12345678');
});

test('streaming reply is split into several chunks, ends with usage and [DONE]', async (t) => {
  const text = 'The quick brown fox jumps over the lazy dog, twice over.';
  const server = await ModelServer.start({ script: [{ text, usage: { prompt_tokens: 7, completion_tokens: 11 } }] });
  t.after(() => server.close());
  const res = await post(server.url, {
    model: 'm',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const raw = await res.text();
  assert.ok(raw.trimEnd().endsWith('data: [DONE]'));
  const events = parseSSE(raw);
  const deltas = events.flatMap((e) => (e.choices[0]?.delta?.content ? [e.choices[0].delta.content] : []));
  assert.ok(deltas.length >= 3, `expected several deltas, got ${deltas.length}`);
  assert.equal(deltas.join(''), text);
  assert.deepEqual(events.at(-1).usage, { prompt_tokens: 7, completion_tokens: 11, total_tokens: 18 });
});

test('streaming without include_usage sends no usage chunk', async (t) => {
  const server = await ModelServer.start({ script: [() => 'abc'] });
  t.after(() => server.close());
  const res = await post(server.url, { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const events = parseSSE(await res.text());
  assert.ok(events.every((e) => e.usage === undefined));
});

test('replies are computed from the messages; route and handler pick by model', async (t) => {
  const server = await ModelServer.start({
    route: (ctx) => (ctx.model === 'sub' ? () => `sub saw: ${ctx.lastUser}` : undefined),
  });
  t.after(() => server.close());
  server.setHandler((ctx) => `root #${ctx.requestIndex} saw ${ctx.messages.length} messages`);
  server.push((ctx) => `queued reply to ${ctx.lastUser}`);

  const a = await (await post(server.url, { model: 'root', messages: [{ role: 'user', content: 'q1' }] })).json();
  const b = await (await post(server.url, { model: 'sub', messages: [{ role: 'user', content: 'q2' }] })).json();
  const c = await (
    await post(server.url, {
      model: 'root',
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'q3' },
      ],
    })
  ).json();
  assert.equal(a.choices[0].message.content, 'queued reply to q1');
  assert.equal(b.choices[0].message.content, 'sub saw: q2');
  assert.equal(c.choices[0].message.content, 'root #2 saw 2 messages');
});

test('an exhausted script answers 500 "script exhausted"', async (t) => {
  const server = await ModelServer.start();
  t.after(() => server.close());
  const res = await post(server.url, { model: 'm', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(res.status, 500);
  assert.match(await res.text(), /script exhausted/);
});

test('GET /v1/models lists the configured models', async (t) => {
  const server = await ModelServer.start({ models: ['a', 'b'] });
  t.after(() => server.close());
  const body = await (await fetch(`${server.url}/models`)).json();
  assert.deepEqual(
    body.data.map((m: any) => m.id),
    ['a', 'b'],
  );
  assert.equal(server.requests[0]!.path, '/v1/models');
});

test('faults: rate limit with Retry-After, server error status, auth', async (t) => {
  const server = await ModelServer.start({
    script: [
      () => ({ fault: 'rate-limit', retryAfter: 3 }),
      () => ({ fault: 'server-error', status: 503 }),
      () => ({ fault: 'auth' }),
    ],
  });
  t.after(() => server.close());
  const msg = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
  const r1 = await post(server.url, msg);
  assert.equal(r1.status, 429);
  assert.equal(r1.headers.get('retry-after'), '3');
  await r1.text();
  const r2 = await post(server.url, msg);
  assert.equal(r2.status, 503);
  await r2.text();
  const r3 = await post(server.url, msg);
  assert.equal(r3.status, 401);
  await r3.text();
});

test('close() ends a stalled stream so the client sees the connection drop', async () => {
  const server = await ModelServer.start({ script: [() => ({ fault: 'stall', afterText: 'partial' })] });
  const res = await post(server.url, { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /partial/);
  const closing = server.close();
  await assert.rejects(async () => {
    for (;;) {
      const { done } = await reader.read();
      if (done) throw new Error('stream ended cleanly');
    }
  });
  await closing;
});

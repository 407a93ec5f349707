import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { endpointFetch, isLoopbackHttp } from '../../src/core/llm/endpointFetch';
import { listModels } from '../../src/core/llm/config';
import { OpenAICompatibleModel } from '../../src/core/llm/openAICompatibleModel';
import { ModelServer } from '../support/modelServer';

/**
 * A host that wraps the global fetch (VS Code's extension host: proxies, system certificates) is bypassed for a model
 * server on this machine over plain http, and only for it.
 */

describe('endpoint fetch under a host that wraps fetch', () => {
  let server: ModelServer;
  const runtimeFetch = globalThis.fetch;
  const wrapped: string[] = [];
  before(async () => {
    server = await ModelServer.start({ script: () => 'the answer', models: ['test-model'] });
    // As VS Code's extension host does: the runtime's fetch kept aside, the global one wrapped.
    (globalThis as Record<string, unknown>).__vscodeOriginalFetch = runtimeFetch;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      wrapped.push(String(input instanceof Request ? input.url : input));
      return runtimeFetch(input, init);
    };
  });
  after(async () => {
    globalThis.fetch = runtimeFetch;
    delete (globalThis as Record<string, unknown>).__vscodeOriginalFetch;
    await server.close();
  });

  test('a local server over http: the chat, the model list and the window probe skip the wrapper', async () => {
    const model = new OpenAICompatibleModel({ baseURL: server.url, model: 'test-model' });
    const reply = await model.complete({ messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(reply.text, 'the answer');
    assert.deepEqual(await listModels(server.url, ''), ['test-model']);
    await model.contextWindow();
    assert.ok(server.requests.length >= 2, 'the server was reached');
    assert.deepEqual(wrapped, []);
  });

  test('any other address goes through the wrapper (proxies and certificates still apply)', async () => {
    const remote = server.url.replace('127.0.0.1', 'recurse-no-such-host.invalid');
    await assert.rejects(endpointFetch(`${remote}/models`, { signal: AbortSignal.timeout(5_000) }));
    await assert.rejects(endpointFetch('https://127.0.0.1:1/v1/models', { signal: AbortSignal.timeout(5_000) }));
    assert.deepEqual(wrapped, [`${remote}/models`, 'https://127.0.0.1:1/v1/models']);
  });

  test('what counts as this machine over http', () => {
    for (const yes of ['http://127.0.0.1:11434/v1', 'http://localhost:1234/v1/models', 'http://LOCALHOST/v1', 'http://[::1]:8000/v1', 'http://127.1.2.3/v1']) {
      assert.equal(isLoopbackHttp(yes), true, yes);
    }
    for (const no of ['https://127.0.0.1:8443/v1', 'http://127.0.0.1.nip.io/v1', 'http://localhost.example.com/v1', 'http://10.0.0.5:11434/v1', 'http://[::2]/v1', 'not a url']) {
      assert.equal(isLoopbackHttp(no), false, no);
    }
  });

  test('without a host wrapper, the global fetch', async () => {
    const kept = (globalThis as Record<string, unknown>).__vscodeOriginalFetch;
    delete (globalThis as Record<string, unknown>).__vscodeOriginalFetch;
    wrapped.length = 0;
    try {
      const response = await endpointFetch(`${server.url}/models`);
      assert.equal(response.status, 200);
      assert.deepEqual(wrapped, [`${server.url}/models`]);
    } finally {
      (globalThis as Record<string, unknown>).__vscodeOriginalFetch = kept;
    }
  });
});

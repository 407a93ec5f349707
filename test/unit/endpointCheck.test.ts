import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkEndpoint,
  describeTestCall,
  endpointFailed,
  isAzureDeploymentURL,
  listEndpointModels,
  testCompletion,
} from '../../src/core/llm/endpointCheck';
import { ModelServer } from '../support/modelServer';

/** Checking an endpoint: its model list and one test call, failures as values carrying the endpoint's own message. */

async function closedURL(): Promise<string> {
  const server = await ModelServer.start();
  await server.close();
  return server.url;
}

test('listEndpointModels: sorted and deduplicated for display, the server\'s first kept', async (t) => {
  const server = await ModelServer.start({ models: ['zeta', 'alpha', 'zeta', 'beta'] });
  t.after(() => server.close());
  const listing = await listEndpointModels({ baseURL: server.url, apiKey: 'sk-1' });
  assert.ok(listing.ok);
  assert.deepEqual(listing.models, ['alpha', 'beta', 'zeta']);
  assert.equal(listing.first, 'zeta');
  assert.equal(server.requests[0]!.headers.authorization, 'Bearer sk-1');
});

test('listEndpointModels: a refused key, a 429 and a dead port are values with kind, status and message', async (t) => {
  const server = await ModelServer.start({ apiKey: 'sk-right' });
  t.after(() => server.close());
  const refused = await listEndpointModels({ baseURL: server.url, apiKey: 'sk-wrong' });
  assert.ok(!refused.ok);
  assert.equal(refused.kind, 'auth');
  assert.equal(refused.status, 401);
  assert.match(refused.error, /Incorrect API key provided/);

  const limited = await ModelServer.start({ modelsFault: 429 });
  t.after(() => limited.close());
  const rate = await listEndpointModels({ baseURL: limited.url, apiKey: '' });
  assert.ok(!rate.ok);
  assert.equal(rate.kind, 'rate-limit');
  assert.match(rate.error, /Rate limit reached for requests/);

  const dead = await listEndpointModels({ baseURL: await closedURL(), apiKey: '' });
  assert.ok(!dead.ok);
  assert.equal(dead.kind, 'network');
  assert.match(dead.error, /ECONNREFUSED/);
});

test('an Azure deployment URL has no list, and none is requested', async () => {
  const url = 'https://example.openai.azure.com/openai/deployments/gpt4o';
  assert.ok(isAzureDeploymentURL(url));
  assert.ok(!isAzureDeploymentURL('https://example.openai.azure.com/openai'));
  assert.ok(!isAzureDeploymentURL('http://127.0.0.1:11434/v1'));
  const listing = await listEndpointModels({ baseURL: url, apiKey: 'k' });
  assert.ok(!listing.ok);
  assert.equal(listing.kind, 'unsupported');
  assert.ok(!endpointFailed({ listing }), 'a missing Azure list is not a failure');
});

test('testCompletion: one non-streamed request of one token; a 429 is not retried', async (t) => {
  const server = await ModelServer.start({ script: ['ok', { fault: 'rate-limit' }, { fault: 'rate-limit' }] });
  t.after(() => server.close());
  const ok = await testCompletion({ baseURL: server.url, apiKey: '', model: 'm' });
  assert.ok(ok.ok);
  assert.equal(ok.reply, 'ok');
  assert.match(describeTestCall(ok), /^ok — m answered in \d+ ms$/);
  assert.deepEqual([server.chatRequests[0]!.body.max_tokens, server.chatRequests[0]!.body.stream], [1, false]);

  const limited = await testCompletion({ baseURL: server.url, apiKey: '', model: 'm' });
  assert.ok(!limited.ok);
  assert.equal(limited.kind, 'rate-limit');
  assert.equal(limited.status, 429);
  assert.equal(describeTestCall(limited), `failed — ${limited.error}`);
  assert.equal(server.chatRequests.length, 2, 'the 429 was not retried');
});

test('checkEndpoint: tests the server\'s first model, skips the test when the server does not answer', async (t) => {
  const server = await ModelServer.start({ models: ['zeta', 'alpha'], script: () => 'ok' });
  t.after(() => server.close());
  const check = await checkEndpoint({ baseURL: server.url, apiKey: '', test: true });
  assert.equal(check.test?.model, 'zeta');
  assert.ok(!endpointFailed(check));
  const listOnly = await checkEndpoint({ baseURL: server.url, apiKey: '', test: false });
  assert.equal(listOnly.test, undefined);
  assert.equal(server.chatRequests.length, 1);

  const dead = await checkEndpoint({ baseURL: await closedURL(), apiKey: '', model: 'm', test: true });
  assert.equal(dead.test, undefined);
  assert.equal(dead.skipped, 'the endpoint did not answer');
  assert.ok(endpointFailed(dead));
});

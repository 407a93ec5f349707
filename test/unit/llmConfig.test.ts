import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelServer } from '../support/modelServer';
import {
  DEFAULT_OPENAI_MODEL,
  OPENAI_BASE_URL,
  listModels,
  resolveEndpoint,
  resolveLLMConfig,
} from '../../src/core/llm/config';
import { ChatModelError } from '../../src/core/llm/chatModel';

function tempDirs(t: { after: (fn: () => void) => void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-llmconfig-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  const cwd = path.join(root, 'ws');
  fs.mkdirSync(home);
  fs.mkdirSync(cwd);
  return { root, home, cwd };
}

function writeJSON(file: string, value: unknown) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
}

/** An address on 127.0.0.1 where nothing listens. */
async function deadURL(): Promise<string> {
  const s = await ModelServer.start();
  await s.close();
  return s.url;
}

test('flags beat env, env beats the config file', async (t) => {
  const { home, cwd } = tempDirs(t);
  writeJSON(path.join(cwd, '.recurse.json'), {
    baseUrl: 'http://file.example/v1',
    apiKey: 'file-key',
    model: 'file-model',
    subModel: 'file-sub',
    maxIterations: 12,
    prices: { 'file-model': { input: 1, output: 2 } },
  });
  const env = { OPENAI_BASE_URL: 'http://env.example/v1', OPENAI_API_KEY: 'env-key', RECURSE_MODEL: 'env-model' };

  const fileOnly = await resolveLLMConfig({ env: {}, cwd, home });
  assert.equal(fileOnly.baseURL, 'http://file.example/v1');
  assert.equal(fileOnly.apiKey, 'file-key');
  assert.equal(fileOnly.model, 'file-model');
  assert.equal(fileOnly.subModel, 'file-sub');
  assert.equal(fileOnly.source, 'config-file');
  assert.equal(fileOnly.file.maxIterations, 12);
  assert.deepEqual(fileOnly.prices, { 'file-model': { input: 1, output: 2 } });

  const withEnv = await resolveLLMConfig({ env, cwd, home });
  assert.equal(withEnv.baseURL, 'http://env.example/v1');
  assert.equal(withEnv.apiKey, 'env-key');
  assert.equal(withEnv.model, 'env-model');
  assert.equal(withEnv.subModel, 'file-sub');
  assert.equal(withEnv.source, 'env');

  const withFlags = await resolveLLMConfig({
    flags: { baseUrl: 'http://flag.example/v1/', model: 'flag-model', subModel: 'flag-sub' },
    env,
    cwd,
    home,
  });
  assert.equal(withFlags.baseURL, 'http://flag.example/v1');
  assert.equal(withFlags.apiKey, 'env-key');
  assert.equal(withFlags.model, 'flag-model');
  assert.equal(withFlags.subModel, 'flag-sub');
  assert.equal(withFlags.source, 'flags');
  assert.deepEqual(withFlags.sources, { baseURL: 'flags', apiKey: 'env', model: 'flags', subModel: 'flags' });
});

test('the workspace file refines the user file; RECURSE_CONFIG replaces both', async (t) => {
  const { root, home, cwd } = tempDirs(t);
  writeJSON(path.join(home, '.config', 'recurse', 'config.json'), {
    apiKey: 'user-key',
    model: 'user-model',
    prices: { a: { input: 1, output: 1 } },
  });
  writeJSON(path.join(cwd, '.recurse.json'), { model: 'ws-model', prices: { b: { input: 2, output: 2 } } });
  const merged = await resolveLLMConfig({ env: {}, cwd, home });
  assert.equal(merged.apiKey, 'user-key');
  assert.equal(merged.model, 'ws-model');
  assert.equal(merged.baseURL, OPENAI_BASE_URL);
  assert.deepEqual(Object.keys(merged.prices ?? {}).sort(), ['a', 'b']);
  assert.equal(merged.files.length, 2);

  const other = path.join(root, 'other.json');
  writeJSON(other, { baseUrl: 'http://other/v1', model: 'other-model' });
  const explicit = await resolveLLMConfig({ env: { RECURSE_CONFIG: other }, cwd, home });
  assert.equal(explicit.model, 'other-model');
  assert.equal(explicit.apiKey, '');
  assert.deepEqual(explicit.files, [other]);
});

test('an API key alone means OpenAI with the default model; subModel defaults to model', async (t) => {
  const { home, cwd } = tempDirs(t);
  const cfg = await resolveLLMConfig({ env: { OPENAI_API_KEY: 'sk-1' }, cwd, home });
  assert.equal(cfg.baseURL, OPENAI_BASE_URL);
  assert.equal(cfg.model, DEFAULT_OPENAI_MODEL);
  assert.equal(cfg.subModel, DEFAULT_OPENAI_MODEL);
  assert.equal(cfg.sources.model, 'default');
});

test('RECURSE_SUB_MODEL sets the sub-model only', async (t) => {
  const { home, cwd } = tempDirs(t);
  const cfg = await resolveLLMConfig({
    env: { OPENAI_API_KEY: 'k', RECURSE_MODEL: 'big', RECURSE_SUB_MODEL: 'small' },
    cwd,
    home,
  });
  assert.equal(cfg.model, 'big');
  assert.equal(cfg.subModel, 'small');
});

test('invalid or missing config files are config errors naming the file', async (t) => {
  const { root, home, cwd } = tempDirs(t);
  fs.writeFileSync(path.join(cwd, '.recurse.json'), '{ not json');
  await assert.rejects(resolveLLMConfig({ env: {}, cwd, home }), (e: unknown) => {
    assert.ok(e instanceof ChatModelError);
    assert.equal(e.kind, 'config');
    assert.match(e.message, /\.recurse\.json/);
    return true;
  });
  await assert.rejects(resolveLLMConfig({ configFile: path.join(root, 'nope.json'), env: {}, cwd, home }), /Config file not found/);
  fs.writeFileSync(path.join(cwd, '.recurse.json'), JSON.stringify({ prices: { m: { input: 'cheap' } } }));
  await assert.rejects(resolveLLMConfig({ env: {}, cwd, home }), /prices\["m"\]/);
});

test('nothing configured: a local Ollama is found and its first model used', async (t) => {
  const { home, cwd } = tempDirs(t);
  const ollama = await ModelServer.start({ models: ['qwen2.5-coder:7b', 'llama3.2'] });
  t.after(() => ollama.close());
  const cfg = await resolveLLMConfig({ env: {}, cwd, home, ollamaBaseURL: ollama.url });
  assert.equal(cfg.baseURL, ollama.url);
  assert.equal(cfg.model, 'qwen2.5-coder:7b');
  assert.equal(cfg.subModel, 'qwen2.5-coder:7b');
  assert.equal(cfg.apiKey, '');
  assert.equal(cfg.source, 'ollama');
  assert.equal(ollama.requests[0]!.path, '/v1/models');

  const chosen = await resolveLLMConfig({ env: { RECURSE_MODEL: 'llama3.2' }, cwd, home, ollamaBaseURL: ollama.url });
  assert.equal(chosen.model, 'llama3.2');
});

test('nothing configured and no Ollama: a config error explaining how to configure', async (t) => {
  const { home, cwd } = tempDirs(t);
  const dead = await deadURL();
  const started = Date.now();
  await assert.rejects(resolveLLMConfig({ env: {}, cwd, home, ollamaBaseURL: dead }), (e: unknown) => {
    assert.ok(e instanceof ChatModelError);
    assert.equal(e.kind, 'config');
    assert.match(e.message, /OPENAI_API_KEY/);
    assert.match(e.message, /--base-url/);
    assert.match(e.message, /config\.json/);
    return true;
  });
  assert.ok(Date.now() - started < 2000);
});

test('Ollama without models is a config error suggesting a pull', async (t) => {
  const { home, cwd } = tempDirs(t);
  const ollama = await ModelServer.start({ models: [] });
  t.after(() => ollama.close());
  await assert.rejects(resolveLLMConfig({ env: {}, cwd, home, ollamaBaseURL: ollama.url }), /ollama pull/);
});

test('a base URL without a model uses the first model the server lists', async (t) => {
  const { home, cwd } = tempDirs(t);
  const server = await ModelServer.start({ models: ['served-model'] });
  t.after(() => server.close());
  const cfg = await resolveLLMConfig({ flags: { baseUrl: server.url }, env: {}, cwd, home });
  assert.equal(cfg.model, 'served-model');
  assert.equal(cfg.apiKey, '');
});

test('listModels returns ids and sends the key; failures are ChatModelErrors', async (t) => {
  const server = await ModelServer.start({ models: ['a', 'b'] });
  t.after(() => server.close());
  assert.deepEqual(await listModels(server.url, 'sk-x'), ['a', 'b']);
  assert.equal(server.requests[0]!.headers.authorization, 'Bearer sk-x');
  await assert.rejects(listModels(await deadURL(), ''), (e: unknown) => e instanceof ChatModelError && e.kind === 'network');
});

test('resolveEndpoint: the same precedence without requiring a model, and without asking the server', async (t) => {
  const { home, cwd } = tempDirs(t);
  const server = await ModelServer.start({ models: [] });
  t.after(() => server.close());
  writeJSON(path.join(cwd, '.recurse.json'), { baseUrl: 'http://file.example/v1', apiKey: 'file-key' });
  const endpoint = await resolveEndpoint({ flags: { baseUrl: `${server.url}/` }, env: { OPENAI_API_KEY: 'env-key' }, cwd, home });
  assert.equal(endpoint.baseURL, server.url);
  assert.equal(endpoint.apiKey, 'env-key');
  assert.equal(endpoint.model, undefined);
  assert.deepEqual(endpoint.sources, { baseURL: 'flags', apiKey: 'env', model: undefined, subModel: undefined });
  assert.equal(server.requests.length, 0);
  // resolveLLMConfig needs a model, and this server lists none.
  await assert.rejects(resolveLLMConfig({ flags: { baseUrl: server.url }, env: {}, cwd, home }), /listed none/);
});

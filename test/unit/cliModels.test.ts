import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, runCli } from '../support/cliRun';
import { ModelServer, type ModelServerOptions } from '../support/modelServer';

/** `recurse models` end to end: the bundled CLI (dist/cli.js) against the test model server, as a user runs it. */

/** A server for one test, closed after it. */
async function withServer<T>(options: ModelServerOptions, fn: (server: ModelServer) => Promise<T>): Promise<T> {
  const server = await ModelServer.start(options);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** The URL of a server that has just closed: nothing listens there. */
async function closedURL(): Promise<string> {
  const server = await ModelServer.start();
  await server.close();
  return server.url;
}

const listings = (server: ModelServer) => server.requests.filter((r) => r.method === 'GET' && r.path === '/v1/models');

describe('recurse models', () => {
  // An empty workspace, so no ./.recurse.json of the repository is read.
  let workspace: string;
  before(() => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    workspace = mkdtempSync(join(tmpdir(), 'recurse-models-'));
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('lists the models one a line, marks the configured ones, and tests one with a single-token completion', async () => {
    await withServer({ models: ['zeta', 'alpha', 'beta'], script: () => 'ok' }, async (server) => {
      const run = await runCli(['models', '-w', workspace, '--base-url', server.url, '--model', 'beta'], { env: { RECURSE_SUB_MODEL: 'alpha' } });
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trimEnd().split('\n');
      assert.equal(lines[0], `endpoint: ${server.url} (from --base-url)`);
      assert.deepEqual(lines.slice(1, 5), ['models (3):', '  alpha  [sub-model]', '  beta  [model]', '  zeta']);
      assert.match(lines[5]!, /^test: ok — beta answered in \d+ ms$/);
      assert.equal(lines.length, 6);
      assert.equal(run.stderr, '');
      assert.equal(listings(server).length, 1);
      assert.equal(server.chatRequests.length, 1);
      const body = server.chatRequests[0]!.body;
      assert.equal(body.model, 'beta');
      assert.equal(body.max_tokens, 1);
      assert.equal(body.stream, false);
    });
  });

  it('--json prints one object; without --model the model the server lists first is tested', async () => {
    await withServer({ models: ['zeta', 'alpha'], script: () => 'ok' }, async (server) => {
      const run = await runCli(['models', '-w', workspace, '--base-url', server.url, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout);
      assert.equal(typeof out.test.latencyMs, 'number');
      assert.deepEqual(out, { baseUrl: server.url, models: ['alpha', 'zeta'], test: { model: 'zeta', ok: true, latencyMs: out.test.latencyMs } });
      assert.equal(server.chatRequests[0]!.body.model, 'zeta');
    });
  });

  it('--no-test lists only: no completion is requested', async () => {
    await withServer({ models: ['m1'], script: () => 'ok' }, async (server) => {
      const run = await runCli(['models', '-w', workspace, '--base-url', server.url, '--no-test', '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { baseUrl: server.url, models: ['m1'] });
      assert.equal(server.chatRequests.length, 0);
    });
  });

  it('a wrong key: exit 1, the server\'s own 401 message, one request per endpoint (no retries)', async () => {
    await withServer({ apiKey: 'sk-right-key', script: () => 'ok' }, async (server) => {
      const run = await runCli(['models', '-w', workspace, '--base-url', server.url, '--api-key', 'sk-wrong-key', '-m', 'test-model']);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /^models: failed — .*\(401\): Incorrect API key provided: sk-\*+ey\./m);
      assert.match(run.stdout, /^test: failed — .*\(401\): Incorrect API key provided: sk-\*+ey\./m);
      assert.match(run.stderr, /API key was refused \(401\): check --api-key or OPENAI_API_KEY/);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, 'one hint for one problem');
      assert.equal(listings(server).length, 1);
      assert.equal(server.chatRequests.length, 1);

      // The same server with the right key (from the environment) answers: the key is what was wrong.
      const right = await runCli(['models', '-w', workspace, '--base-url', server.url, '-m', 'test-model'], { env: { OPENAI_API_KEY: 'sk-right-key' } });
      assert.equal(right.code, 0, right.stderr);
      assert.match(right.stdout, /^test: ok — test-model answered in \d+ ms$/m);
    });
  });

  it('an unreachable endpoint: exit 1 naming the URL, and no test call after the list failed', async () => {
    const url = await closedURL();
    const run = await runCli(['models', '-w', workspace, '--base-url', url, '-m', 'm', '--json']);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(`unreachable: nothing answered at ${url}. Is the server running there?`), run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.models, null);
    assert.equal(out.modelsError.kind, 'network');
    assert.match(out.modelsError.message, /ECONNREFUSED/);
    assert.equal(out.test, undefined);
  });

  it('/models answering 404: a message about the base URL', async () => {
    await withServer({ modelsFault: 404 }, async (server) => {
      const run = await runCli(['models', '-w', workspace, '--base-url', server.url, '--no-test']);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /^models: failed — .*\/v1\/models was not found \(404\): Not Found\./m);
      assert.match(run.stderr, /not found \(404\): the base URL should end in \/v1/);
    });
  });

  it('a listing that fails with no model configured is still shown (not a configuration error)', async () => {
    await withServer({ modelsFault: 500 }, async (server) => {
      const run = await runCli(['models', '-w', workspace, '--base-url', server.url]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /^models: failed — .*\(500\): The server had an error\./m);
      assert.match(run.stdout, /^test: skipped — no model to test: the list failed; pass --model$/m);
      assert.match(run.stderr, /the server failed \(500\)/);
      assert.equal(server.chatRequests.length, 0);
    });
  });

  it('a rate-limited test call: exit 1, "rate limit", exactly one chat request', async () => {
    await withServer({ script: () => ({ fault: 'rate-limit' }) }, async (server) => {
      const run = await runCli(['models', '-w', workspace, '--base-url', server.url]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /^test: failed — .*rate limit.*\(429\): Rate limit reached$/im);
      assert.match(run.stderr, /rate limited \(429\): try again later/);
      assert.equal(server.chatRequests.length, 1);
    });
  });

  it('reads the endpoint and model from the workspace config file; a flag overrides it', async () => {
    await withServer({ models: ['a', 'b'], script: () => 'ok' }, async (server) => {
      const dir = mkdtempSync(join(tmpdir(), 'recurse-models-ws-'));
      try {
        writeFileSync(join(dir, '.recurse.json'), JSON.stringify({ baseUrl: server.url, model: 'b' }));
        const run = await runCli(['models', '-w', dir]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^endpoint: .* \(from the config file\)$/m);
        assert.match(run.stdout, /^ {2}b {2}\[model, sub-model\]$/m);
        assert.match(run.stdout, /^test: ok — b answered in/m);
        const overridden = await runCli(['models', '-w', dir, '--base-url', await closedURL()]);
        assert.equal(overridden.code, 1);
        assert.match(overridden.stderr, /unreachable/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('an Azure deployment URL: the list is not available, which is not a failure', async () => {
    const url = 'https://example.openai.azure.com/openai/deployments/gpt4o';
    const run = await runCli(['models', '-w', workspace, '--base-url', url, '--api-key', 'k', '--no-test']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^models: not available — Azure OpenAI serves one deployment per URL/m);
  });

  it('nothing configured and no Ollama: exit 2 with the configuration help, as ask', async () => {
    const run = await runCli(['models', '-w', workspace]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /No language model is configured, and no Ollama answered/);
    assert.match(run.stderr, /OPENAI_API_KEY/);
    assert.match(run.stderr, /--base-url/);
    assert.equal(run.stdout, '');
  });

  it('usage errors exit 2; --help exits 0', async () => {
    const positional = await runCli(['models', 'gpt-4']);
    assert.equal(positional.code, 2);
    assert.match(positional.stderr, /models takes no arguments.*--model/);
    const unknown = await runCli(['models', '--frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--frobnicate'/);
    const help = await runCli(['models', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--no-test/);
    const main = await runCli(['--help']);
    assert.match(main.stdout, /recurse models/);
  });
});

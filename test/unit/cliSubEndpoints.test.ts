import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cliRun';
import { ModelServer } from '../support/modelServer';
import { copyFixture, js } from '../support/scriptedModels';

/**
 * `recurse ask` with its sub-calls over a pool of endpoints (real HTTP: a root server and two sub-call servers, one
 * answering its first call with 429): the root keeps its endpoint, the fan-out spreads, and usage comes per endpoint.
 */
describe('recurse ask --sub-endpoint', () => {
  let fixture: ReturnType<typeof copyFixture>;
  let root: ModelServer;
  let subA: ModelServer;
  let subB: ModelServer;
  let dir: string;
  const FAN = 'const answers = await llm_query_batched(Array.from({ length: 12 }, (_, i) => "part " + i));\nprint(answers.join("\\n"))';

  before(async () => {
    fixture = copyFixture('shop');
    dir = mkdtempSync(join(tmpdir(), 'recurse-subendpoints-'));
    root = await ModelServer.start({
      models: ['root-model'],
      script: (ctx) => (ctx.messages.some((m) => m.role === 'assistant')
        ? js(`finish(${JSON.stringify(`Parts answered: ${(ctx.lastUser.match(/answer to part \d+/g) ?? []).length}. See src/orders/pricing.ts:15.`)})`)
        : js(FAN)),
    });
    let first = true;
    subA = await ModelServer.start({
      models: ['sub-model'],
      script: (ctx) => {
        if (first) {
          first = false;
          return { fault: 'rate-limit', retryAfter: 1 };
        }
        return { text: `answer to ${ctx.lastUser} (A)`, delayMs: 20 };
      },
    });
    subB = await ModelServer.start({ models: ['sub-model'], script: (ctx) => ({ text: `answer to ${ctx.lastUser} (B)`, delayMs: 20 }) });
  });
  after(async () => {
    await Promise.all([root.close(), subA.close(), subB.close()]);
    fixture.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const trim = (url: string) => url.replace(/\/+$/, '');

  it('spreads llm_query_batched over the endpoints given on the command line, within their limit', async () => {
    const run = await runCli(['ask', '-w', fixture.dir, '--base-url', root.url, '-m', 'root-model', '--sub-model', 'sub-model', '--no-cache',
      '--sub-endpoint', subA.url, '--sub-endpoint', subB.url, '--sub-endpoint-concurrency', '2', '--json', 'Split it up'], { env: { OPENAI_API_KEY: 'root-key' } });
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.match(out.answer, /Parts answered: 12\./);
    const by = out.usage.byEndpoint;
    assert.equal(by[trim(root.url)].calls, 2, 'the root model stayed on its endpoint');
    assert.equal(by[trim(subA.url)].calls + by[trim(subB.url)].calls, 12, 'each part answered once');
    assert.ok(by[trim(subA.url)].calls >= 1 && by[trim(subB.url)].calls >= 1);
    // Never more than 2 in flight per sub-endpoint; the root's key never went to another server.
    for (const s of [subA, subB]) {
      const chats = s.requests.filter((r) => r.path.endsWith('/chat/completions'));
      const overlap = Math.max(...chats.map((r) => chats.filter((o) => o.at <= r.at && r.at < o.at + 20).length));
      assert.ok(overlap <= 2, `${overlap} in flight`);
      assert.ok(chats.every((r) => !JSON.stringify(r.headers).includes('root-key')));
    }
  });

  it('reads "subEndpoints" from the config file, and refuses a bad one with a clear error', async () => {
    const config = join(dir, 'pool.json');
    writeFileSync(config, JSON.stringify({ baseUrl: root.url, model: 'root-model', subModel: 'sub-model', subEndpoints: [{ baseUrl: subB.url, concurrency: 3, weight: 2 }] }));
    const run = await runCli(['ask', '-w', fixture.dir, '--config', config, '--no-cache', '--json', 'Split it up'], { env: { OPENAI_API_KEY: 'k' } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).usage.byEndpoint[trim(subB.url)].calls, 12);

    writeFileSync(config, JSON.stringify({ baseUrl: root.url, model: 'root-model', subEndpoints: [{ baseUrl: subB.url, concurrency: 0 }] }));
    const bad = await runCli(['ask', '-w', fixture.dir, '--config', config, 'q'], { env: { OPENAI_API_KEY: 'k' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /subEndpoints\[0\]\.concurrency must be a positive integer, got 0/);
    const flag = await runCli(['ask', '-w', fixture.dir, '--base-url', root.url, '-m', 'root-model', '--sub-endpoint', 'ftp://x', 'q'], { env: { OPENAI_API_KEY: 'k' } });
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--sub-endpoint must be an http\(s\) base URL/);
  });
});

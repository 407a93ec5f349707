import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cliRun';
import { copyFixture, js, startScriptedModels } from '../support/scriptedModels';

/** `recurse ask` and the sub-call cache on disk: a second process answers the same sub-call for free; --no-cache sends it. */
describe('recurse ask: memoized sub-calls across processes', () => {
  let fixture: ReturnType<typeof copyFixture>;
  let home: string;
  before(() => {
    fixture = copyFixture('shop');
    home = mkdtempSync(join(tmpdir(), 'recurse-cli-cache-'));
  });
  after(() => {
    fixture.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  const cell = js('print(await llm_query("Summarise src/orders/pricing.ts in one line"))');
  const args = (url: string, ...extra: string[]) =>
    ['ask', '-w', fixture.dir, '--base-url', url, '-m', 'root-model', '--sub-model', 'sub-model', '--json', ...extra, 'What does pricing do?'];

  it('the second run sends no sub-call and reports what the cache saved; --no-cache sends it again', async () => {
    const models = await startScriptedModels({
      rootSteps: [cell, js('finish("one")'), cell, js('finish("two")'), cell, js('finish("three")')],
      subSteps: [{ text: 'Prices orders with discounts.', usage: { prompt_tokens: 300, completion_tokens: 20 } },
        { text: 'Prices orders with discounts.', usage: { prompt_tokens: 300, completion_tokens: 20 } }],
    });
    try {
      const env = { OPENAI_API_KEY: 'test-key' };
      const first = await runCli(args(models.server.url), { env, home });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(JSON.parse(first.stdout).usage.cachedSubCalls, 0);
      assert.equal(models.bodies('sub-model').length, 1);
      const folder = join(home, 'cache', 'recurse', 'subcalls');
      assert.ok(existsSync(folder) && readdirSync(folder).length === 1, 'one cache folder for the workspace');

      const second = await runCli(args(models.server.url), { env, home });
      assert.equal(second.code, 0, second.stderr);
      const usage = JSON.parse(second.stdout).usage;
      assert.equal(models.bodies('sub-model').length, 1, 'the second process sent no sub-call');
      assert.deepEqual([usage.cachedSubCalls, usage.savedTokens, usage.subCalls], [1, 320, 0]);

      const third = await runCli(args(models.server.url, '--no-cache'), { env, home });
      assert.equal(third.code, 0, third.stderr);
      assert.equal(models.bodies('sub-model').length, 2, '--no-cache sends it');
      assert.equal(JSON.parse(third.stdout).usage.cachedSubCalls, 0);

      const bad = await runCli(args(models.server.url, '--sub-temperature', '3'), { env, home });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--sub-temperature must be a number from 0 to 2/);
    } finally {
      await models.close();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ask } from '../../src/core/workflows/ask';
import { FileMap } from '../../src/core/workspace/fileMap';
import { fixtureMap, js, startScriptedModels } from '../support/scriptedModels';

/** Providers' prompt caching: cached prompt tokens are read from usage (streaming and not) and priced at the cached rate. */
describe('cached prompt tokens', () => {
  let map: FileMap;
  const fixture = fixtureMap('shop', (loaded) => (map = loaded));

  it('are read from usage.prompt_tokens_details and priced at cachedInput (input when it has none)', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        { text: js('print(1)'), usage: { prompt_tokens: 2000, completion_tokens: 100 } },
        { text: js('finish("done")'), usage: { prompt_tokens: 3000, completion_tokens: 50, cached_tokens: 2048 } },
      ],
    });
    try {
      const prices = { 'root-model': { input: 2, output: 8, cachedInput: 0.5 } };
      const result = await ask({ workspace: fixture.dir, map, code: false, rootModel: models.root, question: 'q', prices });
      const total = result.usage.byModel.total;
      assert.equal(total.cachedPromptTokens, 2048);
      assert.equal(total.promptTokens, 5000);
      const expected = (2000 * 2 + 100 * 8 + (3000 - 2048) * 2 + 2048 * 0.5 + 50 * 8) / 1e6;
      assert.ok(Math.abs((result.usage.cost ?? 0) - expected) < 1e-12, `${result.usage.cost} vs ${expected}`);
      const uncachedPrice = (2000 * 2 + 100 * 8 + 3000 * 2 + 50 * 8) / 1e6;
      assert.ok((result.usage.cost ?? 0) < uncachedPrice, 'the cached part is cheaper');
    } finally {
      await models.close();
    }
  });
});

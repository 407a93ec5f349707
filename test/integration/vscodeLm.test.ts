import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RecurseApi } from '../../src/extension/extension';
import { api, configure, js } from './helpers';

interface LmTestProvider {
  setHandler(fn: (messages: { role: string; text: string }[]) => string | Promise<string>): void;
  requests: { model: string; messages: { role: string; text: string }[] }[];
  registered: boolean;
  error?: string;
}

describe('provider vscode-lm (VS Code Language Model API)', () => {
  let recurse: RecurseApi;
  let lm: LmTestProvider;

  before(async function () {
    const ext = vscode.extensions.getExtension<LmTestProvider>('recurse-test.lm-test-provider');
    if (!ext) {
      console.log('      (skipped: the test language-model extension is not loaded)');
      this.skip();
    }
    lm = ext.isActive ? ext.exports : await ext.activate();
    assert.ok(lm.registered, `registerLanguageModelChatProvider failed: ${lm.error}`);
    recurse = await api();
    await configure({ provider: 'vscode-lm', model: 'recurse-test-model', subModel: '' });
  });
  after(() => configure({ provider: undefined, model: undefined }));

  it('finds the registered model through vscode.lm.selectChatModels', async () => {
    const models = await vscode.lm.selectChatModels({ vendor: 'recurse-test' });
    assert.deepEqual(models.map((m) => m.id), ['recurse-test-model']);
  });

  it('answers a question with a VS Code chat model and no API key', async () => {
    let turn = 0;
    lm.setHandler((messages) => {
      turn++;
      if (turn === 1) {
        assert.match(messages[0].text, /finish\(/, 'the system prompt arrives (as the first user message)');
        assert.equal(messages[0].role, 'user');
        return js('print(read("src/config.ts", 1, 3))');
      }
      assert.match(messages[messages.length - 1].text, /Cell 1 output/);
      return js('finish("The configuration is in src/config.ts:1-3.")');
    });
    const before = lm.requests.length;
    const outcome = await recurse.ask('Where is the configuration?');
    assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
    if (outcome.status !== 'answered') return;
    assert.equal(lm.requests.length - before, 2);
    assert.equal(lm.requests[before].model, 'recurse-test-model');
    assert.ok(outcome.citations.some((c) => c.valid && c.path === 'src/config.ts'));
    assert.ok(outcome.usage.totalTokens > 0, 'usage is estimated');
  });

  it('fails with a clear message when the configured model does not exist', async () => {
    await configure({ model: 'no-such-model' });
    try {
      const outcome = await recurse.ask('Anything?');
      assert.equal(outcome.status, 'failed');
      assert.match((outcome as { message: string }).message, /no-such-model.*Available: recurse-test-model/s);
    } finally {
      await configure({ model: 'recurse-test-model' });
    }
  });
});

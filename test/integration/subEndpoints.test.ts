import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RecurseApi } from '../../src/extension/extension';
import { ModelServer } from '../support/modelServer';
import { answerInput, configure, connectModelServer, inputTitled as inputTitledIn, js, script } from './helpers';

/**
 * recurse.subEndpoints in VS Code: a question's sub-calls spread over two more OpenAI-compatible servers while the
 * root model stays on recurse.baseUrl; a sub-endpoint's key is set with "Recurse: Set API Key" (which asks which
 * endpoint) and sent to that endpoint alone.
 */
describe('sub-calls over a pool of endpoints (recurse.subEndpoints)', () => {
  let server: ModelServer;
  let recurse: RecurseApi;
  let open: ModelServer;
  let keyed: ModelServer;

  before(async () => {
    open = await ModelServer.start({ models: ['sub-model'], script: (ctx) => ({ text: `open: ${ctx.lastUser}`, delayMs: 20 }) });
    keyed = await ModelServer.start({ models: ['sub-model'], apiKey: 'sk-sub-0042', script: (ctx) => ({ text: `keyed: ${ctx.lastUser}`, delayMs: 20 }) });
    ({ server, recurse } = await connectModelServer({
      subModel: 'sub-model', maxIterations: 4, cacheSubCalls: false,
      subEndpoints: [{ baseUrl: open.url, concurrency: 2 }, { baseUrl: keyed.url, concurrency: 2 }],
    }));
  });
  after(async () => {
    recurse.cancel();
    await configure({ subEndpoints: undefined, subModel: undefined, cacheSubCalls: undefined });
    await Promise.all([server.close(), open.close(), keyed.close()]);
  });

  const inputTitled = (title: RegExp) => inputTitledIn(recurse, title);
  const answer = (title: RegExp, value: string | RegExp) => answerInput(recurse, title, value);

  it("sets one sub-endpoint's key, then spreads a question's sub-calls over both, the root staying put", async () => {
    const command = vscode.commands.executeCommand<boolean>('recurse.setApiKey');
    const pick = await inputTitled(/Set API Key/) as vscode.QuickPick<vscode.QuickPickItem>;
    assert.deepEqual(pick.items.map((i) => i.label), [server.url, open.url, keyed.url]);
    await answer(/Set API Key/, new RegExp(`^${keyed.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
    await answer(/API key for/, 'sk-sub-0042');
    assert.equal(await command, true);

    const s = script(server, [
      js('const parts = await llm_query_batched(Array.from({ length: 8 }, (_, i) => "part " + i));\nprint(parts.join("\\n"))'),
      (ctx) => js(`finish(${JSON.stringify(`Answered by ${(ctx.lastUser.match(/(open|keyed): part \d/g) ?? []).length} sub-calls, see src/orders/pricing.ts:15.`)})`),
    ]);
    const outcome = await recurse.ask('Fan out over the pool');
    s.check();
    assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
    assert.match(outcome.status === 'answered' ? outcome.answer : '', /Answered by 8 sub-calls/);
    const openCalls = open.chatRequests.length;
    const keyedCalls = keyed.chatRequests.filter((r) => r.headers.authorization === 'Bearer sk-sub-0042').length;
    assert.equal(openCalls + keyedCalls, 8, `open ${openCalls}, keyed ${keyedCalls}`);
    assert.ok(openCalls >= 1 && keyedCalls >= 1);
    assert.ok(open.chatRequests.every((r) => !String(r.headers.authorization ?? '').includes('sk-sub-0042')), 'the key went to its endpoint only');
    assert.equal(server.chatRequests.filter((r) => r.body.model === 'sub-model').length, 0, 'no sub-call on the root endpoint');
  });
});

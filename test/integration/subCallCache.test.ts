import * as assert from 'node:assert/strict';
import type { RecurseApi } from '../../src/extension/extension';
import type { ModelServer } from '../support/modelServer';
import { configure, connectModelServer, js, messagesOf } from './helpers';

/** The chat keeps the workspace's sub-call cache across its questions; recurse.cacheSubCalls turns it off. */
describe('sub-call cache in the chat', () => {
  let server: ModelServer;
  let recurse: RecurseApi;
  const prompt = 'List the exported functions of src/orders/pricing.ts (cache test)';

  before(async () => {
    ({ server, recurse } = await connectModelServer({ subModel: 'sub-model', maxIterations: 4 }));
    server.setHandler((ctx) => {
      if (ctx.model === 'sub-model') return 'priceOrder, computeTax';
      const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
      return turn === 0 ? js(`print(await llm_query(${JSON.stringify(prompt)}))`) : js('finish("priceOrder and computeTax.")');
    });
  });
  after(async () => {
    await configure({ subModel: undefined, cacheSubCalls: undefined });
    await server.close();
  });

  const sent = () => server.chatRequests.filter((r) => r.body?.model === 'sub-model' && JSON.stringify(r.body.messages).includes(prompt)).length;

  it('a follow-up question asking the same sub-call gets it from the cache, marked cached, at no cost', async () => {
    const first = await recurse.ask('What does pricing.ts export?');
    assert.equal(first.status, 'answered');
    assert.equal(sent(), 1);
    const since = recurse.sentToWebview.length;
    const second = await recurse.ask('Remind me what pricing.ts exports?');
    assert.equal(second.status, 'answered');
    assert.equal(sent(), 1, 'the identical sub-call was not sent again');
    const ends = messagesOf(recurse, 'event', since).map((m) => m.event).filter((e) => e.type === 'subcall-end');
    assert.deepEqual(ends.map((e) => e.type === 'subcall-end' && e.cached), [true]);
    assert.ok(second.status === 'answered' && second.usage.cachedSubCalls === 1 && (second.usage.savedTokens ?? 0) > 0, JSON.stringify(second));
  });

  it('recurse.cacheSubCalls off: every sub-call is sent', async () => {
    await configure({ cacheSubCalls: false });
    const outcome = await recurse.ask('Once more: what does pricing.ts export?');
    assert.equal(outcome.status, 'answered');
    assert.equal(sent(), 2);
  });
});

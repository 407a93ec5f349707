import * as assert from 'node:assert/strict';
import type { RecurseApi } from '../../src/extension/extension';
import type { ModelServer, ScriptContext } from '../support/modelServer';
import { connectModelServer, folder, js, script } from './helpers';

/** The chat is one conversation: one REPL across its questions; New Chat and a scope change start a new one. */
describe('conversation in the chat', () => {
  let server: ModelServer;
  let recurse: RecurseApi;
  before(async () => {
    ({ server, recurse } = await connectModelServer({ subModel: '', maxIterations: 4 }));
    await recurse.postFromWebview({ type: 'setScope', kind: 'workspace' });
    await recurse.postFromWebview({ type: 'newChat' });
  });
  after(async () => {
    await recurse.postFromWebview({ type: 'setScope', kind: 'workspace' });
    await server.close();
  });

  const firstUser = (ctx: ScriptContext) => ctx.messages.find((m) => m.role === 'user')!.content;

  it('a follow-up reads the first question\'s variable and `history`', async () => {
    let note = '';
    const s = script(server, [
      js('const pricing = grep(/export function priceOrder/)[0];\nprint(pricing.path)'),
      js('finish("priceOrder is in src/orders/pricing.ts:15.")'),
      (ctx) => {
        note = firstUser(ctx);
        return js('print(pricing.path + " | " + history.length + " | " + history[0].question)');
      },
      (ctx) => js(`finish(${JSON.stringify(ctx.lastUser.includes('src/orders/pricing.ts | 1 | Where are orders priced?') ? 'Same place: src/orders/pricing.ts:15.' : 'forgot')})`),
    ]);
    const first = await recurse.ask('Where are orders priced?');
    const second = await recurse.ask('Remind me where that was?');
    s.check();
    assert.equal(first.status, 'answered');
    assert.ok(second.status === 'answered' && second.answer === 'Same place: src/orders/pricing.ts:15.', JSON.stringify(second));
    assert.match(note, /Earlier questions of this conversation: 1/);
    assert.match(note, /The last question was: Where are orders priced\?/);
  });

  it('New Chat starts a new REPL with an empty history', async () => {
    await recurse.postFromWebview({ type: 'newChat' });
    const s = script(server, [
      js('print(typeof pricing, history.length)'),
      (ctx) => js(`finish(${JSON.stringify(ctx.lastUser.includes('undefined 0') ? 'fresh' : 'stale')})`),
    ]);
    const outcome = await recurse.ask('Anything from before?');
    s.check();
    assert.ok(outcome.status === 'answered' && outcome.answer === 'fresh', JSON.stringify(outcome));
  });

  it('a change of scope starts a new REPL too', async () => {
    const s = script(server, [
      js('const marker = 7;\nfinish("set")'),
      js('print(typeof marker, history.length)'),
      (ctx) => js(`finish(${JSON.stringify(ctx.lastUser.includes('undefined 0') ? 'fresh' : 'stale')})`),
    ]);
    assert.equal((await recurse.ask('Set a marker')).status, 'answered');
    await recurse.postFromWebview({ type: 'setScope', kind: 'directory', folder: folder().name, spec: 'src/orders' });
    const outcome = await recurse.ask('Is the marker there?');
    s.check();
    assert.ok(outcome.status === 'answered' && outcome.answer === 'fresh', JSON.stringify(outcome));
  });
});

import * as assert from 'node:assert/strict';
import type { RecurseApi } from '../../src/extension/extension';
import type { ModelServer } from '../support/modelServer';
import { configure, connectModelServer, js, messagesOf } from './helpers';

/**
 * The chat keeps every prompt inside the model's context window: recurse.contextWindow when set, else what the
 * endpoint says — here an Ollama serving a smaller window than the model supports, which the chat says once.
 */
describe('context windows in the chat', () => {
  let server: ModelServer;
  let recurse: RecurseApi;
  const turns = 7;

  before(async () => {
    ({ server, recurse } = await connectModelServer(
      { maxIterations: 10 },
      { models: ['root-model'], windows: { '*': { tokens: 4_096, supported: 32_768, flavor: 'ollama', overflow: 'truncate' } } },
    ));
    // Each question: a first turn that keeps a count and prints every file, more turns printing them, then the answer.
    server.setHandler((ctx) => {
      const turn = Number(/Turn (\d+)\/\d+/.exec(ctx.lastUser)?.[1] ?? 1);
      const printAll = "print(files().map((f) => read(f.path, 1, 400)).join('\\n'))";
      if (turn === 1) return js(`globalThis.total = files().length;\n${printAll}`);
      if (turn < turns) return js(printAll);
      return js('finish(`The workspace has ${total} files (src/orders/pricing.ts:15).`)');
    });
  });
  after(async () => {
    await configure({ maxIterations: undefined, contextWindow: undefined });
    await server.close();
  });

  it("Ollama's 4,096-token window: said once in the trajectory; no prompt over it; the answer from a first-turn variable", async () => {
    const since = recurse.sentToWebview.length;
    const outcome = await recurse.ask('How many files are there?');
    assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
    assert.ok(outcome.status === 'answered' && /The workspace has \d+ files/.test(outcome.answer), JSON.stringify(outcome));
    const chats = server.chatRequests;
    assert.ok(chats.length >= 3 && chats.every((r) => !r.overflowed && r.promptTokens! <= 4_096), chats.map((r) => r.promptTokens).join(', '));
    const notices = messagesOf(recurse, 'event', since).map((m) => m.event).filter((e) => e.type === 'notice').map((e) => (e.type === 'notice' ? e.message : ''));
    assert.equal(notices.filter((n) => /Ollama serves root-model with a 4,096-token context window/.test(n)).length, 1, notices.join('\n'));
    assert.ok(notices.some((n) => /^Compacted/.test(n)), notices.join('\n'));

    const again = recurse.sentToWebview.length;
    assert.equal((await recurse.ask('And how many now?')).status, 'answered');
    const later = messagesOf(recurse, 'event', again).map((m) => m.event).filter((e) => e.type === 'notice' && /Ollama serves/.test(e.message));
    assert.equal(later.length, 0, 'the small window is said once, not on every question');
  });

  it('recurse.contextWindow set lower: prompts stay within it', async () => {
    await configure({ contextWindow: 3_000 });
    const before = server.chatRequests.length;
    assert.equal((await recurse.ask('How many files, once more?')).status, 'answered');
    const sizes = server.chatRequests.slice(before).map((r) => r.promptTokens!);
    assert.ok(sizes.length >= 2 && Math.max(...sizes) <= 3_000, sizes.join(', '));
  });
});

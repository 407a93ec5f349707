import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ask } from '../../src/core/workflows/ask';
import { Conversation } from '../../src/core/workflows/conversation';
import { FileMap } from '../../src/core/workspace/fileMap';
import type { ScriptContext } from '../support/modelServer';
import { fixtureMap, js, startScriptedModels } from '../support/scriptedModels';

/** A chat's questions in one living REPL, over real HTTP with a scripted model and a real QuickJS. */
describe('conversation: follow-ups in one REPL', () => {
  let map: FileMap;
  const fixture = fixtureMap('shop', (loaded) => (map = loaded));

  const firstUser = (ctx: ScriptContext) => ctx.messages.find((m) => m.role === 'user')!.content;

  it('a follow-up reads `history` and a variable an earlier question\'s cell defined; reset() starts over', async () => {
    const seen: string[] = [];
    const models = await startScriptedModels({
      rootSteps: [
        js('const pricing = grep(/export function priceOrder/);\nprint(pricing.length)'),
        js('finish("Orders are priced by priceOrder in src/orders/pricing.ts:15.")'),
        (ctx) => {
          seen.push(firstUser(ctx));
          return js('print(JSON.stringify({ n: history.length, q: history[0].question, cited: history[0].citations[0], kept: pricing[0].path }))');
        },
        (ctx) => {
          const m = /\{"n":1,"q":"Where are orders priced\?","cited":\{[^}]*"valid":true\},"kept":"src\/orders\/pricing\.ts"\}/.exec(ctx.lastUser);
          assert.ok(m, ctx.lastUser);
          return js('finish("It is the same function, priceOrder (src/orders/pricing.ts:15).")');
        },
        (ctx) => {
          seen.push(firstUser(ctx));
          return js('print(typeof pricing, history.length)');
        },
        (ctx) => js(`finish(${JSON.stringify(ctx.lastUser.includes('undefined 0') ? 'a new REPL' : 'still the old one')})`),
      ],
    });
    try {
      const chat = new Conversation();
      const base = { workspace: fixture.dir, map, code: false as const, rootModel: models.root, conversation: chat };
      const first = await ask({ ...base, question: 'Where are orders priced?' });
      assert.equal(first.answer, 'Orders are priced by priceOrder in src/orders/pricing.ts:15.');
      const second = await ask({ ...base, question: 'And which function is that again?' });
      assert.equal(second.answer, 'It is the same function, priceOrder (src/orders/pricing.ts:15).');
      assert.match(seen[0]!, /This is a follow-up\. Earlier questions of this conversation: 1, in the read-only `history` global/);
      assert.match(seen[0]!, /The last question was: Where are orders priced\?/);
      assert.match(seen[0]!, /Its answer began: Orders are priced by priceOrder/);
      assert.match(seen[0]!, /variables and functions your earlier cells defined are still there/);
      assert.equal(chat.history.length, 2);
      assert.equal(second.usage.iterations, 2, 'each question has its own budget and count');

      chat.reset();
      const third = await ask({ ...base, question: 'Anything left?' });
      assert.equal(third.answer, 'a new REPL');
      assert.doesNotMatch(seen[1]!, /follow-up/, 'after a reset the first question is a first question again');
    } finally {
      await models.close();
    }
  });

  it('the first prompt of the tenth question is no larger than the second\'s, however long the answers', async () => {
    const firsts: number[] = [];
    const models = await startScriptedModels({
      rootSteps: Array.from({ length: 10 }, (_, i) => (ctx: ScriptContext) => {
        firsts.push(firstUser(ctx).length);
        return js(`finish(${JSON.stringify(`Answer ${i}: ${'a long explanation of the pricing code. '.repeat(150)}`)})`);
      }),
    });
    try {
      const chat = new Conversation();
      for (let i = 0; i < 10; i++) {
        const q = `Question ${String(i).padStart(2, '0')} about pricing?`;
        await ask({ workspace: fixture.dir, map, code: false, rootModel: models.root, conversation: chat, question: q });
      }
      assert.equal(chat.history.length, 10);
      assert.ok(firsts[9]! <= firsts[1]!, `first prompts: ${firsts.join(', ')}`);
      assert.ok(firsts[1]! - firsts[0]! < 1200, `a follow-up's note is bounded: ${firsts[1]! - firsts[0]!} characters`);
      const systems = models.bodies('root-model').map((b) => b.messages[0]!.content);
      assert.ok(systems.every((s) => s === systems[0]), 'the system prompt is the same for every question (a stable prefix)');
      assert.match(systems[0]!, /read-only global `history`/);
    } finally {
      await models.close();
    }
  });
});

describe('sandbox: a REPL that outlives a run', () => {
  it('rebinds helpers by name and replaces a read-only global, which cells still cannot change', async () => {
    const { Sandbox } = await import('../../src/core/sandbox/sandbox');
    const repl = await Sandbox.create({ helpers: { who: () => 'first run' }, globals: { history: [] } });
    try {
      await repl.runCell('const kept = 41;');
      repl.rebind({ who: () => 'second run' });
      await repl.setGlobal('history', [{ question: 'q1' }]);
      const out = await repl.runCell([
        'try { history.push({ question: "forged" }); } catch (e) { print("push refused"); }',
        'try { history = []; } catch (e) { print("assignment refused"); }',
        'print(who(), kept + 1, history.length, history[0].question)',
      ].join('\n'));
      assert.match(out.output, /push refused/);
      assert.match(out.output, /second run 42 1 q1/);
      assert.throws(() => repl.rebind({ fetch: () => 'x' }), /cannot add helper "fetch"/);
      await assert.rejects(repl.setGlobal('process', {}), /not a global given at creation/);
    } finally {
      repl.dispose();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RlmEvent } from '../../src/core/rlm/events';
import { RlmCancelledError, runRlm } from '../../src/core/rlm/rlm';
import { FileMap } from '../../src/core/workspace/fileMap';
import { fixtureMap, js, startScriptedModels } from '../support/scriptedModels';

/** The RLM loop over the fixture repository, driven by a scripted model over real HTTP and a real QuickJS REPL. */

describe('RLM engine', () => {
  let map: FileMap;
  fixtureMap('shop', (loaded) => (map = loaded));

  it('runs every js block of a response in order, with state shared between them, and finishes with verified facts', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        'Let me find it.\n' +
          js("const hits = grep(/export function priceOrder/);\nprint(hits.length)") +
          '\nand then\n' +
          js('print(hits[0].path + ":" + hits[0].line)'),
        (ctx) => {
          const m = /Cell 2 output:\n```text\n(\S+):(\d+)/.exec(ctx.lastUser);
          assert.ok(m, `the second cell's output reaches the model: ${ctx.lastUser}`);
          return js(`finish("priceOrder is defined at ${m[1]}:${m[2]}.")`);
        },
      ],
    });
    try {
      const events: RlmEvent[] = [];
      const result = await runRlm({ question: 'Where are orders priced?', map, rootModel: models.root, onEvent: (e) => events.push(e) });
      assert.equal(result.answer, 'priceOrder is defined at src/orders/pricing.ts:15.');
      assert.equal(result.reason, 'finish');
      assert.equal(result.forced, false);
      assert.equal(result.iterations, 2);
      const second = models.bodies('root-model')[1].messages.at(-1)!.content;
      assert.match(second, /Cell 1 output:\n```text\n1\n```/);
      assert.match(second, /Turn 2\/20/);
      const cells = events.filter((e) => e.type === 'cell-output');
      assert.equal(cells.length, 3);
      assert.ok(events.some((e) => e.type === 'model-delta'), 'the model text was streamed');
    } finally {
      await models.close();
    }
  });

  it('sends only the question and metadata first, never file contents', async () => {
    const models = await startScriptedModels({ rootSteps: [js('finish("done")')] });
    try {
      await runRlm({ question: 'What is here?', map, rootModel: models.root });
      const [system, user] = models.bodies('root-model')[0].messages;
      assert.equal(system.role, 'system');
      for (const helper of ['files(', 'tree(', 'read(', 'grep(', 'llm_query(', 'llm_query_batched(', 'rlm_query(', 'finish(']) {
        assert.ok(system.content.includes(helper), `system prompt documents ${helper}`);
      }
      assert.match(system.content, /path:line/);
      assert.match(user.content, /Question: What is here\?/);
      assert.match(user.content, /"files": \d+/);
      assert.ok(!user.content.includes('BULK_DISCOUNT_RATE'), 'no file content in the first prompt');
    } finally {
      await models.close();
    }
  });

  it('asks the model to continue when a response has neither code nor finish', async () => {
    const models = await startScriptedModels({ rootSteps: ['I think it is in pricing.', js('finish("checked")')] });
    try {
      const result = await runRlm({ question: 'q', map, rootModel: models.root });
      assert.equal(result.answer, 'checked');
      assert.match(models.bodies('root-model')[1].messages.at(-1)!.content, /no ```js cell and no finish\(\)/);
    } finally {
      await models.close();
    }
  });

  it('refuses a finish in the same response as a cell that raised an error, and goes on', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        js('const total = computeTotal();') + '\n' + js('finish("The total is 42")'),
        (ctx) => {
          assert.match(ctx.lastUser, /ReferenceError/);
          assert.match(ctx.lastUser, /finish\(\) was refused/);
          return js('finish("I could not compute the total")');
        },
      ],
    });
    try {
      const events: RlmEvent[] = [];
      const result = await runRlm({ question: 'q', map, rootModel: models.root, onEvent: (e) => events.push(e) });
      assert.equal(result.answer, 'I could not compute the total');
      assert.ok(events.some((e) => e.type === 'notice' && /refused/.test(e.message)));
    } finally {
      await models.close();
    }
  });

  it('accepts a plain-text FINAL(...) with nested parentheses', async () => {
    const models = await startScriptedModels({ rootSteps: [js('print(1)'), 'FINAL(priceOrder (see `src/orders/pricing.ts:15`) applies (bulk) discounts)'] });
    try {
      const result = await runRlm({ question: 'q', map, rootModel: models.root });
      assert.equal(result.answer, 'priceOrder (see `src/orders/pricing.ts:15`) applies (bulk) discounts');
      assert.equal(result.reason, 'final');
    } finally {
      await models.close();
    }
  });

  it('asks for a best answer without code when the iteration budget runs out', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        js('print(files().length)'),
        js('print(tree())'),
        (ctx) => {
          assert.match(ctx.lastUser, /used all 2 turns/);
          assert.match(ctx.lastUser, /Do not write code/);
          return 'Best effort: pricing lives in src/orders/pricing.ts:15.';
        },
      ],
    });
    try {
      const result = await runRlm({ question: 'q', map, rootModel: models.root, limits: { maxIterations: 2 } });
      assert.equal(result.forced, true);
      assert.equal(result.reason, 'iterations');
      assert.equal(result.answer, 'Best effort: pricing lives in src/orders/pricing.ts:15.');
      assert.equal(models.bodies('root-model').length, 3);
    } finally {
      await models.close();
    }
  });

  it('stops at the token budget and forces an answer', async () => {
    const models = await startScriptedModels({
      rootSteps: [{ text: js('print(2)'), usage: { prompt_tokens: 900, completion_tokens: 200 } }, 'Answer from what I saw.'],
    });
    try {
      const result = await runRlm({ question: 'q', map, rootModel: models.root, limits: { maxTokens: 1000 } });
      assert.equal(result.reason, 'tokens');
      assert.equal(result.answer, 'Answer from what I saw.');
    } finally {
      await models.close();
    }
  });

  it('runs a child RLM with its own REPL over a subset, and degrades to llm_query at the depth limit', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        js(
          'const answer = await rlm_query("How are discounts applied?", { paths: ["src/orders/pricing.ts"] });\n' +
            'print("child said: " + answer);\nprint(typeof childOnly)',
        ),
        (ctx) => {
          assert.match(ctx.lastUser, /child said: child saw 1 file: src\/orders\/pricing.ts; leaf said: LEAF-OK/);
          assert.match(ctx.lastUser, /undefined/, 'the child REPL state does not leak into the parent');
          return js('finish("done")');
        },
      ],
      subSteps: [
        (ctx) => {
          assert.match(ctx.messages[0].content, /depth limit/, 'the child knows it is at the depth limit');
          return js('const childOnly = files().map(f => f.path);\nconst leaf = await rlm_query("Summarise", { text: "hello leaf" });\nprint(childOnly.length, childOnly.join(","), leaf)');
        },
        (ctx) => {
          // The degraded rlm_query is a plain sub-model call with the text inline.
          assert.equal(ctx.messages.length, 1);
          assert.match(ctx.messages[0].content, /Summarise\n\nhello leaf/);
          return 'LEAF-OK';
        },
        (ctx) => {
          const m = /Cell 1 output:\n```text\n(\d+) (\S+) (\S+)/.exec(ctx.lastUser);
          assert.ok(m, ctx.lastUser);
          return js(`finish("child saw ${m[1]} file: ${m[2]}; leaf said: ${m[3]}")`);
        },
      ],
    });
    try {
      const events: RlmEvent[] = [];
      const result = await runRlm({ question: 'q', map, rootModel: models.root, subModel: models.sub, onEvent: (e) => events.push(e) });
      assert.equal(result.answer, 'done');
      const starts = events.filter((e) => e.type === 'subcall-start') as Extract<RlmEvent, { type: 'subcall-start' }>[];
      assert.deepEqual(
        starts.map((e) => [e.kind, e.depth]),
        [
          ['rlm', 1],
          ['llm', 2],
        ],
      );
      assert.ok(events.some((e) => e.type === 'turn' && e.depth === 1), 'the child ran its own turns');
    } finally {
      await models.close();
    }
  });

  it('runs llm_query_batched items in parallel through the HTTP client', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        js('const t0 = Date.now();\nconst out = await llm_query_batched(["a","b","c","d","e","f","g","h"]);\nprint(out.join(","))'),
        js('finish("ok")'),
      ],
      subSteps: Array.from({ length: 8 }, () => (ctx: { lastUser: string }) => ({ text: `got-${ctx.lastUser}`, delayMs: 200 })),
    });
    try {
      const events: RlmEvent[] = [];
      await runRlm({ question: 'q', map, rootModel: models.root, subModel: models.sub, onEvent: (e) => events.push(e) });
      const cell = events.find((e) => e.type === 'cell-output') as Extract<RlmEvent, { type: 'cell-output' }>;
      assert.equal(cell.output.trim(), 'got-a,got-b,got-c,got-d,got-e,got-f,got-g,got-h');
      assert.ok(cell.durationMs < 1200, `8 × 200 ms sub-calls ran in parallel (${cell.durationMs} ms)`);
    } finally {
      await models.close();
    }
  });

  it('turns a failed batch item into an "Error: …" string and keeps the others', async () => {
    const models = await startScriptedModels({
      rootSteps: [js('print(JSON.stringify(await llm_query_batched(["a", "b"])))'), js('finish("ok")')],
      subSteps: ['first', { fault: 'auth' }],
    });
    try {
      const events: RlmEvent[] = [];
      await runRlm({ question: 'q', map, rootModel: models.root, subModel: models.sub, onEvent: (e) => events.push(e) });
      const cell = events.find((e) => e.type === 'cell-output') as Extract<RlmEvent, { type: 'cell-output' }>;
      const out = JSON.parse(cell.output) as string[];
      assert.equal(out[0], 'first');
      assert.match(out[1], /^Error: /);
    } finally {
      await models.close();
    }
  });

  it('ends the run when sub-calls are exhausted, with a forced answer', async () => {
    const models = await startScriptedModels({
      rootSteps: [js('try { await llm_query("1"); await llm_query("2"); } catch (e) { print(e.message) }'), 'Forced answer.'],
      subSteps: ['one'],
    });
    try {
      const result = await runRlm({ question: 'q', map, rootModel: models.root, subModel: models.sub, limits: { maxSubCalls: 1 } });
      assert.equal(result.reason, 'sub-calls');
      assert.equal(result.answer, 'Forced answer.');
      assert.match(models.bodies('root-model')[1].messages.at(-1)!.content, /sub-call budget exhausted/);
    } finally {
      await models.close();
    }
  });

  it('cancels during a sub-call: the cell and the in-flight request stop promptly', async () => {
    const models = await startScriptedModels({
      rootSteps: [js('print(await llm_query("take your time"))')],
      subSteps: [{ text: 'too late', delayMs: 10_000 }],
    });
    try {
      const controller = new AbortController();
      const started = Date.now();
      const run = runRlm({
        question: 'q',
        map,
        rootModel: models.root,
        subModel: models.sub,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'subcall-start') setTimeout(() => controller.abort(), 100);
        },
      });
      await assert.rejects(run, RlmCancelledError);
      assert.ok(Date.now() - started < 2000, `cancelled within ${Date.now() - started} ms`);
    } finally {
      await models.close();
    }
  });

  it('retries server faults (500, 429 with Retry-After) and completes', async () => {
    const models = await startScriptedModels({
      rootSteps: [{ fault: 'server-error', status: 503 }, { fault: 'rate-limit', retryAfter: 0 }, js('finish("survived")')],
    });
    try {
      const events: RlmEvent[] = [];
      const result = await runRlm({ question: 'q', map, rootModel: models.root, onEvent: (e) => events.push(e) });
      assert.equal(result.answer, 'survived');
      assert.equal(models.bodies('root-model').length, 3);
      const retries = events.filter((e) => e.type === 'model-retry') as Extract<RlmEvent, { type: 'model-retry' }>[];
      assert.deepEqual(
        retries.map((r) => r.attempt),
        [1, 2],
      );
    } finally {
      await models.close();
    }
  });

  it('contains a runaway cell and lets the model recover', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        js('while (true) {}'),
        (ctx) => {
          assert.match(ctx.lastUser, /time limit|interrupted/i);
          return js('finish("recovered")');
        },
      ],
    });
    try {
      const result = await runRlm({ question: 'q', map, rootModel: models.root, sandbox: { timeoutMs: 300 } });
      assert.equal(result.answer, 'recovered');
    } finally {
      await models.close();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'gpt-tokenizer/cjs/encoding/cl100k_base';
import { encode as encodeO200k } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import { familyContextWindow, resolveContextWindow } from '../../src/core/llm/contextWindow';
import { OpenAICompatibleModel } from '../../src/core/llm/openAICompatibleModel';
import { countMessageTokens, countTokens } from '../../src/core/llm/tokenEstimate';
import type { RlmEvent } from '../../src/core/rlm/events';
import { runRlm } from '../../src/core/rlm/rlm';
import { UsageLedger } from '../../src/core/llm/usage';
import { Trajectory } from '../../src/core/rlm/trajectory';
import { ModelServer, type ServedWindow } from '../support/modelServer';
import { js, startScriptedModels } from '../support/scriptedModels';
import { MARKER, longRunSteps, longRunWorkspace } from '../support/longRun';

const repo = join(__dirname, '..', '..', '..');

function model(server: ModelServer, name: string): OpenAICompatibleModel {
  return new OpenAICompatibleModel({ baseURL: server.url, model: name, maxRetries: 0 });
}

describe('context windows: what the endpoint says, else the family, else the setting', () => {
  const cases: [string, ServedWindow, number, RegExp][] = [
    ['vLLM lists max_model_len in /v1/models', { tokens: 12_288, flavor: 'vllm' }, 12_288, /max_model_len/],
    ['LM Studio gives the loaded context length', { tokens: 8_192, supported: 32_768, flavor: 'lmstudio' }, 8_192, /LM Studio/],
    ['llama.cpp gives n_ctx in /props', { tokens: 6_144, flavor: 'llamacpp' }, 6_144, /llama\.cpp/],
    ['Ollama: a model not loaded yet is loaded, then /api/ps says its window', { tokens: 4_096, supported: 32_768, flavor: 'ollama' }, 4_096, /api\/ps/],
  ];
  for (const [name, served, expected, via] of cases) {
    it(name, async () => {
      const server = await ModelServer.start({ models: ['local-model'], windows: { 'local-model': served } });
      try {
        const window = await resolveContextWindow(model(server, 'local-model'), undefined);
        assert.equal(window.tokens, expected);
        assert.equal(window.source, 'endpoint');
        assert.match(window.via, via);
      } finally {
        await server.close();
      }
    });
  }

  it('Ollama serving a smaller window than the model supports: a warning with how to raise it', async () => {
    const server = await ModelServer.start({ models: ['qwen2.5-coder:7b'], windows: { '*': { tokens: 4_096, supported: 32_768, flavor: 'ollama' } } });
    try {
      const window = await resolveContextWindow(model(server, 'qwen2.5-coder:7b'), undefined);
      assert.equal(window.tokens, 4_096);
      assert.match(window.warning ?? '', /4,096-token context window; the model supports 32,768/);
      assert.match(window.warning ?? '', /OLLAMA_CONTEXT_LENGTH=32768/);
      assert.match(window.warning ?? '', /num_ctx 32768/);
    } finally {
      await server.close();
    }
  });

  it('Ollama with num_ctx set and the model as big as it is served: no warning', async () => {
    const server = await ModelServer.start({ models: ['m'], windows: { m: { tokens: 16_384, supported: 16_384, flavor: 'ollama', numCtx: 16_384 } } });
    try {
      const window = await resolveContextWindow(model(server, 'm'), undefined);
      assert.equal(window.tokens, 16_384);
      assert.equal(window.warning, undefined);
    } finally {
      await server.close();
    }
  });

  it('an endpoint that says nothing: the family table, else the default; a setting wins over all', async () => {
    const server = await ModelServer.start({ models: ['gpt-4o-mini', 'llama3.1:8b', 'my-finetune', 'mistral-7b-instruct-32k'] });
    try {
      assert.deepEqual(
        await Promise.all(['gpt-4o-mini', 'llama3.1:8b', 'my-finetune', 'mistral-7b-instruct-32k'].map(async (m) => {
          const w = await resolveContextWindow(model(server, m), undefined);
          return [w.tokens, w.source];
        })),
        [[128_000, 'family'], [131_072, 'family'], [32_768, 'default'], [32_768, 'family']],
      );
      const set = await resolveContextWindow(model(server, 'gpt-4o-mini'), 16_000);
      assert.deepEqual([set.tokens, set.source], [16_000, 'setting']);
    } finally {
      await server.close();
    }
    assert.equal(familyContextWindow('gpt-4.1-mini')?.tokens, 1_047_576);
    assert.equal(familyContextWindow('llama3:8b')?.tokens, 8_192);
    assert.equal(familyContextWindow('Qwen/Qwen2.5-Coder-32B-Instruct')?.tokens, 32_768);
  });
});

describe('token estimate', () => {
  it('is never below what real BPE tokenizers count, on real code, prose and data', () => {
    const files = ['src/core/rlm/rlm.ts', 'src/core/workspace/fileMap.ts', 'README.md', 'package.json', 'test/fixtures/monorepo/c/src/main.c', 'media/webview.css']
      .map((f) => readFileSync(join(repo, f), 'utf8'));
    const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)).toString('base64');
    const grepLines = Array.from({ length: 200 }, (_, i) => `src/core/rlm/rlm.ts:${i + 10}:  const value${i} = await sandbox.runCell(code, { signal });`).join('\n');
    for (const text of [...files, random, grepLines, '这是一个测试文本。'.repeat(50), '🚀 launch '.repeat(100)]) {
      const estimate = countTokens(text);
      const real = Math.max(encode(text).length, encodeO200k(text).length);
      assert.ok(estimate >= real, `estimate ${estimate} < real ${real} for ${text.slice(0, 40)}`);
      assert.ok(estimate <= real * 2, `estimate ${estimate} is more than twice real ${real} for ${text.slice(0, 40)}`);
    }
  });
});

describe('a long run within a small window', () => {
  const question = 'What is the release key, and where is it defined?';

  it('under an 8k window: no request over it, bounded prompts, and the answer from a first-turn variable', async () => {
    const turns = 16;
    const models = await startScriptedModels({ rootSteps: longRunSteps(turns), server: { windows: { '*': { tokens: 8_192, flavor: 'vllm' } } } });
    const events: RlmEvent[] = [];
    const trajectory = new Trajectory();
    try {
      const result = await runRlm({ question, map: longRunWorkspace(), rootModel: models.root, onEvent: (e) => events.push(e), trajectory });
      assert.equal(result.answer, `The release key is ${MARKER} (src/module3.ts:41).`);
      assert.equal(result.iterations, turns);

      const requests = models.server.chatRequests;
      assert.equal(requests.length, turns);
      assert.ok(requests.every((r) => !r.overflowed && r.promptTokens! <= 8_192), `prompt tokens: ${requests.map((r) => r.promptTokens).join(', ')}`);
      const bodies = models.bodies('root-model');
      const [system, first] = bodies[0]!.messages;
      for (const body of bodies) {
        assert.deepEqual(body.messages[0], system, 'the system prompt is never cut');
        assert.ok(body.messages[1]!.content.startsWith(first!.content), 'the question and metadata are never cut');
      }
      // Whole, the conversation is many windows long; what was sent stayed inside one.
      const whole = Object.values(trajectory.conversations)[0]!.messages;
      assert.ok(countMessageTokens(whole) > 3 * 8_192, `whole conversation ${countMessageTokens(whole)} tokens`);
      assert.ok(Math.max(...requests.map((r) => r.promptTokens!)) <= 8_192);
      assert.ok(events.some((e) => e.type === 'notice' && /Compacted turns? .* 8,192-token context window/.test(e.message)));
      const last = bodies.at(-1)!.messages.map((m) => m.content).join('\n');
      assert.match(last, /still in the REPL/);
      assert.match(last, /const releaseKey = read\('src\/module3\.ts'\)/, "the first turn's code is kept");

    } finally {
      await models.close();
    }
  });

  it('under a 32k window: compactions are few and the prefix between them is reused; far fewer tokens than uncompacted', async () => {
    const turns = 20;
    const run = async (window: number | undefined) => {
      const models = await startScriptedModels({
        rootSteps: longRunSteps(turns),
        server: { prefixCache: true, ...(window ? { windows: { '*': { tokens: window, flavor: 'vllm' as const } } } : {}) },
      });
      const ledger = new UsageLedger();
      const notices: string[] = [];
      try {
        const result = await runRlm({
          question, map: longRunWorkspace(), rootModel: models.root, ledger, contextWindow: window ? undefined : 1_000_000,
          onEvent: (e) => e.type === 'notice' && notices.push(e.message),
        });
        assert.match(result.answer, new RegExp(MARKER));
        const bodies = models.bodies('root-model');
        let prefixBreaks = 0;
        for (let i = 1; i < bodies.length; i++) {
          const before = bodies[i - 1]!.messages;
          if (!before.every((m, k) => bodies[i]!.messages[k]?.content === m.content)) prefixBreaks++;
        }
        return { usage: ledger.toJSON().byModel['root-model']!, prefixBreaks, notices, requests: models.server.chatRequests };
      } finally {
        await models.close();
      }
    };
    const compacted = await run(32_768);
    assert.ok(compacted.requests.every((r) => !r.overflowed && r.promptTokens! <= 32_768));
    assert.ok(compacted.prefixBreaks <= 4, `${compacted.prefixBreaks} of ${turns - 1} requests did not extend the one before`);
    assert.equal(compacted.notices.filter((n) => /^Compacted/.test(n)).length, compacted.prefixBreaks);
    // OpenAI's prefix-cache rule, applied by the server, found most of each prompt in its cache.
    assert.ok(compacted.usage.cachedPromptTokens > compacted.usage.promptTokens * 0.5, `cached ${compacted.usage.cachedPromptTokens} of ${compacted.usage.promptTokens}`);
    const whole = await run(undefined);
    assert.ok(whole.usage.promptTokens > 1.5 * compacted.usage.promptTokens, `uncompacted ${whole.usage.promptTokens} vs ${compacted.usage.promptTokens}`);
  });

  it('a server whose window is smaller than the setting: its refusal is read, the run compacts to its size and answers', async () => {
    const models = await startScriptedModels({ rootSteps: longRunSteps(10), server: { windows: { '*': { tokens: 8_192, flavor: 'none' } } } });
    const events: RlmEvent[] = [];
    try {
      const result = await runRlm({ question, map: longRunWorkspace(), rootModel: models.root, contextWindow: 131_072, onEvent: (e) => events.push(e) });
      assert.equal(result.answer, `The release key is ${MARKER} (src/module3.ts:41).`);
      const refused = models.server.chatRequests.filter((r) => r.overflowed);
      assert.ok(refused.length >= 1 && refused.length <= 2, `${refused.length} refused`);
      assert.ok(events.some((e) => e.type === 'notice' && /server says the model's context window is 8,192 tokens/.test(e.message)));
    } finally {
      await models.close();
    }
  });

  it('Ollama, which cuts long prompts from the start without a word: nothing is ever cut, and the small window is said once', async () => {
    const served: ServedWindow = { tokens: 4_096, supported: 32_768, flavor: 'ollama', overflow: 'truncate' };
    const models = await startScriptedModels({
      rootSteps: [...longRunSteps(8), ...longRunSteps(3)],
      server: { windows: { '*': served } },
    });
    const notices: string[] = [];
    const onEvent = (e: RlmEvent) => e.type === 'notice' && notices.push(e.message);
    try {
      for (const steps of [8, 3]) {
        const result = await runRlm({ question, map: longRunWorkspace(), rootModel: models.root, onEvent, limits: { maxIterations: steps } });
        assert.match(result.answer, new RegExp(MARKER));
      }
      assert.ok(models.server.chatRequests.every((r) => !r.overflowed), 'no prompt went over the 4,096 tokens Ollama serves');
      assert.equal(notices.filter((n) => /Ollama serves .* 4,096-token/.test(n)).length, 1, notices.join('\n'));
    } finally {
      await models.close();
    }
  });
});

describe('llm_query and the sub-model window', () => {
  it('a prompt over the sub-model window fails with a clear error the root can act on; nothing is sent cut', async () => {
    const models = await startScriptedModels({
      server: { windows: { 'sub-model': { tokens: 4_096, flavor: 'vllm' } } },
      rootSteps: [
        js(`const text = read('src/module0.ts', 1, 5000);\nprint(await llm_query('Summarize:\\n' + text))`),
        (ctx) => {
          assert.match(ctx.lastUser, /llm_query prompt is about [\d,]+ tokens .* the sub-model "sub-model" reads at most [\d,]+ \(its context window is 4,096\)/);
          assert.match(ctx.lastUser, /Split the text into parts of under [\d,]+ characters/);
          const size = Number(/parts of under ([\d,]+) characters/.exec(ctx.lastUser)![1]!.replace(/,/g, ''));
          return js(`const parts = []; for (let i = 0; i < text.length; i += ${size}) parts.push('Summarize:\\n' + text.slice(i, i + ${size}));\nconst answers = await llm_query_batched(parts);\nprint(answers.length + ' parts: ' + answers.join(' | '))`);
        },
        (ctx) => {
          assert.doesNotMatch(ctx.lastUser, /Error:/);
          return js('finish("done")');
        },
      ],
      subSteps: Array.from({ length: 12 }, () => 'a function returning 1, repeated'),
    });
    try {
      const result = await runRlm({ question: 'Summarize it', map: longRunWorkspace(1), rootModel: models.root, subModel: models.sub });
      assert.equal(result.answer, 'done');
      const sub = models.server.chatRequests.filter((r) => r.body?.model === 'sub-model');
      assert.ok(sub.length >= 2, `${sub.length} sub-calls`);
      assert.ok(sub.every((r) => !r.overflowed && r.promptTokens! <= 4_096));
    } finally {
      await models.close();
    }
  });
});

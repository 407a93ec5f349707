import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RlmEvent } from '../../src/core/rlm/events';
import { runRlm } from '../../src/core/rlm/rlm';
import { splitThinking } from '../../src/core/rlm/thinking';
import { FileMap } from '../../src/core/workspace/fileMap';
import { fixtureMap, js, startScriptedModels } from '../support/scriptedModels';

describe('reasoning models: thinking is shown, never run', () => {
  let map: FileMap;
  fixtureMap('shop', (loaded) => (map = loaded));

  it('splits <think>, <thinking>, a cut-off opening and a lone closing tag from the response', () => {
    assert.deepEqual(splitThinking('<think>\nhmm\n</think>\n\nAnswer'), { thinking: 'hmm', visible: 'Answer' });
    assert.deepEqual(splitThinking('A <THINKING>x</THINKING> B'), { thinking: 'x', visible: 'A  B' });
    assert.deepEqual(splitThinking('Plan\n<think>still going when the limit hit'), { thinking: 'still going when the limit hit', visible: 'Plan' });
    assert.deepEqual(splitThinking('reasoning without its opening tag</think>\nDone.'), { thinking: 'reasoning without its opening tag', visible: 'Done.' });
    assert.deepEqual(splitThinking('No thinking here.'), { thinking: '', visible: 'No thinking here.' });
  });

  it('a code block and a FINAL inside <think> never run; the ones after it do; the thinking is not sent back', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        '<think>\nMaybe:\n' + js('finish("a rejected answer")') + '\nFINAL(also rejected)\nNo, look first.\n</think>\n' + js('print("looked " + files().length)'),
        (ctx) => {
          assert.ok(ctx.messages.every((m) => !m.content.includes('<think>') && !m.content.includes('rejected')), 'thinking is not sent back');
          assert.match(ctx.lastUser, /looked \d+/);
          return '<think>FINAL(wrong)</think>\n' + js('finish("Looked at the files first.")');
        },
      ],
    });
    try {
      const events: RlmEvent[] = [];
      const result = await runRlm({ question: 'q', map, rootModel: models.root, onEvent: (e) => events.push(e) });
      assert.equal(result.answer, 'Looked at the files first.');
      assert.equal(result.iterations, 2);
      const cells = events.filter((e) => e.type === 'cell-start').map((e) => (e as { code: string }).code);
      assert.deepEqual(cells, ['print("looked " + files().length)', 'finish("Looked at the files first.")']);
      const texts = events.filter((e): e is Extract<RlmEvent, { type: 'model-text' }> => e.type === 'model-text');
      assert.match(texts[0]!.thinking ?? '', /a rejected answer[\s\S]*No, look first\./);
      assert.doesNotMatch(texts[0]!.text, /think|rejected/);
    } finally {
      await models.close();
    }
  });

  it('reasoning_content and reasoning deltas appear as thinking, apart from the response', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        { text: js('print(1)'), reasoning: 'I should print something first.' },
        { text: js('finish("done")'), reasoning: 'Now finish.', reasoningField: 'reasoning' },
      ],
    });
    try {
      const events: RlmEvent[] = [];
      const result = await runRlm({ question: 'q', map, rootModel: models.root, onEvent: (e) => events.push(e) });
      assert.equal(result.answer, 'done');
      const thinkingDeltas = events.filter((e) => e.type === 'model-delta' && e.thinking).map((e) => (e as { text: string }).text).join('');
      assert.equal(thinkingDeltas, 'I should print something first.Now finish.');
      const texts = events.filter((e): e is Extract<RlmEvent, { type: 'model-text' }> => e.type === 'model-text');
      assert.deepEqual(texts.map((t) => t.thinking), ['I should print something first.', 'Now finish.']);
      const sent = JSON.stringify(models.bodies('root-model').at(-1)!.messages);
      assert.doesNotMatch(sent, /I should print something first/);
    } finally {
      await models.close();
    }
  });
});

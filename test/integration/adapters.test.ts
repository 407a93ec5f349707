import * as assert from 'node:assert/strict';
import type { RlmEvent } from '../../src/core/rlm/events';
import { EventThrottle } from '../../src/extension/chat/eventThrottle';
import { globToIgnorePatterns } from '../../src/extension/settings';
import { toLmMessages } from '../../src/extension/models/vscodeLmModel';

describe('adapter pieces', () => {
  it('turns VS Code exclude globs into gitignore patterns the file map understands', () => {
    assert.deepEqual(globToIgnorePatterns('**/node_modules'), ['**/node_modules']);
    assert.deepEqual(globToIgnorePatterns('out'), ['/out'], 'a VS Code glob without ** matches at the root only');
    assert.deepEqual(globToIgnorePatterns('./build/**'), ['/build/**']);
    assert.deepEqual(globToIgnorePatterns('**/*.{js,map}'), ['**/*.js', '**/*.map']);
    assert.deepEqual(globToIgnorePatterns('{a,b/{c,d}}/x'), ['/a/x', '/b/c/x', '/b/d/x']);
    assert.deepEqual(globToIgnorePatterns('  '), []);
  });

  it('coalesces streamed deltas of one turn and keeps event order', async () => {
    const sent: RlmEvent[] = [];
    const t = new EventThrottle((e) => sent.push(e), 20);
    const delta = (text: string, turn = 1): RlmEvent => ({ type: 'model-delta', runId: 'r', depth: 0, turn, text });
    t.push(delta('a'));
    t.push(delta('b'));
    t.push({ type: 'turn', runId: 'r', depth: 0, turn: 2, maxTurns: 5 });
    t.push(delta('c', 2));
    t.push(delta('d', 2));
    assert.deepEqual(sent.map((e) => (e.type === 'model-delta' ? e.text : e.type)), ['ab', 'turn']);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(sent.map((e) => (e.type === 'model-delta' ? e.text : e.type)), ['ab', 'turn', 'cd']);
    t.push(delta('dropped'));
    t.dispose();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(sent.length, 3, 'a disposed throttle sends nothing more');
  });

  it('sends system text as a user message and merges same-role neighbours for the Language Model API', () => {
    const out = toLmMessages([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'U1' },
      { role: 'assistant', content: 'A' },
      { role: 'user', content: 'U2' },
    ]);
    assert.equal(out.length, 3);
    const text = (i: number) => out[i].content.map((p) => (p as { value?: string }).value ?? '').join('');
    assert.equal(text(0), 'S\n\nU1');
    assert.equal(text(1), 'A');
    assert.equal(text(2), 'U2');
  });
});

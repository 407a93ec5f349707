import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findFinal, parseResponse } from '../../src/core/rlm/codeBlocks';

describe('reading model responses', () => {
  it('extracts js, javascript and repl blocks in order and leaves other fences as prose', () => {
    const text = 'a\n```js\nprint(1)\n```\n```python\nprint(2)\n```\n~~~repl\nprint(3)\n~~~\n````javascript\nconst s = "```";\n````\nend';
    const { blocks, prose } = parseResponse(text);
    assert.deepEqual(
      blocks.map((b) => b.code),
      ['print(1)', 'print(3)', 'const s = "```";'],
    );
    assert.ok(!prose.includes('print(1)'));
  });

  it('runs an unclosed block at the end of a truncated response', () => {
    assert.deepEqual(parseResponse('```js\nprint(1)').blocks.map((b) => b.code), ['print(1)']);
  });

  it('finds FINAL(...) with nested parentheses and FINAL_VAR', () => {
    assert.deepEqual(findFinal('Done.\nFINAL(f(x) is (really) fine)\nbye'), { kind: 'text', value: 'f(x) is (really) fine' });
    assert.deepEqual(findFinal('FINAL_VAR(answer)'), { kind: 'var', name: 'answer' });
    assert.deepEqual(findFinal('FINAL("quoted")'), { kind: 'text', value: 'quoted' });
    assert.equal(findFinal('we will call FINAL later'), undefined);
    // The argument ends at its matching parenthesis; text after it is not part of the answer.
    assert.deepEqual(findFinal('FINAL(a :) b)'), { kind: 'text', value: 'a :' });
  });
});

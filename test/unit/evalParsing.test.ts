import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readChoice } from '../../src/core/eval/answerChoice';
import { wilsonInterval } from '../../src/core/eval/confidence';
import { contextFiles } from '../../src/core/eval/contextFiles';

/** How eval reads what models write, and how it turns a LongBench context into files. */
describe('eval: reading answers and contexts', () => {
  it('reads the chosen letter in the forms models write it', () => {
    const cases: [string, string | undefined][] = [
      ['Answer: B', 'B'],
      ['The answer is (C).', 'C'],
      ['**D**', 'D'],
      ['After reading src/a.py:12 I conclude:\n\n**Answer: A**', 'A'],
      ['(B) is correct because it handles retries.', 'B'],
      ['B) the retry loop', 'B'],
      ['C', 'C'],
      ['Final answer: (d)', undefined],
      ['I first thought (A), but the final answer is C.', 'C'],
      ['The answer is a function that retries.', undefined],
      ['It depends on the configuration.', undefined],
      ['## Findings\nThe loop is in A.java.\n\nAnswer: **B**', 'B'],
    ];
    for (const [text, letter] of cases) assert.equal(readChoice(text), letter, text);
  });

  it('splits a code-repository context at its file markers, whatever their style', () => {
    const styles = [
      (p: string) => `## File: ${p}`,
      (p: string) => `--- ${p} ---`,
      (p: string) => `<file path="${p}">`,
      (p: string) => `File: ${p}`,
      (p: string) => `[file name]: ${p}`,
    ];
    for (const style of styles) {
      const context = `Repository dump\n${style('src/app.py')}\nimport os\nprint(os.name)\n${style('lib/util.go')}\npackage util\n`;
      const files = contextFiles(context);
      assert.deepEqual(Object.keys(files).sort(), ['lib/util.go', 'preamble.txt', 'src/app.py'], style('x.py'));
      assert.match(files['src/app.py'], /^import os\nprint\(os\.name\)\n$/);
      assert.match(files['lib/util.go'], /^package util\n$/);
    }
    assert.deepEqual(Object.keys(contextFiles('One long document.\n## Section\ntext')), ['context.txt']);
    // A marker may not climb out of the workspace.
    assert.deepEqual(Object.keys(contextFiles('## File: ../etc/passwd\nx\n## File: /abs.txt\ny')), ['context.txt']);
    const twice = contextFiles('## File: a.py\n1\n## File: a.py\n2\n');
    assert.deepEqual(Object.keys(twice), ['a.py', 'a.py.2']);
  });

  it("gives Wilson's 95% interval, sound at 0 and at every item right", () => {
    const none = wilsonInterval(0, 10);
    assert.equal(none.low, 0);
    assert.equal(none.high.toFixed(3), '0.278');
    const all = wilsonInterval(10, 10);
    assert.equal(all.low.toFixed(3), '0.722');
    assert.equal(all.high, 1);
    const half = wilsonInterval(50, 100);
    assert.equal(half.low.toFixed(3), '0.404');
    assert.equal(half.high.toFixed(3), '0.596');
  });
});

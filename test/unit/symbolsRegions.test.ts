import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasRegions, regionText } from '../../src/core/index/symbols/regions';

const GO = [
  'package p', // 1
  'import "fmt"', // 2
  'const src = `', // 3
  'func init() {}', // 4
  '`', // 5
  'func init() {', // 6
  '\tfmt.Println("}")', // 7
  '}', // 8
  '/* func init() {} */', // 9
  'type T struct {', // 10
  '\tinit int', // 11
  '}', // 12
  'func (t *T) init() {}', // 13
  '',
].join('\n');

const kept = (masked: string): number[] =>
  masked.split('\n').flatMap((line, i) => (line === '' ? [] : [i + 1]));

test('a Go region is the top-level declarations around the wanted lines, every other line blanked in place', () => {
  const masked = regionText('go', GO, [7, 13])!;
  assert.equal(masked.split('\n').length, GO.split('\n').length, 'same number of lines');
  // Up to the next line that starts a declaration: the comment after the function stays.
  assert.deepEqual(kept(masked), [6, 7, 8, 9, 13]);
  assert.equal(masked.split('\n')[6], '\tfmt.Println("}")', 'kept lines are verbatim');
  // A struct field: the whole type declaration, from its `type` line to the next declaration.
  assert.deepEqual(kept(regionText('go', GO, [11])!), [10, 11, 12]);
});

test('a line inside a raw string or a block comment does not start a declaration, and alone is no region', () => {
  // Line 4 sits in the raw string that line 3 opens: it defines nothing, so nothing is kept for it.
  assert.deepEqual(kept(regionText('go', GO, [4])!), []);
  // Line 6 follows the raw string: its declaration starts there, not at line 4 inside the string.
  assert.deepEqual(kept(regionText('go', GO, [6])!), [6, 7, 8, 9]);
  // Code after a comment that started on an earlier line cannot be delimited: parse the whole file.
  assert.equal(regionText('go', 'package p\n/* a\nb */ func init() {}\n', [3]), undefined);
  assert.equal(regionText('go', '// before the package clause\nvar x = 1\n', [1]), undefined);
});

test('only Go has regions', () => {
  assert.equal(hasRegions('go'), true);
  assert.equal(hasRegions('python'), false);
  assert.equal(regionText('python', 'def f():\n    pass\n', [1]), undefined);
});

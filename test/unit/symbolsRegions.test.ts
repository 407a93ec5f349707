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

test('only Go, Java and Python have regions', () => {
  assert.equal(hasRegions('go'), true);
  assert.equal(hasRegions('java'), true);
  assert.equal(hasRegions('python'), true);
  assert.equal(hasRegions('c'), false);
  assert.equal(regionText('c', 'int f(void) { return 0; }\n', [1]), undefined);
});

const PY = [
  'import os', // 1
  '@dec', // 2
  'class A(', // 3
  '        Base):', // 4
  '    """Doc: def __init__ is here."""', // 5
  '    def __init__(self):', // 6
  '        self.x = """', // 7
  'def ghost(): pass', // 8
  '"""', // 9
  '', // 10
  '    # trailing comment', // 11
  '    def other(self):', // 12
  '        pass', // 13
  'if os.name:', // 14
  '    def f(): pass', // 15
  'else:', // 16
  '    def f(): pass', // 17
  'x = 1', // 18
  '',
].join('\n');

test('a Python region is the statement with its block, and the class and def headers around it', () => {
  // The method through its block (string lines and the comment before the next member included), the class header with its decorator.
  assert.deepEqual(kept(regionText('python', PY, [6], '__init__')!), [2, 3, 4, 6, 7, 8, 9, 11]);
  // The name only in a docstring: nothing for that line.
  assert.deepEqual(kept(regionText('python', PY, [5], '__init__')!), []);
  // Inside an if: the whole top-level statement, its else clause included.
  assert.deepEqual(kept(regionText('python', PY, [15], 'f')!), [14, 15, 16, 17]);
  // Tabs in indentation: not delimited here.
  assert.equal(regionText('python', 'class A:\n\tdef f(self): pass\n', [2], 'f'), undefined);
});

const JAVA = [
  'package p;', // 1
  'import java.util.*;', // 2
  '/** Doc. */', // 3
  '@SuppressWarnings({"unchecked", "rawtypes"})', // 4
  'public class A extends B {', // 5
  '  static final int X = 1;', // 6
  '  @Override', // 7
  '  public String toString() {', // 8
  '    return "}" + \'{\';', // 9
  '  }', // 10
  '  String s = """', // 11
  '      toString() { in a text block', // 12
  '      """;', // 13
  '  class Inner {', // 14
  '    public String toString() { return "i"; }', // 15
  '  }', // 16
  '  Comparator<String> c = new Comparator<>() {', // 17
  '    public int compare(String a, String b) {', // 18
  '      return 0; // }', // 19
  '    }', // 20
  '  };', // 21
  '}', // 22
  '',
].join('\n');

test('a Java region is the member holding the line, with the header and closing brace of every block around it', () => {
  // The method from its annotation; the class from its doc comment (after the import's `;`), braces in the annotation and in literals ignored.
  assert.deepEqual(kept(regionText('java', JAVA, [8])!), [3, 4, 5, 7, 8, 9, 10, 22]);
  // A nested class's method: the nested class's header and brace, then the outer class's.
  assert.deepEqual(kept(regionText('java', JAVA, [15])!), [3, 4, 5, 14, 15, 16, 22]);
  // A method of an anonymous class: the field that holds it is the header, up to its `};`.
  assert.deepEqual(kept(regionText('java', JAVA, [18])!), [3, 4, 5, 17, 18, 19, 20, 21, 22]);
  // Inside a text block: nothing to parse for that line.
  assert.deepEqual(kept(regionText('java', JAVA, [12])!), []);
  assert.deepEqual(kept(regionText('java', JAVA, [8, 15])!), [3, 4, 5, 7, 8, 9, 10, 14, 15, 16, 22]);
});

test('Java lines with the name only in literals are skipped; a closing brace keeps the braces of the else or catch block that follows it', () => {
  const text = [
    'class A {', // 1
    '  void run(boolean b) {', // 2
    '    log("toString");', // 3
    '    if (b) {', // 4
    '      x = new Object() {', // 5
    '        public String toString() { return ""; }', // 6
    '      };', // 7
    '    } else {', // 8
    '      y();', // 9
    '    }', // 10
    '  }', // 11
    '}', // 12
    '',
  ].join('\n');
  assert.deepEqual(kept(regionText('java', text, [3], 'toString')!), []);
  // The else block's braces are kept (empty: its statements define nothing asked for).
  assert.deepEqual(kept(regionText('java', text, [3, 6], 'toString')!), [1, 2, 4, 5, 6, 7, 8, 10, 11, 12]);
});

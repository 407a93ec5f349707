import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { blankBodies } from '../../src/core/index/symbols/blankBodies';
import { SymbolRecord, extractSymbols } from '../../src/core/index/symbols/extractSymbols';
import { indexedLanguage } from '../../src/core/index/symbols/languages';
import { NESTED, testGrammar, testParser } from './nestedDefinitions';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/langs');

async function definitions(language: string, parsed: string, source = parsed): Promise<SymbolRecord[]> {
  const g = await testGrammar(language);
  const parser = await testParser();
  parser.setLanguage(g.language);
  const tree = parser.parse(parsed)!;
  try {
    return extractSymbols(tree, g.query, parsed, language, g.plan, source);
  } finally {
    tree.delete();
  }
}

/** Asserts the blanked text keeps every line and gives the same definitions as the text; returns it. */
async function sameDefinitions(language: string, text: string, label: string): Promise<string> {
  const blanked = blankBodies(language, text);
  assert.equal(blanked.split('\n').length, text.split('\n').length, `${label}: every line kept`);
  assert.deepEqual(await definitions(language, blanked, text), await definitions(language, text), `${label}: same definitions`);
  return blanked;
}

test('blanked bodies give the same definitions as the file, nested ones included, in every language fixture', async () => {
  for (const [language, { text, names }] of Object.entries(NESTED)) {
    await sameDefinitions(language, text, language);
    const found = new Set((await definitions(language, blankBodies(language, text), text)).map((r) => r[0]));
    for (const n of names) assert.ok(found.has(n), `${language}: ${n} kept`);
  }
  let shrunk = 0;
  for (const file of fs.readdirSync(FIXTURES)) {
    const language = indexedLanguage(file)!;
    const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    const blanked = await sameDefinitions(language, text, file);
    if (blanked.length < text.length) shrunk++;
    else assert.equal(blanked, text, `${file}: a language without blanking is parsed as written`);
  }
  assert.equal(shrunk, 4, 'the Python, Go, Java and C fixtures had bodies blanked');
});

test('a Python def body without def or class becomes one parenthesized expression on the same lines', async () => {
  const text = [
    'def outer(a):',
    '    """Doc."""',
    '    def inner(b):',
    '        return b + 1  # comment',
    '',
    '        # trailing comment in the block',
    '    return inner(a)',
    '',
    'class K:',
    '    def m(self, x):',
    '        y = {',
    "            'k': x,",
    '        }',
    '        return y',
    'def last():',
    '    return 2',
  ].join('\n');
  const blanked = await sameDefinitions('python', text, 'nested defs');
  const lines = blanked.split('\n');
  assert.match(lines[2], /^    def inner\(b\):$/, 'a body holding a def keeps its statements');
  assert.equal(lines[3], '        (', 'the innermost body is blanked');
  assert.equal(lines[5], ')');
  assert.equal(lines[6], '    return inner(a)');
  assert.deepEqual(lines.slice(10, 14), ['        (', '', '', ')']);
  assert.equal(lines[15], '    ()', 'a one-line body, the last of a file without a final newline');
  const records = await definitions('python', blanked, text);
  const inner = records.find((r) => r[0] === 'inner')!;
  assert.deepEqual([inner[2], inner[3], inner[5]], [3, 6, 'def inner(b):'], 'lines from the blanked parse, signature from the file');
});

test('Python bodies are not blanked where the lexer cannot delimit them: a comment outdented below the block, tabs', async () => {
  const outdented = 'def f():\n    return 1\n  # less indented than the block\nx = 1\n';
  assert.equal(await sameDefinitions('python', outdented, 'outdented'), outdented);
  const tabs = 'def f():\n\treturn 1\n';
  assert.equal(blankBodies('python', tabs), tabs);
});

test('C function bodies and initializers are blanked unless a macro, a type body or a directive is inside', async () => {
  const text = [
    '/* leading',
    '   comment */',
    'static const int table[] = {',
    '  1, 2, 3,',
    '};',
    'int one(void) { return 1; }',
    'int two(int a)',
    '{',
    '  int b = a * 2; // twice',
    '  return b;',
    '}',
    'int three(void) {',
    '#ifdef X',
    '  return 3;',
    '#endif',
    '}',
    'int four(void) {',
    '  struct local { int x; } l = {4};',
    '  return l.x;',
    '}',
    '',
  ].join('\n');
  const blanked = await sameDefinitions('c', text, 'c bodies');
  const lines = blanked.split('\n');
  assert.equal(lines[0], ' ', 'comments are blanked');
  assert.equal(lines[2] + lines[3] + lines[4], 'static const int table[] = {};');
  assert.equal(lines[5], 'int one(void) {}');
  assert.deepEqual(lines.slice(7, 11), ['{', '', '', '}']);
  assert.equal(lines[13], '  return 3;', 'a body with a directive is kept');
  assert.equal(lines[17], '  struct local { int x; } l = {4};', 'a body with a struct body is kept');
  const one = (await definitions('c', blanked, text)).find((r) => r[0] === 'one')!;
  assert.equal(one[5], 'int one(void) { return 1; }', 'the signature line as written');
});

test('C with braces the lexer cannot pair (directive branches) is parsed as written', () => {
  const text = '#ifdef A\nint f(int a) {\n#else\nint f(void) {\n#endif\n  return 0;\n}\n';
  assert.equal(blankBodies('c', text), text);
  const extra = 'int f(void) {\n#if A\n}\n#endif\n}\n}\n';
  assert.equal(blankBodies('c', extra), extra);
});

test('Java blanks method bodies and array initializers, never a class body, an anonymous class or an enum constant body', async () => {
  const text = [
    'class A {',
    '  static final String[] NAMES = {',
    '    "a", "b",',
    '  };',
    '  A(int x) throws java.io.IOException {',
    '    String[] s = new String[] { "x" };',
    '  }',
    '  Runnable r = new Runnable() {',
    '    public void run() { go(); }',
    '  };',
    '  enum E { ONE(1) { int v() { return 1; } }, TWO(2); E(int v) { this.v = v; } int v; }',
    '  record R(int a) { int twice() { return a * 2; } }',
    '  int f() { return list.map(x -> { return x; }).size(); } // a lambda alone defines nothing',
    '}',
    '',
  ].join('\n');
  const blanked = await sameDefinitions('java', text, 'java bodies');
  const lines = blanked.split('\n');
  assert.equal(lines[1] + lines[2] + lines[3], '  static final String[] NAMES = {};');
  assert.deepEqual(lines.slice(4, 7), ['  A(int x) throws java.io.IOException {', '', '}']);
  assert.equal(lines[8], '    public void run() {}', 'an anonymous class keeps its methods, their bodies blanked');
  assert.match(lines[10], /ONE\(1\) \{ int v\(\) \{\} \}, TWO\(2\); E\(int v\) \{\} int v; \}/);
  assert.equal(lines[11], '  record R(int a) { int twice() {} }');
  assert.equal(lines[12], '  int f() {} ');
  const names = (await definitions('java', blanked, text)).map((r) => r[0]);
  for (const n of ['NAMES', 'run', 'ONE', 'TWO', 'twice', 'f']) assert.ok(names.includes(n), n);
});

test('Go blanks function bodies and literals at the top level, never struct or interface bodies, nor a body declaring a type', async () => {
  const text = [
    'package p',
    'type S struct {',
    '\tA int // field',
    '}',
    'type I interface{ M() }',
    'var table = map[string]int{',
    '\t"a": 1,',
    '}',
    'func (s *S) Get() interface{ N() } {',
    '\treturn nil',
    '}',
    'func local() {',
    '\ttype inner int',
    '}',
    '',
  ].join('\n');
  const blanked = await sameDefinitions('go', text, 'go bodies');
  const lines = blanked.split('\n');
  assert.equal(lines[2], '\tA int ', 'a struct body is kept (its comment blanked)');
  assert.equal(lines[4], 'type I interface{ M() }');
  assert.deepEqual(lines.slice(5, 8), ['var table = map[string]int{', '', '}']);
  assert.deepEqual(lines.slice(8, 11), ['func (s *S) Get() interface{ N() } {', '', '}']);
  assert.equal(lines[12], '\ttype inner int');
});

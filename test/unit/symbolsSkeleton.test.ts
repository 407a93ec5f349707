import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import type * as TreeSitter from 'web-tree-sitter';
import { SYMBOL_KINDS, SymbolRecord, extractSymbols } from '../../src/core/index/symbols/extractSymbols';
import { workerSetup } from '../../src/core/index/symbols/grammarAssets';
import { Grammar, loadGrammar } from '../../src/core/index/symbols/grammarLoader';
import { indexedLanguage } from '../../src/core/index/symbols/languages';
import { definitionPath, patternRoots, simplePattern } from '../../src/core/index/symbols/skeleton';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Parser } = require('web-tree-sitter') as typeof TreeSitter;
const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/langs');

/** Definitions in the places a statement-level walk could miss: nested bodies, anonymous classes, literals. */
const NESTED: Record<string, { text: string; names: string[] }> = {
  python: {
    text: [
      'if X:', '    def in_if(): pass', 'else:', '    class InElse: pass',
      'try:', '    def in_try(): pass', 'except E:', '    def in_except(): pass', 'finally:', '    def in_finally(): pass',
      'with ctx():', '    def in_with(): pass',
      'match v:', '    case 1:', '        def in_case(): pass',
      'for i in r:', '    def in_for(): pass', 'while c:', '    def in_while(): pass',
      'def outer():', '    def nested():', '        class Deep:', '            def m(self): pass', '    return lambda: 1',
      '@dec', 'class D:', '    X = 1', '    async def am(self): pass', 'TOP = 2', '',
    ].join('\n'),
    names: ['in_if', 'InElse', 'in_try', 'in_except', 'in_finally', 'in_with', 'in_case', 'in_for', 'in_while', 'nested', 'Deep', 'm', 'X', 'am', 'TOP'],
  },
  go: {
    text: [
      'package t',
      'var handler = func() { type InLiteral struct{} }',
      'func f() {',
      '\tgo func() { type InGo int }()',
      '\tx := map[string]func(){"a": func() { type InMap struct{} }}',
      '\tif x != nil { type InIf int }',
      '\tswitch { case true: type InCase int }',
      '}',
      'type I interface { M() }',
      'type S struct { f interface{ Hidden() } }',
      '',
    ].join('\n'),
    names: ['handler', 'InLiteral', 'InGo', 'InMap', 'InIf', 'InCase', 'I', 'M', 'S', 'Hidden'],
  },
  java: {
    text: [
      'package t;',
      'class Outer {',
      '  static final Comparator<String> BY_LEN = new Comparator<String>(',
      '      ) {',
      '    public int compare(String a, String b) { return a.length() - b.length(); }',
      '  };',
      '  Object arr = new int[] {1, 2};',
      '  void run() {',
      '    Runnable r = () -> {',
      '      class LocalInLambda { void inner() {} }',
      '    };',
      '    list.forEach(x -> { new Thread(new Runnable() { public void spin() {} }).start(); });',
      '    if (flag) { class InIf {} }',
      '    switch (k) { case 1 -> { record InSwitch(int a) {} } default -> {} }',
      '  }',
      '  enum E { A { void body() {} }, B }',
      '  interface Nested { int CONST = 1; void abs(); }',
      '}',
      '',
    ].join('\n'),
    names: ['Outer', 'BY_LEN', 'compare', 'arr', 'run', 'LocalInLambda', 'inner', 'spin', 'InIf', 'InSwitch', 'E', 'A', 'body', 'B', 'Nested', 'CONST', 'abs'],
  },
  c: {
    text: [
      '#define TOP 1',
      'int f(void) {',
      '#define IN_FN 2',
      '  int v = ({ struct in_expr { int a; } s = {1}; s.a; });',
      '  if (v) { struct in_if { int b; }; }',
      '  switch (v) { case 1: { enum in_case { K1 }; } }',
      '  return v;',
      '}',
      '#ifdef X',
      'struct in_ifdef { union in_union { int c; } u; };',
      '#else',
      'typedef struct { int d; } in_else_t;',
      '#endif',
      '',
    ].join('\n'),
    names: ['TOP', 'f', 'IN_FN', 'in_expr', 'in_if', 'in_case', 'K1', 'in_ifdef', 'in_union', 'in_else_t'],
  },
};

let parser: TreeSitter.Parser;
const grammars = new Map<string, Grammar>();

before(async () => {
  await Parser.init({ locateFile: () => workerSetup().runtimeWasm });
  parser = new Parser();
});

async function grammar(language: string): Promise<Grammar> {
  let g = grammars.get(language);
  if (!g) grammars.set(language, (g = await loadGrammar(workerSetup().languages[language])));
  return g;
}

/** The definitions of `text` found by the skeleton walk and by querying the whole tree. */
async function both(language: string, text: string): Promise<{ walked: SymbolRecord[]; whole: SymbolRecord[] }> {
  const g = await grammar(language);
  parser.setLanguage(g.language);
  const tree = parser.parse(text)!;
  try {
    return { walked: extractSymbols(tree, g.query, text, language, g.plan), whole: extractSymbols(tree, g.query, text, language) };
  } finally {
    tree.delete();
  }
}

test('the languages of the benchmark corpora walk a skeleton instead of querying every node', async () => {
  for (const language of ['python', 'go', 'java', 'c']) assert.ok((await grammar(language)).plan, `${language} has a definition plan`);
  assert.equal((await grammar('javascript')).plan, undefined, 'JavaScript defines functions deep inside expressions: whole-tree query');
});

test('the skeleton walk finds the definitions a whole-tree query finds, nested ones included', async () => {
  for (const [language, { text, names }] of Object.entries(NESTED)) {
    const { walked, whole } = await both(language, text);
    assert.deepEqual(walked, whole, `${language}: same records in the same order`);
    const found = new Set(walked.map((r) => r[0]));
    for (const n of names) assert.ok(found.has(n), `${language}: ${n} found (${[...found].join(', ')})`);
  }
  const { walked } = await both('java', NESTED.java.text);
  const spin = walked.find((r) => r[0] === 'spin')!;
  assert.equal(SYMBOL_KINDS[spin[1]], 'method');
  assert.deepEqual([spin[2], spin[3]], [12, 12]);
});

test('every language fixture gives the same definitions walked as queried whole', async () => {
  for (const file of fs.readdirSync(FIXTURES)) {
    const language = indexedLanguage(file)!;
    const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    const { walked, whole } = await both(language, text);
    assert.ok(walked.length > 0, `${file} has definitions`);
    assert.deepEqual(walked, whole, file);
  }
});

test('a method of an anonymous interface inside a Go expression is not a definition', async () => {
  const text = 'package t\nfunc use(x any) {\n\t_, ok := x.(interface{ Probe() })\n}\n';
  const { walked } = await both('go', text);
  assert.deepEqual(walked.map((r) => r[0]), ['t', 'use']);
});

test('pattern roots are read from query sources: plain, alternation, groups with leading optional siblings', () => {
  assert.deepEqual(patternRoots('(class_definition name: (identifier) @name) @definition.class'), ['class_definition']);
  assert.deepEqual(patternRoots('; a comment\n(module (expression_statement (assignment left: (identifier) @name) @definition.variable))'), ['module']);
  assert.deepEqual(patternRoots('((comment)* @doc . (method_definition name: (property_identifier) @name) @definition.method (#not-eq? @name "constructor"))'), ['method_definition']);
  assert.deepEqual(patternRoots('((comment)* @doc . [(class name: (_) @name) (class_declaration name: (_) @name)] @definition.class)'), ['class', 'class_declaration']);
  assert.deepEqual(patternRoots('[(function_item) (struct_item)] @x'), ['function_item', 'struct_item']);
  assert.equal(patternRoots('(_ name: (identifier) @name) @definition.function'), undefined);
  assert.equal(patternRoots('"func" @keyword'), undefined);
  assert.equal(patternRoots('(expression/identifier) @x'), undefined);
});

test('the nodes a pattern nests its definition in are read from its source (to skip asking for parents that cannot be containers)', () => {
  assert.deepEqual(definitionPath('(source_file (const_declaration (const_spec name: (identifier) @name) @definition.constant))'), ['source_file', 'const_declaration']);
  assert.deepEqual(definitionPath('(class_definition body: (block (expression_statement (assignment left: (identifier) @name)) @definition.variable))'), ['class_definition', 'block']);
  assert.deepEqual(definitionPath('(function_definition name: (identifier) @name) @definition.function'), []);
  assert.deepEqual(definitionPath('((comment)* @doc . [(class name: (_) @name) (class_declaration name: (_) @name)] @definition.class)'), []);
  assert.equal(definitionPath('(_ (x (y) @name) @definition.y)'), undefined);
  assert.equal(definitionPath('(a) @name'), undefined);
});

test('simple patterns (one node, its fields, no filtering predicate) are recognised to be matched without the query', () => {
  const go = simplePattern('(\n  (comment)* @doc\n  .\n  (function_declaration\n    name: (identifier) @name) @definition.function\n  (#strip! @doc "^//\\\\s*")\n  (#set-adjacent! @doc @definition.function)\n)', 8);
  assert.deepEqual(go, { index: 8, root: 'function_declaration', capture: 'definition.function', nameField: 'name', nameType: 'identifier', required: [] });
  assert.deepEqual(simplePattern('(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct', 2)?.required, [{ field: 'body', type: '_' }]);
  // A filtering predicate on the name, nesting, an alternation: the query decides.
  assert.equal(simplePattern('((comment)* @doc . (method_definition name: (property_identifier) @name) @definition.method (#not-eq? @name "constructor"))', 4), undefined);
  assert.equal(simplePattern('(type_definition declarator: (pointer_declarator declarator: (type_identifier) @name)) @definition.type', 7), undefined);
  assert.equal(simplePattern('(package_declaration [(identifier) (scoped_identifier)] @name) @definition.module', 0), undefined);
});

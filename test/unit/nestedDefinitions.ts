// Shared by the skeleton and blanked-body tests (not a test file itself): definitions in hard places,
// and the parser and grammars they load.
import type * as TreeSitter from 'web-tree-sitter';
import { workerSetup } from '../../src/core/index/symbols/grammarAssets';
import { Grammar, loadGrammar } from '../../src/core/index/symbols/grammarLoader';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Parser } = require('web-tree-sitter') as typeof TreeSitter;
let parser: Promise<TreeSitter.Parser> | undefined;
const grammars = new Map<string, Promise<Grammar>>();

/** One parser for the test file (web-tree-sitter's runtime loaded once). */
export function testParser(): Promise<TreeSitter.Parser> {
  parser ??= Parser.init({ locateFile: () => workerSetup().runtimeWasm }).then(() => new Parser());
  return parser;
}

/** A language's grammar and definition query, as the parser threads load them. */
export async function testGrammar(language: string): Promise<Grammar> {
  await testParser();
  let g = grammars.get(language);
  if (!g) grammars.set(language, (g = loadGrammar(workerSetup().languages[language])));
  return g;
}

/** Definitions in the places a statement-level walk could miss: nested bodies, anonymous classes, literals. */
export const NESTED: Record<string, { text: string; names: string[] }> = {
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

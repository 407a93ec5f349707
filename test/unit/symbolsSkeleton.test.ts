import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SYMBOL_KINDS, SymbolRecord, extractSymbols } from '../../src/core/index/symbols/extractSymbols';
import { indexedLanguage } from '../../src/core/index/symbols/languages';
import { definitionPath, patternRoots, simplePattern } from '../../src/core/index/symbols/skeleton';
import { NESTED, testGrammar, testParser } from './nestedDefinitions';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/langs');

/** The definitions of `text` found by the skeleton walk and by querying the whole tree. */
async function both(language: string, text: string): Promise<{ walked: SymbolRecord[]; whole: SymbolRecord[] }> {
  const g = await testGrammar(language);
  const parser = await testParser();
  parser.setLanguage(g.language);
  const tree = parser.parse(text)!;
  try {
    return { walked: extractSymbols(tree, g.query, text, language, g.plan), whole: extractSymbols(tree, g.query, text, language) };
  } finally {
    tree.delete();
  }
}

test('the languages of the benchmark corpora walk a skeleton instead of querying every node', async () => {
  for (const language of ['python', 'go', 'java', 'c']) assert.ok((await testGrammar(language)).plan, `${language} has a definition plan`);
  assert.equal((await testGrammar('javascript')).plan, undefined, 'JavaScript defines functions deep inside expressions: whole-tree query');
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

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { FileMap } from '../../src/core/workspace/fileMap';
import { definitionSearches } from '../../src/core/index/symbols/definitionSearch';
import { CodeSymbol, SymbolIndex } from '../../src/core/index/symbols/symbolIndex';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/langs');
const temps: string[] = [];
after(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

/** Definitions written in the awkward ways each language allows, beside uses that define nothing. */
const TRICKY: Record<string, string> = {
  'tricky.go': [
    'package tricky',
    'type (A int; Bq struct{ x int })',
    'const (',
    '\tCa, Cb = 1, 2',
    '\tCc',
    ')',
    'var Va, Vb int',
    'var (',
    '\tVc,',
    '\tVd string',
    ')',
    '/* lead */ var /* mid */ Ve = 3',
    'func (',
    '\tr *Bq,',
    ') Split() {}',
    'func (r Bq)',
    'Late() {}',
    'func Gen[T any](t T) T { return t }',
    'type Iface interface {',
    '\tM1(); M2()',
    '\tM3(',
    '\t)',
    '}',
    'func use(x any) {',
    '\tif _, ok := x.(interface{ Probe() }); ok {',
    '\t\ttype local struct{}',
    '\t}',
    '\tr := Bq{}; r.Split(); r.Late()',
    '}',
    'type Alias = Bq',
    '',
  ].join('\n'),
  // Go lookups parse only the top-level declarations around the matched lines (regions.ts).
  'regions.go': [
    'package regions',
    '',
    'const src = `',
    'package p',
    '',
    'func init() {}',
    'type Shadow struct{}',
    '`',
    '',
    '/*',
    'func init() { commented out }',
    'type Ghost int',
    '*/',
    '',
    '// A comment: func init() is not here.',
    'func init() {',
    '\tregister(`raw',
    'type Phantom int',
    '`)',
    '}',
    '',
    'func (r *Reg) init() {}',
    '',
    'type Initer interface {',
    '\tinit()',
    '}',
    '',
    'var hook = func() int {',
    '\ttype Local struct{}',
    '\treturn 1',
    '}()',
    'func Broken( {',
    'type AfterBroken int',
    '',
  ].join('\n'),
  // Java lookups parse the member around each matched line, with the headers and braces of its blocks.
  'Regions.java': [
    'package p;',
    'import java.util.*;',
    '/** Doc. */',
    '@SuppressWarnings({"unchecked", "rawtypes"})',
    'public class Regions extends Base {',
    '  static final int LIMIT = 1;',
    '  @Override',
    '  public String toString() {',
    '    return "}" + \'{\';',
    '  }',
    '  String s = """',
    '      void ghostInText() {}',
    '      """;',
    '  /* void ghostInComment() {} */',
    '  class Inner { public String toString() { return "i"; } }',
    '  Comparator<String> byLength = new Comparator<>() {',
    '    public int compare(String a, String b) {',
    '      return 0; // }',
    '    }',
    '  };',
    '  void run() {',
    '    Runnable r = () -> { class InLambda { void toString(int x) {} } };',
    '  }',
    '  enum Mode { ON { void flip() {} }, OFF; void toString(long l) {} }',
    '  interface Shape { double area(); }',
    '}',
    'class Second { public String toString() { return "2"; } }',
    '',
  ].join('\n'),
  // Python lookups parse the statement around each matched line, with the class and def headers around it.
  'regions.py': [
    '"""Module doc.',
    'def ghost_in_doc():',
    '    pass',
    '"""',
    'import os',
    '',
    '@decorator(',
    '    arg=1)',
    'class Outer(Base,',
    '            Mixin):',
    '    LIMIT = 10',
    '',
    '    # def ghost_in_comment(): pass',
    '    def __init__(self, a,',
    '                 b=")"):',
    '        self.text = """',
    'def ghost_in_string():',
    '"""',
    '        x = [1,',
    'def_like_at_column_zero_in_brackets]',
    '',
    '    @property',
    '    def size(self):',
    '        return \\',
    '            1',
    '',
    '    class Inner:',
    '        def __init__(self):',
    '            def helper():',
    '                pass',
    '',
    '    async def fetch(self): ...',
    '',
    'if os.name == "nt":',
    '    def platform_fn(): return 1',
    'else:',
    '    def platform_fn(): return 2',
    '',
    'try:',
    '    import fast as impl',
    'except ImportError:',
    '    class impl:',
    '        def __init__(self): pass',
    '',
    'def __init__():',
    '    return "module level"',
    '',
  ].join('\n'),
  'tricky.py': [
    '@decorator',
    'def decorated(a,',
    '              b):',
    '    pass',
    'def \\',
    '    continued():',
    '    pass',
    'class Holder: inline = 1',
    'class Outer:',
    '    field: int = 3',
    '    def method(self):',
    '        self.attr = 1',
    '        def nested(): pass',
    '        return nested',
    'x = 1; semi = 2',
    'async def coro(): pass',
    'obj.method()',
    'Holder.inline',
    '',
  ].join('\n'),
  'Tricky.java': [
    'package tricky.pkg;',
    '@interface Marker { int value(); }',
    'public class Tricky<T> {',
    '  private static final int A = 1, B = 2;',
    '  @Override',
    '  public String',
    '      toString() { return "t" + this.toString() + A; }',
    '  <R> R',
    '  convert(',
    '      T t) { return null; }',
    '  record Pair(int left, int right) {}',
    '  enum Dir { UP, DOWN(1) { }; Dir() {} Dir(int x) {} }',
    '  Tricky() { other.convert(null); }',
    '}',
    '',
  ].join('\n'),
  'tricky.c': [
    '#define PLAIN 1',
    '#  define SPACED(x) ((x) + 1)',
    '#define LONG_MACRO(a, b) \\',
    '  do { (a)->field = (b); } while (0)',
    'static int',
    'split_def(void)',
    '{',
    '  struct inner { int v; } s = { .v = 1 };',
    '  return s.v + ptr->field;',
    '}',
    'typedef int (*handler_fn)(int);',
    'typedef struct tag { int field; } tag_t;',
    'enum { ANON_A, ANON_B = 3 };',
    'int table[4], *global_ptr;',
    'static const char *',
    '  *double_ptr(void) { return 0; }',
    'union u { int a; float b; };',
    '',
  ].join('\n'),
  'tricky.cpp': [
    'namespace outer { namespace inner {',
    'class Widget { public: int size() const; };',
    'int Widget::size() const { return 0; }',
    'struct S { int &ref(); };',
    'int &S::ref() { static int x; return x; }',
    'int& freeRef() { static int y; return y; }',
    '} }',
    'void call(outer::inner::Widget *w) { w->size(); }',
    '',
  ].join('\n'),
  'tricky.rs': [
    'macro_rules! mac { () => {} }',
    'pub struct Holder { field: u8 }',
    'impl Holder {',
    '    pub fn',
    '    split_fn(&self) -> u8 { self.field }',
    '}',
    'trait T { fn required(&self); }',
    'const C: u8 = 1; static S: u8 = 2;',
    'mod m { pub fn inside() { super::Holder { field: 1 }.split_fn(); } }',
    '',
  ].join('\n'),
  'tricky.rb': [
    'class Base',
    '  def self.build; end',
    '  def instance_m; end',
    '  alias_method :other, :instance_m',
    '  LIMIT = 3',
    'end',
    'Base.build',
    '',
  ].join('\n'),
  'Tricky.cs': [
    'namespace A.B {',
    '  interface IFoo { void Bar(); }',
    '  class Impl : IFoo { void IFoo.Bar() {} public int Prop { get; set; } }',
    '}',
    '',
  ].join('\n'),
  'tricky.ts': [
    'const obj: any = {};',
    'obj.assigned = function () {};',
    'obj.arrow = () => 1;',
    'export const pair = { key: () => 1 };',
    'namespace NS { export function inNs() {} }',
    '',
  ].join('\n'),
  // Uses only: never parsed by a search for these names, and never part of an answer.
  'uses.java': 'class Uses { void f() { x.toString(); y.convert(null); } }\n',
  'uses.c': 'void g(struct tag *t) { t->field = PLAIN; }\n',
};

async function workspace(): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-defsearch-'));
  temps.push(root);
  for (const [file, text] of Object.entries(TRICKY)) fs.writeFileSync(path.join(root, file), text);
  fs.cpSync(FIXTURES, path.join(root, 'langs'), { recursive: true });
  return root;
}

const key = (s: CodeSymbol): string => `${s.path}:${s.line}-${s.endLine}:${s.kind}:${s.name}:${s.container ?? ''}`;

test('findSymbol before completion equals the complete index for every name defined in the fixtures and tricky files', async () => {
  const map = await FileMap.load(await workspace());
  const full = new SymbolIndex(map, { cacheDir: false });
  let all: CodeSymbol[];
  try {
    all = await full.allSymbols();
  } finally {
    full.dispose();
  }
  const names = [...new Set(all.map((s) => s.name))].sort();
  // The tricky files do define what they claim (the test would otherwise prove nothing about them).
  for (const n of ['Ve', 'Split', 'Late', 'M2', 'local', 'init', 'Initer', 'Local', 'hook', 'AfterBroken', 'compare', 'InLambda', 'flip', 'area', 'Second', 'LIMIT', 'Outer', 'size', 'Inner', 'helper', 'fetch', 'platform_fn', 'impl', '__init__', 'continued', 'inline', 'semi', 'field', 'toString', 'convert', 'Pair', 'DOWN',
    'SPACED', 'split_def', 'handler_fn', 'ANON_B', 'double_ptr', 'size', 'freeRef', 'split_fn', 'build', 'Bar', 'assigned', 'arrow']) {
    assert.ok(names.includes(n), `${n} is defined`);
  }
  const expected = new Map<string, string[]>();
  for (const s of all) expected.set(s.name, [...(expected.get(s.name) ?? []), key(s)]);

  const early = new SymbolIndex(map, { cacheDir: false });
  try {
    for (const name of names) {
      const got = (await early.findSymbol(name)).map(key).sort();
      assert.deepEqual(got, expected.get(name)!.sort(), `findSymbol(${name}) before completion`);
    }
    // Names written only inside raw strings and comments are defined nowhere, early or late.
    for (const ghost of ['Shadow', 'Ghost', 'Phantom', 'ghostInText', 'ghostInComment', 'ghost_in_doc', 'ghost_in_comment', 'ghost_in_string']) assert.deepEqual(await early.findSymbol(ghost), [], ghost);
    assert.equal(early.complete, false);
  } finally {
    early.dispose();
  }
});

test('the definition search skips member accesses where no query can define a name after a dot, and keeps them where one can', () => {
  const matches = (name: string, language: string, line: string): boolean => {
    const s = definitionSearches(name, true).find((d) => d.languages.includes(language))!;
    return new RegExp(s.pattern, 'm').test(line);
  };
  assert.equal(matches('toString', 'java', '  x.toString();'), false);
  assert.equal(matches('toString', 'java', '  public String toString() {'), true);
  assert.equal(matches('toString', 'java', '  .map(Path::toString)'), false);
  assert.equal(matches('field', 'c', '  t->field = 1;'), false);
  assert.equal(matches('field', 'c', '  s. field = 1;'), false);
  assert.equal(matches('field', 'c', '  int field;'), true);
  assert.equal(matches('method', 'python', 'obj.method()'), false);
  assert.equal(matches('method', 'python', '    def method(self):'), true);
  assert.equal(matches('init', 'go', '\tp.init()'), false);
  assert.equal(matches('init', 'go', '\tx := compute(init)'), false);
  assert.equal(matches('init', 'go', 'func init() {'), true);
  assert.equal(matches('init', 'go', 'func (p *T) init() {'), true);
  assert.equal(matches('init', 'go', '\ta, init = 1, 2'), true);
  // JavaScript (obj.name = function), Ruby (def self.name) and C# (IFoo.Name) define after a dot.
  assert.equal(matches('assigned', 'typescript', 'obj.assigned = function () {};'), true);
  assert.equal(matches('build', 'ruby', '  def self.build; end'), true);
  assert.equal(matches('Bar', 'csharp', 'void IFoo.Bar() {}'), true);
  // Names that are not identifiers and substring searches fall back to one whole-word search.
  assert.equal(definitionSearches('a.b', true).length, 1);
  assert.equal(definitionSearches('init', false).length, 1);
});
